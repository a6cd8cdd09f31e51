// Rows of the network service's tables and the queries on them. Every method takes an optional
// transaction; mappers turn SQLite's 0/1 and JSON text into booleans and values.
import type { Knex } from 'knex';
import { sql } from '../sql.js';
import { isSqlite, type Database, type Db } from '../knex.js';

const bool = (v: unknown) => v === true || v === 1 || v === '1';
const json = <T>(v: unknown, dflt: T): T => (typeof v === 'string' ? (JSON.parse(v) as T) : ((v as T) ?? dflt));

export interface NetworkRow {
  id: string;
  project_id: string;
  name: string;
  description: string;
  admin_state_up: boolean;
  shared: boolean;
  external: boolean;
  port_security_enabled: boolean;
  mtu: number;
  status: string;
  created_at: string;
  updated_at: string;
  revision_number: number;
}
export interface SubnetRow {
  id: string;
  network_id: string;
  project_id: string;
  name: string;
  description: string;
  ip_version: 4 | 6;
  cidr: string;
  gateway_ip: string | null;
  bridge_ip: string;
  enable_dhcp: boolean;
  dns_nameservers: string[];
  host_routes: { destination: string; nexthop: string }[];
  ipv6_ra_mode: string | null;
  ipv6_address_mode: string | null;
  allocation_pools: { start: string; end: string }[];
  created_at: string;
  updated_at: string;
  revision_number: number;
}
export interface PortRow {
  id: string;
  network_id: string;
  project_id: string;
  name: string;
  description: string;
  mac_address: string;
  admin_state_up: boolean;
  status: string;
  device_id: string;
  device_owner: string;
  port_security_enabled: boolean;
  allowed_address_pairs: { ip_address: string; mac_address: string }[];
  binding_host_id: string;
  binding_profile: Record<string, unknown>;
  binding_vnic_type: string;
  host_id: number | null;
  created_at: string;
  updated_at: string;
  revision_number: number;
  fixed_ips: { subnet_id: string; ip_address: string }[];
  security_groups: string[];
}

const mapNetwork = (r: Record<string, unknown>): NetworkRow => ({
  ...(r as unknown as NetworkRow),
  admin_state_up: bool(r.admin_state_up),
  shared: bool(r.shared),
  external: bool(r.external),
  port_security_enabled: bool(r.port_security_enabled),
  mtu: Number(r.mtu),
  revision_number: Number(r.revision_number),
});

export class NetworksRepo {
  constructor(readonly db: Database) {}

  // ---- networks
  async insertNetwork(row: NetworkRow, trx: Db = this.db): Promise<void> {
    await sql(trx)('neutron_networks').insert(row);
  }
  async network(id: string, trx: Db = this.db): Promise<NetworkRow | undefined> {
    const r = await sql(trx)('neutron_networks').where({ id }).first();
    return r ? mapNetwork(r) : undefined;
  }
  async networks(trx: Db = this.db): Promise<NetworkRow[]> {
    return (await sql(trx)('neutron_networks').select()).map(mapNetwork);
  }
  async updateNetwork(id: string, changes: Partial<NetworkRow>, now: string, trx: Db = this.db): Promise<void> {
    await sql(trx)('neutron_networks')
      .where({ id })
      .update({ ...changes, updated_at: now })
      .increment('revision_number', 1);
  }
  async deleteNetwork(id: string, trx: Db = this.db): Promise<void> {
    await sql(trx)('neutron_docker_networks').where({ network_id: id }).delete();
    await sql(trx)('neutron_networks').where({ id }).delete();
  }
  async countNetworks(projectId: string, trx: Db): Promise<number> {
    return count(sql(trx)('neutron_networks').where({ project_id: projectId }));
  }

