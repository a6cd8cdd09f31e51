// Routers, their ports, floating IPs, and where networks exist as Docker networks.
import { sql } from '../sql.js';
import type { Database, Db } from '../knex.js';

const bool = (v: unknown) => v === true || v === 1 || v === '1';

export interface RouterRow {
  id: string;
  project_id: string;
  name: string;
  description: string;
  admin_state_up: boolean;
  status: string;
  gw_port_id: string | null;
  enable_snat: boolean;
  routes: { destination: string; nexthop: string }[];
  created_at: string;
  updated_at: string;
  revision_number: number;
}
export interface FloatingIpRow {
  id: string;
  project_id: string;
  floating_network_id: string;
  floating_ip_address: string;
  floating_port_id: string;
  fixed_port_id: string | null;
  fixed_ip_address: string | null;
  router_id: string | null;
  status: string;
  description: string;
  created_at: string;
  updated_at: string;
  revision_number: number;
}
export type RouterPortType = 'network:router_interface' | 'network:router_gateway';

const mapRouter = (r: Record<string, unknown>): RouterRow => ({
  ...(r as unknown as RouterRow),
  admin_state_up: bool(r.admin_state_up),
  enable_snat: bool(r.enable_snat),
  routes: typeof r.routes === 'string' ? JSON.parse(r.routes) : [],
  revision_number: Number(r.revision_number),
});
const mapFip = (r: Record<string, unknown>): FloatingIpRow => ({
  ...(r as unknown as FloatingIpRow),
  revision_number: Number(r.revision_number),
});

export class RoutersRepo {
  constructor(readonly db: Database) {}
  async router(id: string, trx: Db = this.db): Promise<RouterRow | undefined> {
    const r = await sql(trx)('neutron_routers').where({ id }).first();
    return r ? mapRouter(r) : undefined;
  }
  async routers(projectId: string | null, trx: Db = this.db): Promise<RouterRow[]> {
    const q = sql(trx)('neutron_routers').select();
    return (await (projectId === null ? q : q.where({ project_id: projectId }))).map(mapRouter);
  }
  async insert(r: RouterRow, trx: Db): Promise<void> {
    await sql(trx)('neutron_routers').insert({ ...r, routes: JSON.stringify(r.routes) });
  }
  async update(id: string, changes: Partial<RouterRow>, trx: Db, bump = true): Promise<void> {
    const { routes, ...rest } = changes;
    const row: Record<string, unknown> = { ...rest };
    if (routes) row.routes = JSON.stringify(routes);
    const q = sql(trx)('neutron_routers').where({ id }).update(row);
    await (bump ? q.increment('revision_number', 1) : q);
  }
  async delete(id: string, trx: Db): Promise<void> {
    await sql(trx)('neutron_routers').where({ id }).delete();
  }
  async addPort(routerId: string, portId: string, type: RouterPortType, trx: Db): Promise<void> {
    await sql(trx)('neutron_router_ports').insert({ router_id: routerId, port_id: portId, port_type: type });
  }
  async interfacePortIds(routerId: string, trx: Db = this.db): Promise<string[]> {
    return (
      await sql(trx)('neutron_router_ports')
        .where({ router_id: routerId, port_type: 'network:router_interface' })
        .select('port_id')
    ).map((r) => r.port_id);
  }
  /** routers with an interface on the subnet and their gateway on the network, with the interface's address */
  async routersLinking(
    subnetId: string,
    externalNetworkId: string,
    trx: Db = this.db,
  ): Promise<{ router_id: string; ip_address: string }[]> {
    return sql(trx)('neutron_router_ports as rp')
      .join('neutron_ip_allocations as ia', 'ia.port_id', 'rp.port_id')
      .join('neutron_routers as r', 'r.id', 'rp.router_id')
      .join('neutron_ports as gw', 'gw.id', 'r.gw_port_id')
      .where({
        'rp.port_type': 'network:router_interface',
        'ia.subnet_id': subnetId,
        'gw.network_id': externalNetworkId,
      })
      .select('rp.router_id', 'ia.ip_address');
  }
}

export class FloatingIpsRepo {
  constructor(readonly db: Database) {}
  async fip(id: string, trx: Db = this.db): Promise<FloatingIpRow | undefined> {
    const r = await sql(trx)('neutron_floating_ips').where({ id }).first();
    return r ? mapFip(r) : undefined;
  }
  async fips(
    where: { project_id?: string; fixed_port_id?: string; router_id?: string; floating_network_id?: string } = {},
    trx: Db = this.db,
  ): Promise<FloatingIpRow[]> {
    return (await sql(trx)('neutron_floating_ips').where(where).select()).map(mapFip);
  }
  /** The floating IPs associated with any of these ports. */
  async forPorts(portIds: string[], trx: Db = this.db): Promise<FloatingIpRow[]> {
    if (!portIds.length) return [];
    return (await sql(trx)('neutron_floating_ips').whereIn('fixed_port_id', portIds).select()).map(mapFip);
  }
  async insert(r: FloatingIpRow, trx: Db): Promise<void> {
    await sql(trx)('neutron_floating_ips').insert(r);
  }
  async update(id: string, changes: Partial<FloatingIpRow>, trx: Db = this.db, bump = false): Promise<void> {
    const q = sql(trx)('neutron_floating_ips').where({ id }).update(changes);
    await (bump ? q.increment('revision_number', 1) : q);
  }
  /** A deleted or unplugged port's floating IPs: disassociated (Neutron's disassociate_floatingips). */
  async disassociatePort(portId: string, trx: Db): Promise<void> {
    await sql(trx)('neutron_floating_ips')
      .where({ fixed_port_id: portId })
      .update({ fixed_port_id: null, fixed_ip_address: null, router_id: null, status: 'DOWN' });
  }
  async delete(id: string, trx: Db): Promise<void> {
    await sql(trx)('neutron_floating_ips').where({ id }).delete();
  }
}

export class DockerNetworksRepo {
  constructor(readonly db: Database) {}
  async record(
    networkId: string,
    hostId: number,
    dockerName: string,
    dockerId: string,
    trx: Db = this.db,
  ): Promise<void> {
    await sql(trx)('neutron_docker_networks')
      .insert({ network_id: networkId, host_id: hostId, docker_name: dockerName, docker_id: dockerId })
      .onConflict(['network_id', 'host_id'])
      .merge({ docker_id: dockerId, docker_name: dockerName });
  }
  async forNetwork(networkId: string, trx: Db = this.db): Promise<{ host_id: number; docker_name: string }[]> {
    return (await sql(trx)('neutron_docker_networks').where({ network_id: networkId })).map((r) => ({
      host_id: Number(r.host_id),
      docker_name: r.docker_name,
    }));
  }
  async forget(networkId: string, hostId?: number, trx: Db = this.db): Promise<void> {
    const q = sql(trx)('neutron_docker_networks').where({ network_id: networkId });
    await (hostId === undefined ? q.delete() : q.where({ host_id: hostId }).delete());
  }
  async forHost(hostId: number, trx: Db = this.db): Promise<{ network_id: string; docker_name: string }[]> {
    return (await sql(trx)('neutron_docker_networks').where({ host_id: hostId })).map((r) => ({
      network_id: r.network_id,
      docker_name: r.docker_name,
    }));
  }
  async all(trx: Db = this.db): Promise<{ network_id: string; host_id: number; docker_name: string }[]> {
    return (await sql(trx)('neutron_docker_networks').select()).map((r) => ({ ...r, host_id: Number(r.host_id) }));
  }
}
