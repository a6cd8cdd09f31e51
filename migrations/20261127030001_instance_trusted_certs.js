// @ts-check
// 2.63: the trusted image certificate ids a server was created with (JSON array text, or null).

/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.schema.alterTable('instances', (t) => {
    t.text('trusted_certs');
  });
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  await knex.schema.alterTable('instances', (t) => {
    t.dropColumn('trusted_certs');
  });
}
