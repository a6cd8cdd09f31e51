// Networks and subnets: Neutron's rules for who sees and changes what, and the checks before a
// record is written. Docker is not touched here: a network becomes a Docker network only where a
// port is plugged (ports + the plug service).
import { randomUUID } from 'node:crypto';
import type { Database } from '../db/knex.js';
import type { NetworkRow, NetworksRepo, SubnetRow } from '../db/repositories/neutron-networks-repo.js';
import { planSubnet, type SubnetInput } from './subnets.js';
import type { NeutronQuotas } from './quotas.js';
import { checkProviderCreate, checkProviderUpdate } from './provider.js';
import {
  ExternalNetworkInUse,
  HTTPNotFound,
  InvalidSharedSetting,
  NetworkInUse,
  NetworkNotFound,
  PolicyNotAuthorized,
  SubnetInUse,
  SubnetNotFound,
  InvalidInput,
  GatewayIpInUse,
  HTTPBadRequest,
} from './errors.js';

export interface Caller {
  projectId: string;
  isAdmin: boolean;
}
export interface Clock {
  now(): Date;
}

/** device owners whose ports go with their network (neutron _constants.AUTO_DELETE_PORT_OWNERS) */
const AUTO_DELETE_OWNERS = new Set(['network:dhcp']);

export interface NetworkBody {
  name?: string;
  description?: string;
  admin_state_up?: boolean;
  shared?: boolean;
  'router:external'?: boolean;
  mtu?: number;
  port_security_enabled?: boolean;
  project_id?: string;
  tenant_id?: string;
  'provider:network_type'?: string;
  'provider:physical_network'?: string;
  'provider:segmentation_id'?: number;
}

export interface NetworkPools {
  4: string;
  6: string;
}

export class NetworkService {
  constructor(
    private readonly db: Database,
    private readonly repo: NetworksRepo,
    private readonly quotas: NeutronQuotas,
    private readonly pools: NetworkPools,
    private readonly clock: Clock,
  ) {}

  private now = () => this.clock.now().toISOString();

  // ---- visibility (Zed policies: admin, owner, shared; external networks are readable by all) ----------
  canSeeNetwork(c: Caller, n: NetworkRow): boolean {
    return c.isAdmin || n.project_id === c.projectId || n.shared || n.external;
  }

  async getNetwork(c: Caller, id: string): Promise<NetworkRow> {
    const n = await this.repo.network(id);
    if (!n || !this.canSeeNetwork(c, n)) throw NetworkNotFound(id);
    return n;
  }

  async listNetworks(c: Caller): Promise<NetworkRow[]> {
    return (await this.repo.networks()).filter((n) => this.canSeeNetwork(c, n));
  }

  /** The network as a write target: visible and owned (or admin). Another project's visible one: 403. */
  private async ownNetwork(c: Caller, id: string, rule: string): Promise<NetworkRow> {
    const n = await this.getNetwork(c, id);
    if (!c.isAdmin && n.project_id !== c.projectId) throw PolicyNotAuthorized(rule);
    return n;
  }

  async createNetwork(c: Caller, b: NetworkBody): Promise<NetworkRow> {
    const project = this.targetProject(c, b);
    if (!c.isAdmin) {
      if (b.shared) throw PolicyNotAuthorized('(rule:create_network and rule:create_network:shared)');
      if (b['router:external'])
        throw PolicyNotAuthorized('(rule:create_network and rule:create_network:router:external)');
    }
    checkProviderCreate(c.isAdmin, b);
    const now = this.now();
    const row: NetworkRow = {
      id: randomUUID(),
      project_id: project,
      name: b.name ?? '',
      description: b.description ?? '',
      admin_state_up: b.admin_state_up ?? true,
      shared: b.shared ?? false,
      external: b['router:external'] ?? false,
      port_security_enabled: b.port_security_enabled ?? true,
      mtu: b.mtu ?? 1500,
      status: 'ACTIVE',
      created_at: now,
      updated_at: now,
      revision_number: 1,
    };
    await this.db.transaction(async (trx) => {
      await this.quotas.check(trx, project, { network: 1 });
      await this.repo.insertNetwork(row, trx);
    });
    return row;
  }

