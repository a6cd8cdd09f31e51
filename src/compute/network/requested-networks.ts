// A server create's `networks` and `security_groups`, checked at API time as Nova does before any
// server row exists (api servers.py _get_requested_networks, compute/api.py _check_requested_networks
// and _check_requested_secgroups, network/neutron.py validate_networks / _ports_needed_per_instance),
// against the network service's records. The result is what the build allocates.
import { BadRequest } from '../../errors.js';
import type { NetworkRow, NetworksRepo } from '../../db/repositories/neutron-networks-repo.js';
import type { SecurityGroupsRepo } from '../../db/repositories/neutron-security-groups-repo.js';
import type { NeutronQuotas } from '../../network/quotas.js';
import type { SecurityGroupService } from '../../network/sg-service.js';
import {
  ExternalNetworkAttachForbidden,
  FixedIpAlreadyInUse,
  NetworkAmbiguous,
  NetworkNotFound,
  NetworkRequiresIpv4Subnet,
  NetworkRequiresSubnet,
  NoUniqueMatch,
  PortInUse,
  PortLimitExceeded,
  PortNotFound,
  PortRequiresFixedIP,
  UnableToAutoAllocateNetwork,
} from './errors.js';

/** One interface the build makes: a port the user passed, or a new port on a network (maybe with an address). */
export interface NetworkRequest {
  networkId: string;
  portId?: string;
  fixedIp?: string;
  tag?: string;
}

/** What create-server hands the build: the resolved interfaces, and the security groups of the ports Nova creates. */
export interface ResolvedNetworks {
  requests: NetworkRequest[];
  /** security group ids for the ports Nova creates; undefined: the project's default */
  securityGroupIds?: string[];
  /** how many servers the project's port quota allows (of max_count) */
  maxCount: number;
}

export type NetworksInput =
  'auto' | 'none' | { uuid?: string; port?: string | null; fixed_ip?: string; tag?: string }[] | undefined;

type Item = { networkId?: string; portId?: string; fixedIp?: string; tag?: string };
export type ParsedNetworks = { kind: 'auto' | 'none' | 'unspecified' } | { kind: 'list'; items: Item[] };

export interface RequestedNetworkDeps {
  repo: NetworksRepo;
  sgRepo: SecurityGroupsRepo;
  sgs: SecurityGroupService;
  quotas: NeutronQuotas;
}

interface Caller {
  projectId: string;
  isAdmin: boolean;
}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** servers.py _get_requested_networks: the list's own rules (400s before anything is looked up). */
export function parseNetworks(networks: NetworksInput): ParsedNetworks {
  if (networks === 'auto' || networks === 'none') return { kind: networks };
  if (networks === undefined || networks.length === 0) return { kind: 'unspecified' };
  const items: Item[] = [];
  const ports = new Set<string>();
  for (const n of networks) {
    if (n.port) {
      if (ports.has(n.port))
        throw new BadRequest(`Port ID '${n.port}' was specified twice: you cannot attach a port multiple times.`);
      if (n.fixed_ip !== undefined && n.fixed_ip !== null) {
        throw new BadRequest(
          `Specified Fixed IP '${n.fixed_ip}' cannot be used with port '${n.port}': the two cannot be specified together.`,
        );
      }
      ports.add(n.port);
      items.push({ portId: n.port, tag: n.tag });
    } else {
      if (n.uuid === undefined) throw new BadRequest("Bad network format: missing 'uuid'");
      if (!UUID.test(n.uuid))
        throw new BadRequest(`Bad networks format: network uuid is not in proper format (${n.uuid})`);
      items.push({ networkId: n.uuid, fixedIp: n.fixed_ip ?? undefined, tag: n.tag });
    }
  }
  return { kind: 'list', items };
}

/** compute/api.py create: several servers cannot share a port or a fixed address. */
export function checkMultipleInstances(parsed: ParsedNetworks, maxCount: number): void {
  if (parsed.kind !== 'list' || maxCount <= 1) return;
  const { items } = parsed;
  if (items.some((i) => i.networkId && i.fixedIp))
    throw new BadRequest('Failed to launch instances: max_count cannot be greater than 1 if an fixed_ip is specified.');
  if (items.some((i) => i.portId)) {
    throw new BadRequest(
      'Failed to launch instances: Unable to launch multiple instances with a single configured port ID. Please launch your instance one by one with different ports.',
    );
  }
}

export class RequestedNetworks {
  constructor(private readonly d: RequestedNetworkDeps) {}

  /**
   * validate_networks: ports (PortNotFound, PortInUse, PortRequiresFixedIP), addresses taken
   * (FixedIpAlreadyInUse), networks (NetworkRequiresSubnet, NetworkNotFound, external ones for
   * admins only), `auto` (the project's own network when it has exactly one, else the shared one),
   * then the port quota, which may lower max_count.
   */
  async validate(c: Caller, parsed: ParsedNetworks, maxCount: number, groups?: string[]): Promise<ResolvedNetworks> {
    const securityGroupIds = groups ? await this.securityGroups(c, groups) : undefined;
    if (parsed.kind === 'none') return { requests: [], securityGroupIds, maxCount };
    let requests: NetworkRequest[];
    let perInstance: number;
    if (parsed.kind !== 'list') {
      const net = await this.autoNetwork(c);
      if (!net && parsed.kind === 'auto') throw UnableToAutoAllocateNetwork(c.projectId);
      if (net) await this.assertSubnets([net.id]);
      requests = net ? [{ networkId: net.id }] : [];
      perInstance = requests.length;
    } else {
      ({ requests, perInstance } = await this.explicit(c, parsed.items));
    }
    return { requests, securityGroupIds, maxCount: await this.portQuota(c.projectId, perInstance, maxCount) };
  }

