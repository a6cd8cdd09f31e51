// @ts-check
// Nova's side of the network service: which ports a server has (Nova keeps this in its network info
// cache), in the order they were given (position 0 is the container's create-time network), whether
// the user passed the port (preserve_on_delete: kept and unbound when the server goes, not deleted)
// and the request's device tag. A port deleted through the network API leaves with its row.

/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.schema.createTable('instance_interfaces', (t) => {
    t.string('port_id', 36).primary().references('id').inTable('neutron_ports').onDelete('CASCADE');
    t.string('instance_uuid', 36).notNullable();
    t.integer('position').notNullable();
    t.boolean('preserve_on_delete').notNullable().defaultTo(false);
    t.string('tag', 60);
    t.string('created_at', 32).notNullable();
    t.index(['instance_uuid'], 'instance_interfaces_instance_idx');
  });
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  await knex.schema.dropTableIfExists('instance_interfaces');
}
