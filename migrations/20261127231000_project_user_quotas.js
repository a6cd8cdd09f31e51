// @ts-check
// Per-user quota limits inside a project (Nova's project_user_quotas, legacy DbQuotaDriver): a
// resource without a row for the user falls back to the project's limit.

/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.schema.createTable('project_user_quotas', (t) => {
    t.string('project_id', 64).notNullable();
    t.string('user_id', 255).notNullable();
    t.string('resource', 255).notNullable();
    t.integer('hard_limit').notNullable();
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32);
    t.primary(['project_id', 'user_id', 'resource'], 'project_user_quotas_pk');
  });
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  await knex.schema.dropTableIfExists('project_user_quotas');
}
