// @ts-check
// Whether a user's current password is weak (short or a well-known default), decided when it is
// set, the only moment the plaintext is known. The service refuses to listen beyond loopback
// while the admin user's password is weak. Null: set before this column existed (unknown).

/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.schema.alterTable('users', (t) => {
    t.boolean('password_weak');
  });
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('password_weak');
  });
}
