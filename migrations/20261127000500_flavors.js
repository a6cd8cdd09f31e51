// @ts-check
// Flavors (Nova's API-database flavors), their extra specs and the projects a private flavor is
// shared with. Flavors are hard-deleted (as in nova_api); servers keep their own flavor snapshot.
// The default flavors are seeded here as data, so every database has them exactly once.

/**
 * Default flavors. Ids "1"–"5" are Nova's classic m1.* defaults; "6"–"8" are small container-sized
 * flavors (no root disk: a container's filesystem is its image) and do not clash with Nova's ids.
 *   1 m1.tiny 512 MB/1/1 GB   2 m1.small 2048/1/20   3 m1.medium 4096/2/40   4 m1.large 8192/4/80
 *   5 m1.xlarge 16384/8/160   6 c1.nano 64/1/0       7 c1.micro 128/1/0      8 c1.small 256/1/0
 */
export const DEFAULT_FLAVORS = [
  ['1', 'm1.tiny', 512, 1, 1],
  ['2', 'm1.small', 2048, 1, 20],
  ['3', 'm1.medium', 4096, 2, 40],
  ['4', 'm1.large', 8192, 4, 80],
  ['5', 'm1.xlarge', 16384, 8, 160],
  ['6', 'c1.nano', 64, 1, 0],
  ['7', 'c1.micro', 128, 1, 0],
  ['8', 'c1.small', 256, 1, 0],
];

/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.schema.createTable('flavors', (t) => {
    t.string('id', 255).primary();
    t.string('name', 255).notNullable().unique('flavors_name_uq');
    t.integer('memory_mb').notNullable();
    t.integer('vcpus').notNullable();
    t.integer('root_gb').notNullable().defaultTo(0);
    t.integer('ephemeral_gb').notNullable().defaultTo(0);
    t.integer('swap').notNullable().defaultTo(0);
    t.float('rxtx_factor').notNullable().defaultTo(1.0);
    t.boolean('is_public').notNullable().defaultTo(true);
    t.boolean('disabled').notNullable().defaultTo(false);
    t.text('description');
    t.string('created_at', 32).notNullable();
    // Kept for the agreed interface; always false because flavors are hard-deleted.
    t.boolean('deleted').notNullable().defaultTo(false);
  });
  await knex.schema.createTable('flavor_extra_specs', (t) => {
    t.string('flavor_id', 255).notNullable().references('id').inTable('flavors').onDelete('CASCADE');
    t.string('key', 255).notNullable();
    t.string('value', 255).notNullable();
    t.primary(['flavor_id', 'key'], 'flavor_extra_specs_pk');
  });
  await knex.schema.createTable('flavor_projects', (t) => {
    t.string('flavor_id', 255).notNullable().references('id').inTable('flavors').onDelete('CASCADE');
    t.string('project_id', 255).notNullable();
    t.primary(['flavor_id', 'project_id'], 'flavor_projects_pk');
    t.index(['project_id'], 'flavor_projects_project_idx');
  });

  const now = new Date().toISOString();
  const rows = DEFAULT_FLAVORS.map(([id, name, memory_mb, vcpus, root_gb]) => ({
    id, name, memory_mb, vcpus, root_gb, ephemeral_gb: 0, swap: 0, rxtx_factor: 1.0,
    is_public: true, disabled: false, description: null, created_at: now, deleted: false,
  }));
  // Idempotent even if a row already exists (e.g. re-seeded by hand).
  await knex('flavors').insert(rows).onConflict('id').ignore();
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  for (const table of ['flavor_projects', 'flavor_extra_specs', 'flavors']) {
    await knex.schema.dropTableIfExists(table);
  }
}
