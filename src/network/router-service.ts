// Routers (neutron/db/l3_db.py): a gateway port on an external network and interface ports holding
// a subnet's gateway address. No Docker object: a router is what makes a floating IP's external
// network "reachable" from a port's subnet (Neutron's association rule); see the design, F6.
import { randomUUID } from 'node:crypto';
import type { Database, Db } from '../db/knex.js';
import type { NetworksRepo, PortRow, SubnetRow } from '../db/repositories/neutron-networks-repo.js';
import type { FloatingIpsRepo, RouterRow, RoutersRepo } from '../db/repositories/neutron-l3-repo.js';
import type { NeutronQuotas } from './quotas.js';
import type { PortService } from './port-service.js';
import type { Caller, Clock } from './network-service.js';
import { cidrContains, parseCidr, parseIp } from './ip.js';
import {
  BadRequest,
  NetworkNotFound,
  PolicyNotAuthorized,
  PortInUse,
  PortNotFound,
  RouterExternalGatewayInUseByFloatingIp,
  RouterInUse,
  RouterInterfaceInUseByFloatingIP,
  RouterInterfaceNotFound,
  RouterInterfaceNotFoundForSubnet,
  RouterNotFound,
  SubnetMismatchForPort,
  SubnetNotFound,
  HTTPBadRequest,
} from './errors.js';

export type { RouterRow };
export interface GatewayInfo {
  network_id: string;
  enable_snat?: boolean;
  external_fixed_ips?: { subnet_id?: string; ip_address?: string }[];
}
export interface RouterView extends RouterRow {
  gateway: { network_id: string; enable_snat: boolean; external_fixed_ips: PortRow['fixed_ips'] } | null;
}

export class RouterService {
  constructor(
    private readonly db: Database,
    private readonly repo: NetworksRepo,
    private readonly l3: RoutersRepo,
    private readonly fipsRepo: FloatingIpsRepo,
    private readonly ports: PortService,
    private readonly quotas: NeutronQuotas,
    private readonly clock: Clock,
  ) {}

  private now = () => this.clock.now().toISOString();

  private row(id: string, trx: Db = this.db): Promise<RouterRow | undefined> {
    return this.l3.router(id, trx);
  }

  private async view(r: RouterRow, trx: Db = this.db): Promise<RouterView> {
    const gw = r.gw_port_id ? await this.repo.port(r.gw_port_id, trx) : undefined;
    return {
      ...r,
      gateway: gw ? { network_id: gw.network_id, enable_snat: r.enable_snat, external_fixed_ips: gw.fixed_ips } : null,
    };
  }

  async get(c: Caller, id: string): Promise<RouterView> {
    const r = await this.row(id);
    if (!r || !(c.isAdmin || r.project_id === c.projectId)) throw RouterNotFound(id);
    return this.view(r);
  }

  async list(c: Caller): Promise<RouterView[]> {
    return Promise.all((await this.l3.routers(c.isAdmin ? null : c.projectId)).map((r) => this.view(r)));
  }

  private checkGatewayPolicy(c: Caller, info: GatewayInfo | null | undefined, action: 'create' | 'update') {
    if (!info || c.isAdmin) return;
    if (info.enable_snat !== undefined)
      throw PolicyNotAuthorized(`(rule:${action}_router and rule:${action}_router:external_gateway_info:enable_snat)`);
    if (info.external_fixed_ips !== undefined)
      throw PolicyNotAuthorized(
        `(rule:${action}_router and rule:${action}_router:external_gateway_info:external_fixed_ips)`,
      );
  }

  /** l3_db._create_gw_port: a port on the external network owned by no project, device_owner network:router_gateway. */
  private async createGateway(c: Caller, routerId: string, info: GatewayInfo, trx: Db): Promise<PortRow> {
    const n = await this.repo.network(info.network_id, trx);
    if (!n) throw NetworkNotFound(info.network_id);
    if (!n.external) throw BadRequest('router', `Network ${n.id} is not an external network`);
    const subnets = await this.repo.subnets({ network_id: [n.id] }, trx);
    const fixedIps = await this.ports.allocate(n, subnets, info.external_fixed_ips, 'network:router_gateway', trx);
    const now = this.now();
    const port: PortRow = {
      id: randomUUID(),
      network_id: n.id,
      project_id: '',
      name: '',
      description: '',
      mac_address: `fa:16:3e:${randomUUID()
        .slice(0, 8)
        .replace(/(..)(..)(..).*/, '$1:$2:$3')}`,
      admin_state_up: true,
      status: 'ACTIVE',
      device_id: routerId,
      device_owner: 'network:router_gateway',
      port_security_enabled: false,
      allowed_address_pairs: [],
      binding_host_id: '',
      binding_profile: {},
      binding_vnic_type: 'normal',
      host_id: null,
      created_at: now,
      updated_at: now,
      revision_number: 1,
      fixed_ips: fixedIps,
      security_groups: [],
    };
    const { fixed_ips: _f, security_groups: _s, ...row } = port;
    await this.repo.insertPort(row, fixedIps, [], trx);
    await this.l3.addPort(routerId, port.id, 'network:router_gateway', trx);
    return port;
  }