  // ---- subnets
  async insertSubnet(row: SubnetRow, trx: Db = this.db): Promise<void> {
    const { allocation_pools: pools, dns_nameservers, host_routes, ...rest } = row;
    await sql(trx)('neutron_subnets').insert({
      ...rest,
      dns_nameservers: JSON.stringify(dns_nameservers),
      host_routes: JSON.stringify(host_routes),
    });
    if (pools.length)
      await sql(trx)('neutron_allocation_pools').insert(
        pools.map((p) => ({ subnet_id: row.id, first_ip: p.start, last_ip: p.end })),
      );
  }
  async subnets(where: { id?: string[]; network_id?: string[] } = {}, trx: Db = this.db): Promise<SubnetRow[]> {
    let q = sql(trx)('neutron_subnets').select();
    if (where.id) q = q.whereIn('id', where.id);
    if (where.network_id) q = q.whereIn('network_id', where.network_id);
    const rows = await q;
    if (!rows.length) return [];
    const pools = await sql(trx)('neutron_allocation_pools')
      .whereIn(
        'subnet_id',
        rows.map((r) => r.id),
      )
      .orderBy('first_ip');
    return rows.map((r) => ({
      ...(r as SubnetRow),
      ip_version: Number(r.ip_version) as 4 | 6,
      enable_dhcp: bool(r.enable_dhcp),
      revision_number: Number(r.revision_number),
      dns_nameservers: json(r.dns_nameservers, []),
      host_routes: json(r.host_routes, []),
      allocation_pools: pools.filter((p) => p.subnet_id === r.id).map((p) => ({ start: p.first_ip, end: p.last_ip })),
    }));
  }
  async subnet(id: string, trx: Db = this.db): Promise<SubnetRow | undefined> {
    return (await this.subnets({ id: [id] }, trx))[0];
  }
  async allSubnetsBrief(trx: Db): Promise<{ id: string; network_id: string; cidr: string; ip_version: 4 | 6 }[]> {
    const rows = await sql(trx)('neutron_subnets').select('id', 'network_id', 'cidr', 'ip_version');
    return rows.map((r) => ({ ...r, ip_version: Number(r.ip_version) as 4 | 6 }));
  }
  async updateSubnet(id: string, changes: Partial<SubnetRow>, now: string, trx: Db = this.db): Promise<void> {
    const { allocation_pools: pools, dns_nameservers, host_routes, ...rest } = changes;
    const row: Record<string, unknown> = { ...rest, updated_at: now };
    if (dns_nameservers) row.dns_nameservers = JSON.stringify(dns_nameservers);
    if (host_routes) row.host_routes = JSON.stringify(host_routes);
    await sql(trx)('neutron_subnets').where({ id }).update(row).increment('revision_number', 1);
    if (pools) {
      await sql(trx)('neutron_allocation_pools').where({ subnet_id: id }).delete();
      if (pools.length)
        await sql(trx)('neutron_allocation_pools').insert(
          pools.map((p) => ({ subnet_id: id, first_ip: p.start, last_ip: p.end })),
        );
    }
  }
  async deleteSubnet(id: string, trx: Db = this.db): Promise<void> {
    await sql(trx)('neutron_subnets').where({ id }).delete();
  }
  async countSubnets(projectId: string, trx: Db): Promise<number> {
    return count(sql(trx)('neutron_subnets').where({ project_id: projectId }));
  }
  /** PostgreSQL: serialise allocations on these subnets until the transaction ends (SQLite: one writer). */
  async lockSubnets(ids: string[], trx: Db): Promise<void> {
    if (ids.length && !isSqlite(trx)) await sql(trx)('neutron_subnets').whereIn('id', ids).forUpdate().select('id');
  }
  /** PostgreSQL: one subnet create at a time deployment-wide (the overlap check reads every subnet). */
  async lockSubnetCreation(trx: Db): Promise<void> {
    if (!isSqlite(trx)) await sql(trx).raw('select pg_advisory_xact_lock(?)', [7_261_207]);
  }

  // ---- allocations
  async allocations(subnetId: string, trx: Db): Promise<Set<string>> {
    return new Set(
      (await sql(trx)('neutron_ip_allocations').where({ subnet_id: subnetId }).select('ip_address')).map(
        (r) => r.ip_address,
      ),
    );
  }
  async allocationOwner(subnetId: string, ip: string, trx: Db): Promise<string | undefined> {
    return (await sql(trx)('neutron_ip_allocations').where({ subnet_id: subnetId, ip_address: ip }).first())?.port_id;
  }
  async subnetHasAllocations(subnetId: string, trx: Db): Promise<boolean> {
    return !!(await sql(trx)('neutron_ip_allocations').where({ subnet_id: subnetId }).first());
  }