  async updateNetwork(c: Caller, id: string, b: NetworkBody): Promise<NetworkRow> {
    const n = await this.ownNetwork(c, id, 'update_network');
    if (!c.isAdmin) {
      if (b.shared !== undefined) throw PolicyNotAuthorized('(rule:update_network and rule:update_network:shared)');
      if (b['router:external'] !== undefined)
        throw PolicyNotAuthorized('(rule:update_network and rule:update_network:router:external)');
    }
    checkProviderUpdate(c.isAdmin, b);
    await this.db.transaction(async (trx) => {
      const ports = await this.repo.ports({ network_id: [id] }, trx);
      if (
        b.shared === false &&
        n.shared &&
        ports.some((p) => p.project_id !== n.project_id && !p.device_owner.startsWith('network:'))
      ) {
        throw InvalidSharedSetting(n.name || n.id);
      }
      if (
        b['router:external'] === false &&
        n.external &&
        ports.some((p) => p.device_owner === 'network:router_gateway')
      ) {
        throw ExternalNetworkInUse(id);
      }
      const changes: Partial<NetworkRow> = {};
      if (b.name !== undefined) changes.name = b.name;
      if (b.description !== undefined) changes.description = b.description;
      if (b.admin_state_up !== undefined) changes.admin_state_up = b.admin_state_up;
      if (b.shared !== undefined) changes.shared = b.shared;
      if (b['router:external'] !== undefined) changes.external = b['router:external'];
      if (b.port_security_enabled !== undefined) changes.port_security_enabled = b.port_security_enabled;
      if (b.mtu !== undefined) changes.mtu = b.mtu;
      await this.repo.updateNetwork(id, changes, this.now(), trx);
    });
    return (await this.repo.network(id))!;
  }

  /** Deletes the record; the caller removes the Docker networks it had (returned). */
  async deleteNetwork(c: Caller, id: string): Promise<void> {
    await this.ownNetwork(c, id, 'delete_network');
    await this.db.transaction(async (trx) => {
      const ports = await this.repo.ports({ network_id: [id] }, trx);
      const blocking = ports.filter((p) => !AUTO_DELETE_OWNERS.has(p.device_owner));
      if (blocking.length)
        throw NetworkInUse(
          id,
          blocking.map((p) => p.id),
        );
      for (const p of ports) await this.repo.deletePort(p.id, trx);
      for (const s of await this.repo.subnets({ network_id: [id] }, trx)) await this.repo.deleteSubnet(s.id, trx);
      await this.repo.deleteNetwork(id, trx);
    });
  }

  // ---- subnets ---------------------------------------------------------------------------------------
  canSeeSubnet(c: Caller, s: SubnetRow, n: NetworkRow | undefined): boolean {
    return c.isAdmin || s.project_id === c.projectId || !!n?.shared;
  }

  async getSubnet(c: Caller, id: string): Promise<SubnetRow> {
    const s = await this.repo.subnet(id);
    if (!s || !this.canSeeSubnet(c, s, await this.repo.network(s.network_id))) throw SubnetNotFound(id);
    return s;
  }

  async listSubnets(c: Caller): Promise<SubnetRow[]> {
    const nets = new Map((await this.repo.networks()).map((n) => [n.id, n]));
    return (await this.repo.subnets()).filter((s) => this.canSeeSubnet(c, s, nets.get(s.network_id)));
  }

  async createSubnet(
    c: Caller,
    b: SubnetInput & { name?: string; description?: string; project_id?: string; tenant_id?: string },
    opts: { id?: string } = {},
  ): Promise<SubnetRow> {
    const project = this.targetProject(c, b);
    const n = await this.repo.network(b.network_id);
    if (!n) throw NetworkNotFound(b.network_id);
    // base._validate_network_tenant_ownership: another project's non-shared network is hidden
    if (!c.isAdmin && n.project_id !== project && !n.shared) throw HTTPNotFound();
    if (!c.isAdmin && n.project_id !== c.projectId) throw PolicyNotAuthorized('rule:create_subnet');
    const now = this.now();
    return this.db.transaction(async (trx) => {
      await this.repo.lockSubnetCreation(trx);
      await this.quotas.check(trx, project, { subnet: 1 });
      const plan = planSubnet(b, { allSubnets: await this.repo.allSubnetsBrief(trx), pools: this.pools });
      const row: SubnetRow = {
        id: opts.id ?? randomUUID(),
        network_id: n.id,
        project_id: project,
        name: b.name ?? '',
        description: b.description ?? '',
        ip_version: b.ip_version,
        cidr: plan.cidr,
        gateway_ip: plan.gateway_ip,
        bridge_ip: plan.bridge_ip,
        enable_dhcp: b.enable_dhcp ?? true,
        dns_nameservers: plan.dns_nameservers,
        host_routes: plan.host_routes,
        ipv6_ra_mode: null,
        ipv6_address_mode: null,
        allocation_pools: plan.allocation_pools,
        created_at: now,
        updated_at: now,
        revision_number: 1,
      };
      await this.repo.insertSubnet(row, trx);
      return row;
    });
  }