  private async explicit(c: Caller, items: Item[]): Promise<{ requests: NetworkRequest[]; perInstance: number }> {
    const requests: NetworkRequest[] = [];
    const wanted: string[] = [];
    const all = new Map((await this.d.repo.networks()).map((n) => [n.id, n]));
    for (const i of items) {
      if (i.portId) {
        const port = await this.d.repo.port(i.portId);
        const net = port && all.get(port.network_id);
        if (!port || !(c.isAdmin || port.project_id === c.projectId || net?.project_id === c.projectId))
          throw PortNotFound(i.portId);
        if (port.device_id) throw PortInUse(i.portId);
        if (!port.fixed_ips.length) throw PortRequiresFixedIP(i.portId);
        requests.push({ networkId: port.network_id, portId: port.id, ...(i.tag ? { tag: i.tag } : {}) });
        continue;
      }
      const networkId = i.networkId!.toLowerCase();
      wanted.push(networkId);
      if (i.fixedIp) {
        const holder = (await this.d.repo.ports({ network_id: [networkId] })).find((p) =>
          p.fixed_ips.some((f) => f.ip_address === i.fixedIp),
        );
        if (holder) throw FixedIpAlreadyInUse(i.fixedIp, holder.device_id);
      }
      requests.push({ networkId, ...(i.fixedIp ? { fixedIp: i.fixedIp } : {}), ...(i.tag ? { tag: i.tag } : {}) });
    }
    const found = [...new Set(wanted)].map((id) => all.get(id)).filter((n): n is NetworkRow => !!n && visible(c, n));
    await this.assertSubnets([...found.map((n) => n.id), ...requests.flatMap((r) => (r.portId ? [r.networkId] : []))]);
    const lost = [...new Set(wanted)].filter((id) => !found.some((n) => n.id === id));
    if (lost.length) throw NetworkNotFound(lost.join(', '));
    for (const n of found) if (n.external && !n.shared && !c.isAdmin) throw ExternalNetworkAttachForbidden(n.id);
    // Docker: one endpoint per container and network (docs/network.md); Nova would allow it
    const seen = new Set<string>();
    for (const r of requests) {
      if (seen.has(r.networkId))
        throw new BadRequest(
          `Network ${r.networkId} is requested more than once: a container has one interface per network.`,
        );
      seen.add(r.networkId);
    }
    return { requests, perInstance: wanted.length };
  }

  /** `auto` (and no networks given): the project's own network if it has one, else the shared one; more is ambiguous. */
  /** Nova's NetworkRequiresSubnet, then Docker's need of an IPv4 subnet on every network a server joins. */
  async assertSubnets(networkIds: string[]): Promise<void> {
    if (!networkIds.length) return;
    const subnets = await this.d.repo.subnets({ network_id: [...new Set(networkIds)] });
    for (const id of networkIds) {
      const own = subnets.filter((s) => s.network_id === id);
      if (!own.length) throw NetworkRequiresSubnet(id);
      if (!own.some((s) => s.ip_version === 4)) throw NetworkRequiresIpv4Subnet(id);
    }
  }

  async autoNetwork(c: Caller): Promise<NetworkRow | undefined> {
    const nets = await this.d.repo.networks();
    const own = nets.filter((n) => n.project_id === c.projectId && !n.shared && !n.external);
    const pool = own.length ? own : nets.filter((n) => n.shared);
    if (pool.length > 1) throw NetworkAmbiguous();
    return pool[0];
  }

  /** validate_networks' quota part: how many servers fit the free ports; the project already over: 403. */
  private async portQuota(projectId: string, perInstance: number, maxCount: number): Promise<number> {
    if (!perInstance) return maxCount;
    const limit = (await this.d.quotas.limits(projectId)).port;
    if (limit < 0) return maxCount;
    const used = await this.d.repo.countPorts(projectId, this.d.repo.db);
    const free = limit - used;
    if (free < 0) throw PortLimitExceeded(`The number of defined ports: ${used} is over the limit: ${limit}`);
    return free >= perInstance * maxCount ? maxCount : Math.floor(free / perInstance);
  }

  /**
   * _check_requested_secgroups / validate_name: each name or id among the project's groups ('default'
   * always passes); the ids the build puts on the ports it creates. Only 'default': undefined (Neutron's).
   */
  private async securityGroups(c: Caller, names: string[]): Promise<string[] | undefined> {
    const unique = [...new Set(names)];
    if (unique.every((n) => n === 'default')) return undefined;
    const groups = await this.d.sgRepo.groups({ project_id: c.projectId });
    const ids: string[] = [];
    for (const name of unique) {
      if (name === 'default') {
        ids.push(await this.d.sgs.ensureDefault(c.projectId));
        continue;
      }
      const byName = groups.filter((g) => g.name === name);
      if (byName.length > 1) {
        throw NoUniqueMatch(`Multiple security_group matches found for name '${name}', use an ID to be more specific.`);
      }
      const g = byName[0] ?? groups.find((x) => x.id === name);
      if (!g) throw new BadRequest(`Unable to find security_group with name or id '${name}'`);
      ids.push(g.id);
    }
    return [...new Set(ids)];
  }
}

const visible = (c: Caller, n: NetworkRow) => c.isAdmin || n.project_id === c.projectId || n.shared || n.external;