  // ---- ports
  async insertPort(
    row: Omit<PortRow, 'fixed_ips' | 'security_groups'>,
    fixedIps: PortRow['fixed_ips'],
    sgIds: string[],
    trx: Db,
  ): Promise<void> {
    await sql(trx)('neutron_ports').insert({
      ...row,
      allowed_address_pairs: JSON.stringify(row.allowed_address_pairs),
      binding_profile: JSON.stringify(row.binding_profile),
    });
    if (fixedIps.length)
      await sql(trx)('neutron_ip_allocations').insert(
        fixedIps.map((f) => ({ ...f, port_id: row.id, network_id: row.network_id })),
      );
    if (sgIds.length)
      await sql(trx)('neutron_port_security_groups').insert(
        sgIds.map((g) => ({ port_id: row.id, security_group_id: g })),
      );
  }
  async ports(
    where: { id?: string[]; network_id?: string[]; device_id?: string[]; host_id?: number[] } = {},
    trx: Db = this.db,
  ): Promise<PortRow[]> {
    let q = sql(trx)('neutron_ports').select();
    if (where.host_id) q = q.whereIn('host_id', where.host_id);
    if (where.id) q = q.whereIn('id', where.id);
    if (where.network_id) q = q.whereIn('network_id', where.network_id);
    if (where.device_id) q = q.whereIn('device_id', where.device_id);
    const rows = await q;
    if (!rows.length) return [];
    const ids = rows.map((r) => r.id);
    const ips = await sql(trx)('neutron_ip_allocations')
      .whereIn('port_id', ids)
      .select('port_id', 'subnet_id', 'ip_address');
    const sgs = await sql(trx)('neutron_port_security_groups')
      .whereIn('port_id', ids)
      .select('port_id', 'security_group_id');
    return rows.map((r) => ({
      ...(r as PortRow),
      admin_state_up: bool(r.admin_state_up),
      port_security_enabled: bool(r.port_security_enabled),
      revision_number: Number(r.revision_number),
      host_id: r.host_id === null ? null : Number(r.host_id),
      allowed_address_pairs: json(r.allowed_address_pairs, []),
      binding_profile: json(r.binding_profile, {}),
      fixed_ips: ips
        .filter((i) => i.port_id === r.id)
        .map((i) => ({ subnet_id: i.subnet_id, ip_address: i.ip_address })),
      security_groups: sgs.filter((s) => s.port_id === r.id).map((s) => s.security_group_id),
    }));
  }
  async port(id: string, trx: Db = this.db): Promise<PortRow | undefined> {
    return (await this.ports({ id: [id] }, trx))[0];
  }
  async updatePort(id: string, changes: Partial<PortRow>, now: string, trx: Db): Promise<void> {
    const {
      fixed_ips: fixedIps,
      security_groups: sgs,
      allowed_address_pairs: pairs,
      binding_profile: profile,
      ...rest
    } = changes;
    const row: Record<string, unknown> = { ...rest, updated_at: now };
    if (pairs) row.allowed_address_pairs = JSON.stringify(pairs);
    if (profile) row.binding_profile = JSON.stringify(profile);
    await sql(trx)('neutron_ports').where({ id }).update(row).increment('revision_number', 1);
    if (fixedIps) {
      const port = await sql(trx)('neutron_ports').where({ id }).first('network_id');
      await sql(trx)('neutron_ip_allocations').where({ port_id: id }).delete();
      if (fixedIps.length)
        await sql(trx)('neutron_ip_allocations').insert(
          fixedIps.map((f) => ({ ...f, port_id: id, network_id: port.network_id })),
        );
    }
    if (sgs) {
      await sql(trx)('neutron_port_security_groups').where({ port_id: id }).delete();
      if (sgs.length)
        await sql(trx)('neutron_port_security_groups').insert(sgs.map((g) => ({ port_id: id, security_group_id: g })));
    }
  }
  async deletePort(id: string, trx: Db): Promise<void> {
    await sql(trx)('neutron_ports').where({ id }).delete();
  }
  async countPorts(projectId: string, trx: Db): Promise<number> {
    return count(sql(trx)('neutron_ports').where({ project_id: projectId }));
  }
  async macInUse(networkId: string, mac: string, trx: Db): Promise<boolean> {
    return !!(await sql(trx)('neutron_ports').where({ network_id: networkId, mac_address: mac }).first('id'));
  }
}

async function count(q: Knex.QueryBuilder): Promise<number> {
  const r = await q.count({ n: '*' }).first();
  return Number((r as { n: number | string }).n);
}
