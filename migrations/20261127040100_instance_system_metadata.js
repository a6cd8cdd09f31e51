// @ts-check
// Nova's instance_system_metadata: service-owned key/value facts about a server that the user never
// sees, kept across a multi-step action: the flavor and vm_state before a resize (for revert and
// confirm), the image and host of a shelved server (for unshelve), the console tokens' server.

/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.schema.createTable('instance_system_metadata', (t) => {
    t.string('instance_uuid', 36).notNullable().references('uuid').inTable('instances').onDelete('CASCADE');
    t.string('key', 255).notNullable();
    t.text('value').notNullable();
    t.primary(['instance_uuid', 'key'], 'instance_system_metadata_pk');
  });
  // Serial console tokens (nova console_auth_tokens): one-time, expiring, stored hashed.
  await knex.schema.createTable('console_auth_tokens', (t) => {
    t.string('token_hash', 64).notNullable().primary('console_auth_tokens_pk');
    t.string('instance_uuid', 36).notNullable().references('uuid').inTable('instances').onDelete('CASCADE');
    t.string('console_type', 32).notNullable();
    t.string('expires_at', 32).notNullable();
    t.string('created_at', 32).notNullable();
    t.boolean('used').notNullable().defaultTo(false);
    t.index(['instance_uuid'], 'console_auth_tokens_instance_idx');
  });
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  await knex.schema.dropTableIfExists('console_auth_tokens');
  await knex.schema.dropTableIfExists('instance_system_metadata');
}
