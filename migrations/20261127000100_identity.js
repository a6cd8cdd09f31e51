// @ts-check
// Keystone v3 subset: domains, projects, users, roles, role assignments and tokens.
// Tokens are stored only as a sha256 of their value.

/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.schema.createTable('domains', (t) => {
    t.string('id', 64).primary();
    t.string('name', 255).notNullable().unique('domains_name_uq');
    t.text('description').notNullable().defaultTo('');
    t.boolean('enabled').notNullable().defaultTo(true);
  });
  await knex.schema.createTable('projects', (t) => {
    t.string('id', 64).primary();
    t.string('name', 255).notNullable();
    t.string('domain_id', 64).notNullable().references('id').inTable('domains');
    t.text('description').notNullable().defaultTo('');
    t.boolean('enabled').notNullable().defaultTo(true);
    t.string('created_at', 32).notNullable();
    t.unique(['domain_id', 'name'], { indexName: 'projects_domain_name_uq' });
  });
  await knex.schema.createTable('users', (t) => {
    t.string('id', 64).primary();
    t.string('name', 255).notNullable();
    t.string('domain_id', 64).notNullable().references('id').inTable('domains');
    t.text('password_hash');
    t.boolean('enabled').notNullable().defaultTo(true);
    t.string('email', 255);
    t.text('description').notNullable().defaultTo('');
    t.string('default_project_id', 64);
    t.string('created_at', 32).notNullable();
    t.string('password_updated_at', 32);
    t.unique(['domain_id', 'name'], { indexName: 'users_domain_name_uq' });
  });
  await knex.schema.createTable('roles', (t) => {
    t.string('id', 64).primary();
    t.string('name', 255).notNullable().unique('roles_name_uq');
  });
  await knex.schema.createTable('role_assignments', (t) => {
    t.string('user_id', 64).notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('project_id', 64).notNullable().references('id').inTable('projects').onDelete('CASCADE');
    t.string('role_id', 64).notNullable().references('id').inTable('roles').onDelete('CASCADE');
    t.primary(['user_id', 'project_id', 'role_id'], 'role_assignments_pk');
    t.index(['project_id'], 'role_assignments_project_idx');
  });
  await knex.schema.createTable('tokens', (t) => {
    t.string('id_hash', 64).primary();
    t.string('user_id', 64).notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('project_id', 64).references('id').inTable('projects').onDelete('CASCADE');
    t.string('domain_id', 64);
    t.string('methods', 255).notNullable();
    t.string('audit_id', 64).notNullable();
    t.string('issued_at', 32).notNullable();
    t.string('expires_at', 32).notNullable();
    t.boolean('revoked').notNullable().defaultTo(false);
    t.index(['expires_at'], 'tokens_expires_idx');
  });
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  for (const table of ['tokens', 'role_assignments', 'roles', 'users', 'projects', 'domains']) {
    await knex.schema.dropTableIfExists(table);
  }
}
