// @ts-check
// The network service (a Neutron v2.0 subset): networks, subnets with their allocation pools,
// ports with their IP allocations and security groups, security groups and rules, routers and
// their ports, floating IPs, per-project network quotas, and where each network exists as a Docker
// network. Invariants the schema itself keeps: an address is allocated once per subnet
// (neutron_ip_allocations pk), one default security group per project, no duplicate rule in a
// group (rule_key), a MAC once per network.

const ts = (/** @type {import('knex').Knex.CreateTableBuilder} */ t) => {
  t.string('created_at', 32).notNullable();
  t.string('updated_at', 32).notNullable();
  t.integer('revision_number').notNullable().defaultTo(1);
  t.text('description').notNullable().defaultTo('');
};

/** @param {import('knex').Knex} knex */
export async function up(knex) {
  await knex.schema.createTable('neutron_networks', (t) => {
    t.string('id', 36).primary();
    t.string('project_id', 64).notNullable();
    t.string('name', 255).notNullable().defaultTo('');
    t.boolean('admin_state_up').notNullable().defaultTo(true);
    t.boolean('shared').notNullable().defaultTo(false);
    t.boolean('external').notNullable().defaultTo(false);
    t.boolean('port_security_enabled').notNullable().defaultTo(true);
    t.integer('mtu').notNullable().defaultTo(1500);
    t.string('status', 16).notNullable().defaultTo('ACTIVE');
    ts(t);
    t.index(['project_id'], 'neutron_networks_project_idx');
  });
  await knex.schema.createTable('neutron_subnets', (t) => {
    t.string('id', 36).primary();
    t.string('network_id', 36).notNullable().references('id').inTable('neutron_networks').onDelete('RESTRICT');
    t.string('project_id', 64).notNullable();
    t.string('name', 255).notNullable().defaultTo('');
    t.integer('ip_version').notNullable();
    t.string('cidr', 64).notNullable();
    t.string('gateway_ip', 64);
    // the address the Docker bridge takes on the host: gateway_ip, or a reserved one when there is none
    t.string('bridge_ip', 64).notNullable();
    t.boolean('enable_dhcp').notNullable().defaultTo(true);
    t.text('dns_nameservers').notNullable().defaultTo('[]');
    t.text('host_routes').notNullable().defaultTo('[]');
    t.string('ipv6_ra_mode', 16);
    t.string('ipv6_address_mode', 16);
    ts(t);
    t.index(['network_id'], 'neutron_subnets_network_idx');
  });
  await knex.schema.createTable('neutron_allocation_pools', (t) => {
    t.string('subnet_id', 36).notNullable().references('id').inTable('neutron_subnets').onDelete('CASCADE');
    t.string('first_ip', 64).notNullable();
    t.string('last_ip', 64).notNullable();
    t.primary(['subnet_id', 'first_ip'], 'neutron_allocation_pools_pk');
  });
  await knex.schema.createTable('neutron_ports', (t) => {
    t.string('id', 36).primary();
    t.string('network_id', 36).notNullable().references('id').inTable('neutron_networks').onDelete('RESTRICT');
    t.string('project_id', 64).notNullable(); // '' for router gateway and floating IP ports, as Neutron
    t.string('name', 255).notNullable().defaultTo('');
    t.string('mac_address', 32).notNullable();
    t.boolean('admin_state_up').notNullable().defaultTo(true);
    t.string('status', 16).notNullable().defaultTo('DOWN');
    t.string('device_id', 255).notNullable().defaultTo('');
    t.string('device_owner', 255).notNullable().defaultTo('');
    t.boolean('port_security_enabled').notNullable().defaultTo(true);
    t.text('allowed_address_pairs').notNullable().defaultTo('[]');
    t.string('binding_host_id', 255).notNullable().defaultTo('');
    t.text('binding_profile').notNullable().defaultTo('{}');
    t.string('binding_vnic_type', 32).notNullable().defaultTo('normal');
    // the compute host whose engine has the port plugged (null: not plugged anywhere)
    t.integer('host_id');
    ts(t);
    t.unique(['network_id', 'mac_address'], { indexName: 'neutron_ports_network_mac_uq' });
    t.index(['device_id'], 'neutron_ports_device_idx');
    t.index(['project_id'], 'neutron_ports_project_idx');
  });
  await knex.schema.createTable('neutron_ip_allocations', (t) => {
    t.string('subnet_id', 36).notNullable().references('id').inTable('neutron_subnets').onDelete('RESTRICT');
    t.string('ip_address', 64).notNullable();
    t.string('port_id', 36).notNullable().references('id').inTable('neutron_ports').onDelete('CASCADE');
    t.string('network_id', 36).notNullable();
    t.primary(['subnet_id', 'ip_address'], 'neutron_ip_allocations_pk');
    t.index(['port_id'], 'neutron_ip_allocations_port_idx');
  });
  await knex.schema.createTable('neutron_security_groups', (t) => {
    t.string('id', 36).primary();
    t.string('project_id', 64).notNullable();
    t.string('name', 255).notNullable().defaultTo('');
    t.boolean('stateful').notNullable().defaultTo(true);
    ts(t);
    t.index(['project_id'], 'neutron_security_groups_project_idx');
  });
  await knex.schema.createTable('neutron_default_security_groups', (t) => {
    t.string('project_id', 64).primary();
    t.string('security_group_id', 36).notNullable().references('id').inTable('neutron_security_groups').onDelete('CASCADE');
  });
  await knex.schema.createTable('neutron_security_group_rules', (t) => {
    t.string('id', 36).primary();
    t.string('security_group_id', 36).notNullable().references('id').inTable('neutron_security_groups').onDelete('CASCADE');
    t.string('project_id', 64).notNullable();
    t.string('direction', 8).notNullable();
    t.string('ethertype', 8).notNullable();
    t.string('protocol', 40);
    t.integer('port_range_min');
    t.integer('port_range_max');
    t.string('remote_ip_prefix', 64);
    t.string('remote_group_id', 36).references('id').inTable('neutron_security_groups').onDelete('CASCADE');
    t.string('rule_key', 512).notNullable();
    ts(t);
    t.unique(['security_group_id', 'rule_key'], { indexName: 'neutron_sg_rules_key_uq' });
    t.index(['remote_group_id'], 'neutron_sg_rules_remote_idx');
  });
  await knex.schema.createTable('neutron_port_security_groups', (t) => {
    t.string('port_id', 36).notNullable().references('id').inTable('neutron_ports').onDelete('CASCADE');
    t.string('security_group_id', 36).notNullable().references('id').inTable('neutron_security_groups').onDelete('RESTRICT');
    t.primary(['port_id', 'security_group_id'], 'neutron_port_security_groups_pk');
    t.index(['security_group_id'], 'neutron_port_sg_group_idx');
  });
  await knex.schema.createTable('neutron_routers', (t) => {
    t.string('id', 36).primary();
    t.string('project_id', 64).notNullable();
    t.string('name', 255).notNullable().defaultTo('');
    t.boolean('admin_state_up').notNullable().defaultTo(true);
    t.string('status', 16).notNullable().defaultTo('ACTIVE');
    t.string('gw_port_id', 36).references('id').inTable('neutron_ports').onDelete('SET NULL');
    t.boolean('enable_snat').notNullable().defaultTo(true);
    t.text('routes').notNullable().defaultTo('[]');
    ts(t);
    t.index(['project_id'], 'neutron_routers_project_idx');
  });
  await knex.schema.createTable('neutron_router_ports', (t) => {
    t.string('router_id', 36).notNullable().references('id').inTable('neutron_routers').onDelete('CASCADE');
    t.string('port_id', 36).primary().references('id').inTable('neutron_ports').onDelete('CASCADE');
    t.string('port_type', 64).notNullable();
    t.index(['router_id'], 'neutron_router_ports_router_idx');
  });
  await knex.schema.createTable('neutron_floating_ips', (t) => {
    t.string('id', 36).primary();
    t.string('project_id', 64).notNullable();
    t.string('floating_network_id', 36).notNullable().references('id').inTable('neutron_networks').onDelete('RESTRICT');
    t.string('floating_ip_address', 64).notNullable();
    t.string('floating_port_id', 36).notNullable().references('id').inTable('neutron_ports').onDelete('RESTRICT');
    t.string('fixed_port_id', 36).references('id').inTable('neutron_ports').onDelete('SET NULL');
    t.string('fixed_ip_address', 64);
    t.string('router_id', 36).references('id').inTable('neutron_routers').onDelete('SET NULL');
    t.string('status', 16).notNullable().defaultTo('DOWN');
    ts(t);
    t.unique(['floating_network_id', 'fixed_port_id', 'fixed_ip_address'], { indexName: 'neutron_floating_ips_assoc_uq' });
    t.index(['project_id'], 'neutron_floating_ips_project_idx');
  });
  await knex.schema.createTable('neutron_quotas', (t) => {
    t.string('project_id', 64).notNullable();
    t.string('resource', 64).notNullable();
    t.integer('hard_limit').notNullable();
    t.primary(['project_id', 'resource'], 'neutron_quotas_pk');
  });
  // where a network exists as a Docker network (created lazily on the engine a port lands on)
  await knex.schema.createTable('neutron_docker_networks', (t) => {
    t.string('network_id', 36).notNullable().references('id').inTable('neutron_networks').onDelete('CASCADE');
    t.integer('host_id').notNullable();
    t.string('docker_name', 255).notNullable();
    t.string('docker_id', 128);
    t.primary(['network_id', 'host_id'], 'neutron_docker_networks_pk');
  });
}

/** @param {import('knex').Knex} knex */
export async function down(knex) {
  for (const table of ['neutron_docker_networks', 'neutron_quotas', 'neutron_floating_ips', 'neutron_router_ports', 'neutron_routers',
    'neutron_port_security_groups', 'neutron_security_group_rules', 'neutron_default_security_groups', 'neutron_security_groups',
    'neutron_ip_allocations', 'neutron_ports', 'neutron_allocation_pools', 'neutron_subnets', 'neutron_networks']) {
    await knex.schema.dropTableIfExists(table);
  }
}
