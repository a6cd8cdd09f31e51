// @ts-check
// Failed password logins, counted per bucket ("user:<id or domain/name>" and "addr:<ip>") within a
// window, so that guessing is slowed down per user and per address across every API replica.

/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.schema.createTable('login_failures', (t) => {
    t.string('bucket', 600).primary();
    t.integer('failures').notNullable().defaultTo(0);
    t.string('window_started_at', 32).notNullable();
  });
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  await knex.schema.dropTableIfExists('login_failures');
}
