// @ts-check
// Host aggregates an admin manages at run time (nova api_models Aggregate, AggregateHost,
// AggregateMetadata): a name unique among the aggregates (rows are deleted outright, as in
// Nova's API database, so every row is a live one), the hosts by name, and string metadata
// whose availability_zone key puts the hosts in a zone. `configured_zone` marks the read-only
// rows that mirror a zone of NOVADOCK_COMPUTE_HOSTS (compute/aggregates.ts keeps them in step).

/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.schema.createTable('aggregates', (t) => {
    t.increments('id').primary();
    t.string('uuid', 36).notNullable().unique('aggregates_uuid_uq');
    t.string('name', 255).notNullable().unique('aggregates_name_uq');
    t.string('configured_zone', 255).unique('aggregates_configured_zone_uq');
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32);
  });
  await knex.schema.createTable('aggregate_hosts', (t) => {
    t.integer('aggregate_id').notNullable().references('id').inTable('aggregates').onDelete('CASCADE');
    t.string('host', 255).notNullable();
    t.primary(['aggregate_id', 'host'], 'aggregate_hosts_pk');
    t.index(['host'], 'aggregate_hosts_host_idx');
  });
  await knex.schema.createTable('aggregate_metadata', (t) => {
    t.integer('aggregate_id').notNullable().references('id').inTable('aggregates').onDelete('CASCADE');
    t.string('key', 255).notNullable();
    t.string('value', 255).notNullable();
    t.primary(['aggregate_id', 'key'], 'aggregate_metadata_pk');
    t.index(['key'], 'aggregate_metadata_key_idx');
  });
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  await knex.schema.dropTableIfExists('aggregate_metadata');
  await knex.schema.dropTableIfExists('aggregate_hosts');
  await knex.schema.dropTableIfExists('aggregates');
}
