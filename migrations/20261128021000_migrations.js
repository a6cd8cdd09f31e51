// @ts-check
// Nova's migrations table: one row per move of a server. Here only a resize writes one (a resize in
// place, source and destination the same host, as Nova's allow_resize_to_same_host); GET
// /os-migrations lists them. `id` is the integer Nova shows, `uuid` the one it pages by (2.59).
// Old/new flavor: Nova keeps the flavor's internal integer id (old_instance_type_id …); novadock's
// flavors have only their string id, kept too, and the integer is that id when it is one.
// No foreign key to instances: Nova keeps a migration until the server is destroyed, and the list
// hides the migrations of a deleted server as Nova's instance_destroy soft-deletes them.

/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.schema.createTable('migrations', (t) => {
    t.increments('id').primary();
    t.string('uuid', 36).notNullable().unique('migrations_uuid_uq');
    t.string('instance_uuid', 36);
    t.string('migration_type', 32).notNullable();
    t.string('status', 255);
    t.string('source_compute', 255);
    t.string('source_node', 255);
    t.string('dest_compute', 255);
    t.string('dest_node', 255);
    t.string('dest_host', 255);
    t.integer('old_instance_type_id');
    t.integer('new_instance_type_id');
    t.string('old_flavor_id', 255);
    t.string('new_flavor_id', 255);
    t.boolean('hidden').notNullable().defaultTo(false);
    // Who started the move (Nova records the requester, not the server's owner).
    t.string('user_id', 255);
    t.string('project_id', 255);
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32);
    t.string('deleted_at', 32);
    t.boolean('deleted').notNullable().defaultTo(false);
    t.index(['instance_uuid', 'status'], 'migrations_instance_uuid_status_idx');
    t.index(['created_at', 'id'], 'migrations_created_at_id_idx');
    t.index(['updated_at'], 'migrations_updated_at_idx');
  });
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  await knex.schema.dropTableIfExists('migrations');
}
