// @ts-check
// Servers (Nova's instances) and what hangs off them: metadata, tags, faults, instance actions and
// their events, and the durable task rows the worker claims with a lease.
// Timestamps are ISO-8601 text (see src/db/time.ts); deleted servers are kept (deleted = true) so
// that `changes-since` can list them as DELETED and quotas stop counting them.

/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.schema.createTable('instances', (t) => {
    t.increments('id').primary();
    t.string('uuid', 36).notNullable().unique('instances_uuid_uq');
    t.string('project_id', 64).notNullable();
    t.string('user_id', 64).notNullable();
    t.string('display_name', 255).notNullable();
    t.text('display_description');
    t.string('hostname', 255).notNullable();
    t.integer('host_id').references('id').inTable('compute_hosts');
    t.string('availability_zone', 255);
    t.string('flavor_id', 255).notNullable();
    t.integer('vcpus').notNullable();
    t.integer('memory_mb').notNullable();
    t.integer('root_gb').notNullable().defaultTo(0);
    t.integer('ephemeral_gb').notNullable().defaultTo(0);
    t.integer('swap_mb').notNullable().defaultTo(0);
    // The flavor as it was at boot (Nova embeds this snapshot in the server from 2.47).
    t.text('flavor_json').notNullable();
    t.string('image_ref', 255).notNullable();
    t.string('key_name', 255);
    t.text('key_data');
    t.text('user_data');
    t.string('config_drive', 255).notNullable().defaultTo('');
    t.string('access_ip_v4', 64);
    t.string('access_ip_v6', 64);
    t.string('vm_state', 32).notNullable();
    t.string('task_state', 64);
    t.integer('power_state').notNullable().defaultTo(0);
    t.boolean('locked').notNullable().defaultTo(false);
    t.string('locked_by', 16);
    t.string('locked_reason', 255);
    t.string('reservation_id', 32).notNullable();
    t.integer('launch_index').notNullable().defaultTo(0);
    t.string('launched_at', 32);
    t.string('terminated_at', 32);
    t.string('created_at', 32).notNullable();
    t.string('updated_at', 32);
    t.string('deleted_at', 32);
    t.boolean('deleted').notNullable().defaultTo(false);
    t.integer('progress').notNullable().defaultTo(0);
    t.string('container_id', 128);
    // Docker network the container is attached to ("private"), or null for networks "none".
    t.string('network', 255);
    // [{network, version, addr, mac}] as Docker reported them at the last look.
    t.text('addresses_json');
    t.string('server_group_id', 36);
    t.index(['project_id', 'deleted'], 'instances_project_deleted_idx');
    t.index(['created_at'], 'instances_created_at_idx');
    t.index(['updated_at'], 'instances_updated_at_idx');
    t.index(['reservation_id'], 'instances_reservation_idx');
    t.index(['host_id'], 'instances_host_idx');
  });

  await knex.schema.createTable('instance_metadata', (t) => {
    t.string('instance_uuid', 36).notNullable().references('uuid').inTable('instances').onDelete('CASCADE');
    t.string('key', 255).notNullable();
    t.string('value', 255).notNullable();
    t.primary(['instance_uuid', 'key'], 'instance_metadata_pk');
  });

  await knex.schema.createTable('instance_tags', (t) => {
    t.string('instance_uuid', 36).notNullable().references('uuid').inTable('instances').onDelete('CASCADE');
    t.string('tag', 80).notNullable();
    t.primary(['instance_uuid', 'tag'], 'instance_tags_pk');
    t.index(['tag'], 'instance_tags_tag_idx');
  });

  await knex.schema.createTable('instance_faults', (t) => {
    t.increments('id').primary();
    t.string('instance_uuid', 36).notNullable().references('uuid').inTable('instances').onDelete('CASCADE');
    t.integer('code').notNullable();
    t.text('message').notNullable();
    t.text('details');
    t.string('host', 255);
    t.string('created_at', 32).notNullable();
    t.index(['instance_uuid'], 'instance_faults_instance_idx');
  });

  await knex.schema.createTable('instance_actions', (t) => {
    t.increments('id').primary();
    t.string('instance_uuid', 36).notNullable().references('uuid').inTable('instances').onDelete('CASCADE');
    t.string('action', 64).notNullable();
    t.string('request_id', 64).notNullable();
    t.string('user_id', 64);
    t.string('project_id', 64);
    t.string('start_time', 32).notNullable();
    t.string('finish_time', 32);
    t.string('message', 255);
    t.string('updated_at', 32);
    t.index(['instance_uuid'], 'instance_actions_instance_idx');
  });

  await knex.schema.createTable('instance_action_events', (t) => {
    t.increments('id').primary();
    t.integer('action_id').notNullable().references('id').inTable('instance_actions').onDelete('CASCADE');
    t.string('event', 255).notNullable();
    t.string('start_time', 32).notNullable();
    t.string('finish_time', 32);
    t.string('result', 32);
    t.text('traceback');
    t.string('host', 255);
    t.text('details');
    t.index(['action_id'], 'instance_action_events_action_idx');
  });

  // Durable work for the worker. A row is claimed by compare-and-swap on (claimed_by, lease_until);
  // an expired lease (crashed process) makes it claimable again. Finished rows are deleted.
  await knex.schema.createTable('compute_tasks', (t) => {
    t.increments('id').primary();
    t.string('instance_uuid', 36).notNullable();
    t.string('kind', 64).notNullable();
    t.text('payload');
    t.string('request_id', 64);
    t.integer('attempts').notNullable().defaultTo(0);
    t.string('claimed_by', 64);
    t.string('lease_until', 32);
    t.text('last_error');
    t.string('created_at', 32).notNullable();
    t.index(['lease_until'], 'compute_tasks_lease_idx');
  });
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  await knex.schema.dropTableIfExists('compute_tasks');
  await knex.schema.dropTableIfExists('instance_action_events');
  await knex.schema.dropTableIfExists('instance_actions');
  await knex.schema.dropTableIfExists('instance_faults');
  await knex.schema.dropTableIfExists('instance_tags');
  await knex.schema.dropTableIfExists('instance_metadata');
  await knex.schema.dropTableIfExists('instances');
}