  async create(
    c: Caller,
    b: { name?: string; description?: string; admin_state_up?: boolean; external_gateway_info?: GatewayInfo | null },
    project: string,
    opts: { id?: string } = {},
  ): Promise<RouterView> {
    // an empty external_gateway_info is no gateway (l3_db._validate_gw_info takes the network_id only)
    const gateway =
      b.external_gateway_info && Object.keys(b.external_gateway_info).length ? b.external_gateway_info : null;
    this.checkGatewayPolicy(c, gateway, 'create');
    return this.db.transaction(async (trx) => {
      await this.quotas.check(trx, project, { router: 1 });
      const now = this.now();
      const r: RouterRow = {
        id: opts.id ?? randomUUID(),
        project_id: project,
        name: b.name ?? '',
        description: b.description ?? '',
        admin_state_up: b.admin_state_up ?? true,
        status: 'ACTIVE',
        gw_port_id: null,
        enable_snat: gateway?.enable_snat ?? true,
        routes: [],
        created_at: now,
        updated_at: now,
        revision_number: 1,
      };
      await this.l3.insert(r, trx);
      if (gateway) {
        const gw = await this.createGateway(c, r.id, gateway, trx);
        await this.l3.update(r.id, { gw_port_id: gw.id }, trx, false);
        r.gw_port_id = gw.id;
      }
      return this.view(r, trx);
    });
  }

  async update(
    c: Caller,
    id: string,
    b: { name?: string; description?: string; admin_state_up?: boolean; external_gateway_info?: GatewayInfo | null },
  ): Promise<RouterView> {
    const cur = await this.get(c, id);
    this.checkGatewayPolicy(c, b.external_gateway_info, 'update');
    await this.db.transaction(async (trx) => {
      const changes: Partial<RouterRow> = { updated_at: this.now() };
      for (const k of ['name', 'description', 'admin_state_up'] as const)
        if (b[k] !== undefined) (changes as Record<string, unknown>)[k] = b[k];
      if (b.external_gateway_info !== undefined) {
        const next =
          b.external_gateway_info && Object.keys(b.external_gateway_info).length ? b.external_gateway_info : null;
        const sameNet =
          next && cur.gateway && next.network_id === cur.gateway.network_id && next.external_fixed_ips === undefined;
        if (!sameNet && cur.gw_port_id) {
          if ((await this.fipsRepo.fips({ router_id: id }, trx)).length)
            throw RouterExternalGatewayInUseByFloatingIp(id, cur.gateway!.network_id);
          await this.repo.deletePort(cur.gw_port_id, trx);
          changes.gw_port_id = null;
        }
        if (next && !sameNet) changes.gw_port_id = (await this.createGateway(c, id, next, trx)).id;
        if (next?.enable_snat !== undefined) changes.enable_snat = next.enable_snat;
      }
      await this.l3.update(id, changes, trx);
    });
    return this.get(c, id);
  }

  async delete(c: Caller, id: string): Promise<void> {
    const r = await this.get(c, id);
    await this.db.transaction(async (trx) => {
      const attached = await this.l3.interfacePortIds(id, trx);
      if (attached.length) throw RouterInUse(id, `has ports still attached: ${attached.join(', ')}`);
      if (r.gw_port_id) await this.repo.deletePort(r.gw_port_id, trx);
      await this.l3.delete(id, trx);
    });
  }

  private async interfacePorts(routerId: string, trx: Db): Promise<PortRow[]> {
    const ids = await this.l3.interfacePortIds(routerId, trx);
    return ids.length ? this.repo.ports({ id: ids }, trx) : [];
  }

  private static interfaceInfo(b: { subnet_id?: string; port_id?: string } | null | undefined, removal: boolean) {
    const info = b ?? {};
    if (!info.subnet_id && !info.port_id) throw BadRequest('router', 'Either subnet_id or port_id must be specified');
    if (!removal && info.subnet_id && info.port_id)
      throw BadRequest('router', 'Cannot specify both subnet-id and port-id');
    return info;
  }

  private async checkDupSubnets(routerId: string, subnets: SubnetRow[], trx: Db) {
    for (const p of await this.interfacePorts(routerId, trx)) {
      for (const f of p.fixed_ips) {
        if (subnets.some((s) => s.id === f.subnet_id))
          throw BadRequest('router', `Router already has a port on subnet ${f.subnet_id}`);
      }
    }
  }

