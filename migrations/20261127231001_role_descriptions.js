// @ts-check
// Roles an admin creates (POST /v3/roles): a description, and names unique without regard to case
// (as on Keystone's usual MySQL collation), so that no "Admin" can stand beside the "admin" that
// policy checks.

/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.schema.alterTable('roles', (t) => {
    t.text('description');
  });
  await knex.raw('create unique index roles_name_lower_uq on roles (lower(name))');
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  await knex.raw('drop index if exists roles_name_lower_uq');
  await knex.schema.alterTable('roles', (t) => {
    t.dropColumn('description');
  });
}
