// @ts-check
// Compute hosts: one row per Docker Engine the service drives (Nova's compute nodes + services).

/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.schema.createTable('compute_hosts', (t) => {
    t.increments('id').primary();
    t.string('uuid', 36).notNullable().unique('compute_hosts_uuid_uq');
    t.string('name', 255).notNullable().unique('compute_hosts_name_uq');
    t.string('docker_url', 1024).notNullable();
    t.string('availability_zone', 255).notNullable().defaultTo('nova');
    t.boolean('disabled').notNullable().defaultTo(false);
    t.string('disabled_reason', 255);
    t.boolean('forced_down').notNullable().defaultTo(false);
    // Last successful Docker ping: the heartbeat behind os-services state up/down.
    t.string('last_seen_at', 32);
    // Facts read from `docker info`, refreshed with the heartbeat (JSON text).
    t.text('info');
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32);
  });
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  await knex.schema.dropTableIfExists('compute_hosts');
}