  async addInterface(c: Caller, id: string, body: { subnet_id?: string; port_id?: string }) {
    const r = await this.get(c, id);
    const info = RouterService.interfaceInfo(body, false);
    return this.db.transaction(async (trx) => {
      let port: PortRow;
      let subnets: SubnetRow[];
      if (info.port_id) {
        const p = await this.repo.port(info.port_id, trx);
        if (!p || !(c.isAdmin || p.project_id === c.projectId)) throw PortNotFound(info.port_id);
        if (p.device_id !== '' && p.device_id !== id) throw PortInUse(p.id, p.network_id, p.device_id);
        if (!p.fixed_ips.length) throw BadRequest('router', 'Router port must have at least one fixed IP');
        subnets = await this.repo.subnets({ id: p.fixed_ips.map((f) => f.subnet_id) }, trx);
        await this.checkDupSubnets(id, subnets, trx);
        if (subnets.filter((s) => s.ip_version === 4).length > 1)
          throw BadRequest('router', 'Cannot have multiple IPv4 subnets on router port');
        await this.repo.updatePort(
          p.id,
          { device_id: id, device_owner: 'network:router_interface', security_groups: [] },
          this.now(),
          trx,
        );
        port = (await this.repo.port(p.id, trx))!;
      } else {
        const s = await this.repo.subnet(info.subnet_id!, trx);
        const n = s && (await this.repo.network(s.network_id, trx));
        if (!s || !n || !(c.isAdmin || s.project_id === c.projectId || n.shared)) throw SubnetNotFound(info.subnet_id!);
        if (!s.gateway_ip) throw BadRequest('router', 'Subnet for router interface must have a gateway IP');
        if (!c.isAdmin && s.project_id !== c.projectId) {
          throw BadRequest(
            'router',
            `Cannot add interface to router because subnet ${s.id} is not owned by project making the request`,
          );
        }
        subnets = [s];
        await this.checkDupSubnets(id, subnets, trx);
        port = await this.ports.create(
          { projectId: r.project_id, isAdmin: true },
          {
            network_id: n.id,
            fixed_ips: [{ subnet_id: s.id, ip_address: s.gateway_ip }],
            device_id: id,
            device_owner: 'network:router_interface',
          },
          { project: r.project_id, trusted: true, trx },
        );
      }
      await this.l3.addPort(id, port.id, 'network:router_interface', trx);
      return {
        id,
        tenant_id: r.project_id,
        project_id: r.project_id,
        port_id: port.id,
        network_id: port.network_id,
        subnet_id: subnets[0]?.id,
        subnet_ids: subnets.map((s) => s.id),
        tags: [] as string[],
      };
    });
  }

  async removeInterface(c: Caller, id: string, body: { subnet_id?: string; port_id?: string }) {
    const r = await this.get(c, id);
    const info = RouterService.interfaceInfo(body, true);
    return this.db.transaction(async (trx) => {
      const ifaces = await this.interfacePorts(id, trx);
      let port: PortRow | undefined;
      if (info.port_id) {
        port = ifaces.find((p) => p.id === info.port_id);
        if (!port) throw RouterInterfaceNotFound(id, info.port_id);
        if (info.subnet_id && !port.fixed_ips.some((f) => f.subnet_id === info.subnet_id))
          throw SubnetMismatchForPort(port.id, info.subnet_id);
      } else {
        const s = await this.repo.subnet(info.subnet_id!, trx);
        if (!s) throw SubnetNotFound(info.subnet_id!);
        port = ifaces.find((p) => p.fixed_ips.some((f) => f.subnet_id === s.id));
        if (!port) throw RouterInterfaceNotFoundForSubnet(id, s.id);
      }
      const subnets = await this.repo.subnets({ id: port.fixed_ips.map((f) => f.subnet_id) }, trx);
      for (const s of subnets) await this.assertNoFloatingIpNeeds(id, s, trx);
      await this.repo.deletePort(port.id, trx);
      return {
        id,
        tenant_id: r.project_id,
        project_id: r.project_id,
        port_id: port.id,
        network_id: port.network_id,
        subnet_id: subnets[0]?.id,
        subnet_ids: subnets.map((s) => s.id),
        tags: [] as string[],
      };
    });
  }

  /** l3_db._check_router_interface_not_in_use: floating IPs routed through this router from that subnet. */
  private async assertNoFloatingIpNeeds(routerId: string, s: SubnetRow, trx: Db) {
    const cidr = parseCidr(s.cidr)!;
    const fips = await this.fipsRepo.fips({ router_id: routerId }, trx);
    if (fips.some((f) => f.fixed_ip_address && cidrContains(cidr, parseIp(f.fixed_ip_address)!)))
      throw RouterInterfaceInUseByFloatingIP(routerId, s.id);
  }

  /** l3_db.get_router_for_floatingip: a router with an interface on the subnet and its gateway on the external network. */
  async routerFor(
    port: PortRow,
    subnet: SubnetRow,
    externalNetworkId: string,
    trx: Db = this.db,
  ): Promise<string | null> {
    const rows = await this.l3.routersLinking(subnet.id, externalNetworkId, trx);
    const exact = rows.find((x) => x.ip_address === subnet.gateway_ip);
    return exact?.router_id ?? rows[0]?.router_id ?? null;
  }
}

export const badBody = (resource: string) => HTTPBadRequest(`Unable to find '${resource}' in request body`);
