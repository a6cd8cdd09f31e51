// @ts-check
// Key pairs (per user), quota limits (per project, and per quota class as defaults), and server
// groups with their members. Nova keeps these in its API database.

/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.schema.createTable('keypairs', (t) => {
    t.increments('id').primary();
    t.string('user_id', 64).notNullable();
    t.string('name', 255).notNullable();
    t.string('type', 16).notNullable().defaultTo('ssh');
    t.text('public_key').notNullable();
    t.string('fingerprint', 255).notNullable();
    t.string('created_at', 32).notNullable();
    t.unique(['user_id', 'name'], { indexName: 'keypairs_user_name_uq' });
  });
  // A project's own limits; a resource without a row falls back to the default quota class.
  await knex.schema.createTable('quotas', (t) => {
    t.string('project_id', 64).notNullable();
    t.string('resource', 255).notNullable();
    t.integer('hard_limit').notNullable();
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32);
    t.primary(['project_id', 'resource'], 'quotas_pk');
  });
  // Defaults ('default' class); a resource without a row falls back to Nova's built-in default.
  await knex.schema.createTable('quota_classes', (t) => {
    t.string('class_name', 255).notNullable();
    t.string('resource', 255).notNullable();
    t.integer('hard_limit').notNullable();
    t.primary(['class_name', 'resource'], 'quota_classes_pk');
  });
  // One row per project that has ever been quota-checked: the row PostgreSQL locks
  // (SELECT … FOR UPDATE) so that concurrent creates of one project count usage one at a time.
  await knex.schema.createTable('quota_locks', (t) => {
    t.string('project_id', 64).primary();
  });
  await knex.schema.createTable('server_groups', (t) => {
    t.increments('id').primary();
    t.string('uuid', 36).notNullable().unique('server_groups_uuid_uq');
    t.string('name', 255).notNullable();
    t.string('project_id', 64).notNullable();
    t.string('user_id', 64).notNullable();
    // affinity | anti-affinity | soft-affinity | soft-anti-affinity
    t.string('policy', 32).notNullable();
    // JSON text, e.g. {"max_server_per_host": 2} (2.64)
    t.text('rules').notNullable().defaultTo('{}');
    t.string('created_at', 32).notNullable();
    t.index(['project_id'], 'server_groups_project_idx');
  });
  await knex.schema.createTable('server_group_members', (t) => {
    t.integer('group_id').notNullable().references('id').inTable('server_groups').onDelete('CASCADE');
    t.string('instance_uuid', 36).notNullable();
    t.primary(['group_id', 'instance_uuid'], 'server_group_members_pk');
    t.index(['instance_uuid'], 'server_group_members_instance_idx');
  });
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  for (const table of ['server_group_members', 'server_groups', 'quota_locks', 'quota_classes', 'quotas', 'keypairs']) {
    await knex.schema.dropTableIfExists(table);
  }
}
