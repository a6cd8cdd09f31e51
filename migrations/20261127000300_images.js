// @ts-check
// Glance v2 image records, their tags and members, and which Docker image each one became on
// each compute host (loaded on first boot there).

/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.schema.createTable('images', (t) => {
    t.string('id', 36).primary();
    t.string('name', 255);
    t.string('status', 32).notNullable().defaultTo('queued');
    t.string('visibility', 16).notNullable().defaultTo('shared');
    t.string('owner', 64);
    t.string('container_format', 32);
    t.string('disk_format', 32);
    t.bigInteger('size');
    t.bigInteger('virtual_size');
    t.string('checksum', 32);
    t.string('os_hash_algo', 32);
    t.string('os_hash_value', 128);
    t.integer('min_disk').notNullable().defaultTo(0);
    t.integer('min_ram').notNullable().defaultTo(0);
    t.boolean('protected').notNullable().defaultTo(false);
    t.boolean('os_hidden').notNullable().defaultTo(false);
    // Custom properties (Glance's additionalProperties), JSON text of string → string.
    t.text('properties').notNullable().defaultTo('{}');
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32).notNullable();
    t.index(['owner'], 'images_owner_idx');
    t.index(['name'], 'images_name_idx');
  });
  await knex.schema.createTable('image_tags', (t) => {
    t.string('image_id', 36).notNullable().references('id').inTable('images').onDelete('CASCADE');
    t.string('tag', 255).notNullable();
    t.primary(['image_id', 'tag'], 'image_tags_pk');
  });
  await knex.schema.createTable('image_members', (t) => {
    t.string('image_id', 36).notNullable().references('id').inTable('images').onDelete('CASCADE');
    t.string('member', 64).notNullable();
    t.string('status', 16).notNullable().defaultTo('pending');
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32).notNullable();
    t.primary(['image_id', 'member'], 'image_members_pk');
  });
  await knex.schema.createTable('image_host_loads', (t) => {
    t.string('image_id', 36).notNullable().references('id').inTable('images').onDelete('CASCADE');
    t.integer('host_id').notNullable().references('id').inTable('compute_hosts').onDelete('CASCADE');
    t.string('docker_image_id', 128).notNullable();
    t.string('loaded_at', 32).notNullable();
    t.primary(['image_id', 'host_id'], 'image_host_loads_pk');
  });
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  for (const table of ['image_host_loads', 'image_members', 'image_tags', 'images']) {
    await knex.schema.dropTableIfExists(table);
  }
}
