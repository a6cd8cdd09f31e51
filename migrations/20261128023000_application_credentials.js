// @ts-check
// Keystone application credentials: a user's named, project-bound secret (stored only as a scrypt
// hash, like passwords) that authenticates with a chosen subset of the user's roles on that project.
// Tokens issued from one remember it, so that deleting the credential ends them.

/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.schema.createTable('application_credentials', (t) => {
    t.string('id', 64).primary();
    t.string('name', 255).notNullable();
    t.text('description');
    t.string('user_id', 64).notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.string('project_id', 64).notNullable().references('id').inTable('projects').onDelete('CASCADE');
    t.text('secret_hash').notNullable();
    t.string('expires_at', 32);
    t.boolean('unrestricted').notNullable().defaultTo(false);
    t.string('created_at', 32).notNullable();
    t.unique(['user_id', 'name'], { indexName: 'application_credentials_user_name_uq' });
  });
  // The roles the credential delegates; deleting a role takes it out of every credential.
  await knex.schema.createTable('application_credential_roles', (t) => {
    t.string('application_credential_id', 64).notNullable().references('id').inTable('application_credentials').onDelete('CASCADE');
    t.string('role_id', 64).notNullable().references('id').inTable('roles').onDelete('CASCADE');
    t.primary(['application_credential_id', 'role_id'], 'application_credential_roles_pk');
  });
  await knex.schema.alterTable('tokens', (t) => {
    t.string('application_credential_id', 64);
  });
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  await knex.schema.alterTable('tokens', (t) => {
    t.dropColumn('application_credential_id');
  });
  await knex.schema.dropTableIfExists('application_credential_roles');
  await knex.schema.dropTableIfExists('application_credentials');
}