  /** name, description, dns_nameservers, host_routes, enable_dhcp; gateway_ip and pools only while nothing is allocated. */
  async updateSubnet(
    c: Caller,
    id: string,
    b: Partial<SubnetInput> & { name?: string; description?: string },
  ): Promise<SubnetRow> {
    const s = await this.getSubnet(c, id);
    if (!c.isAdmin && s.project_id !== c.projectId) throw PolicyNotAuthorized('update_subnet');
    await this.db.transaction(async (trx) => {
      const changes: Partial<SubnetRow> = {};
      if (b.name !== undefined) changes.name = b.name;
      if (b.description !== undefined) changes.description = b.description;
      if (b.enable_dhcp !== undefined) changes.enable_dhcp = b.enable_dhcp;
      if (
        b.gateway_ip !== undefined ||
        b.allocation_pools !== undefined ||
        b.dns_nameservers !== undefined ||
        b.host_routes !== undefined
      ) {
        if (b.gateway_ip !== undefined && b.gateway_ip !== s.gateway_ip && s.gateway_ip) {
          const owner = await this.repo.allocationOwner(s.id, s.gateway_ip, trx);
          if (owner) throw GatewayIpInUse(s.gateway_ip, owner);
        }
        const others = (await this.repo.allSubnetsBrief(trx)).filter((x) => x.id !== s.id);
        const plan = planSubnet(
          {
            network_id: s.network_id,
            ip_version: s.ip_version,
            cidr: s.cidr,
            enable_dhcp: b.enable_dhcp ?? s.enable_dhcp,
            gateway_ip: b.gateway_ip !== undefined ? b.gateway_ip : s.gateway_ip,
            allocation_pools: b.allocation_pools ?? (b.gateway_ip !== undefined ? undefined : s.allocation_pools),
            dns_nameservers: b.dns_nameservers ?? s.dns_nameservers,
            host_routes: b.host_routes ?? s.host_routes,
          },
          { allSubnets: others, pools: this.pools },
        );
        if (plan.bridge_ip !== s.bridge_ip && (await this.repo.subnetHasAllocations(s.id, trx))) {
          // Docker networks are immutable: the host bridge's address cannot move under live endpoints
          throw InvalidInput(
            `gateway_ip of subnet ${s.id} cannot change while ports have addresses on it: its Docker networks would have to be re-created`,
          );
        }
        Object.assign(changes, {
          gateway_ip: plan.gateway_ip,
          bridge_ip: plan.bridge_ip,
          allocation_pools: plan.allocation_pools,
          dns_nameservers: plan.dns_nameservers,
          host_routes: plan.host_routes,
        });
      }
      await this.repo.updateSubnet(id, changes, this.now(), trx);
    });
    return (await this.repo.subnet(id))!;
  }

  async deleteSubnet(c: Caller, id: string): Promise<void> {
    const s = await this.getSubnet(c, id);
    if (!c.isAdmin && s.project_id !== c.projectId) throw PolicyNotAuthorized('delete_subnet');
    await this.db.transaction(async (trx) => {
      if (await this.repo.subnetHasAllocations(s.id, trx)) throw SubnetInUse(s.id);
      await this.repo.deleteSubnet(s.id, trx);
    });
  }

  /** project_id/tenant_id in a body (neutron_lib/api/attributes.py populate_project_info, _validate_privileges). */
  targetProject(c: Caller, b: { project_id?: string; tenant_id?: string }): string {
    if (b.project_id !== undefined && b.tenant_id !== undefined && b.project_id !== b.tenant_id) {
      throw HTTPBadRequest("'project_id' and 'tenant_id' do not match");
    }
    const p = b.project_id ?? b.tenant_id;
    if (p !== undefined && p !== c.projectId && !c.isAdmin) {
      throw HTTPBadRequest(
        "Specifying 'project_id' or 'tenant_id' other than the authenticated project in request requires admin or advsvc privileges",
      );
    }
    return p ?? c.projectId;
  }
}
