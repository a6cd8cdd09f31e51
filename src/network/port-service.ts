// Ports: addresses chosen or allocated never twice (subnet lock + the allocation primary key),
// MACs, security groups, device fields, Neutron's policies on fixed IPs, MACs and device owners.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Database, Db } from '../db/knex.js';
import type { NetworkRow, NetworksRepo, PortRow, SubnetRow } from '../db/repositories/neutron-networks-repo.js';
import type { NeutronQuotas } from './quotas.js';
import type { SecurityGroupService } from './sg-service.js';
import type { SecurityGroupsRepo } from '../db/repositories/neutron-security-groups-repo.js';
import type { FloatingIpsRepo } from '../db/repositories/neutron-l3-repo.js';
import type { Caller, Clock } from './network-service.js';
import { canonicalIp, isValidIpForSubnet, lowestFree } from './ipam.js';
import { dockerMacFor, normalizeMac, parseIp, validateIpAddress, validateMacAddress } from './ip.js';
import {
  HTTPBadRequest,
  HTTPNotFound,
  InvalidInput,
  InvalidIpForNetwork,
  InvalidIpForSubnet,
  IpAddressAlreadyAllocated,
  IpAddressGenerationFailure,
  MacAddressInUse,
  NetworkNotFound,
  PolicyNotAuthorized,
  PortNotFound,
  SecurityGroupNotFound,
  ServicePortInUse,
  SubnetNotFound,
  FipAssociated,
} from './errors.js';

export interface FixedIpRequest {
  subnet_id?: string;
  ip_address?: string;
}
export interface PortBody {
  network_id?: string;
  name?: string;
  description?: string;
  admin_state_up?: boolean;
  mac_address?: string;
  fixed_ips?: FixedIpRequest[];
  device_id?: string;
  device_owner?: string;
  security_groups?: string[] | null;
  allowed_address_pairs?: { ip_address: string; mac_address?: string }[];
  port_security_enabled?: boolean;
  project_id?: string;
  tenant_id?: string;
  'binding:host_id'?: string;
  'binding:profile'?: Record<string, unknown>;
  'binding:vnic_type'?: string;
}

/** Neutron's "network device" owners: no security groups, only admins/network owners may set them. */
export const isNetworkOwned = (owner: string) => owner.startsWith('network:');

export class PortService {
  constructor(
    private readonly db: Database,
    private readonly repo: NetworksRepo,
    private readonly sgRepo: SecurityGroupsRepo,
    private readonly fipsRepo: FloatingIpsRepo,
    private readonly sgs: SecurityGroupService,
    private readonly quotas: NeutronQuotas,
    private readonly clock: Clock,
  ) {}

  private now = () => this.clock.now().toISOString();

  /** get_port: admin, the port's project, or the network's owner. */
  canSee(c: Caller, p: PortRow, n: NetworkRow | undefined): boolean {
    return c.isAdmin || p.project_id === c.projectId || n?.project_id === c.projectId;
  }

  async get(c: Caller, id: string): Promise<PortRow> {
    const p = await this.repo.port(id);
    if (!p || !this.canSee(c, p, await this.repo.network(p.network_id))) throw PortNotFound(id);
    return p;
  }

  async list(c: Caller, where: { device_id?: string[]; network_id?: string[] } = {}): Promise<PortRow[]> {
    const nets = new Map((await this.repo.networks()).map((n) => [n.id, n]));
    return (await this.repo.ports(where)).filter((p) => this.canSee(c, p, nets.get(p.network_id)));
  }

  async create(c: Caller, b: PortBody, opts: { project?: string; trusted?: boolean; trx?: Db } = {}): Promise<PortRow> {
    if (!b.network_id) throw HTTPBadRequest("Failed to parse request. Required attribute 'network_id' not specified");
    const project = opts.project ?? c.projectId;
    const n = await this.repo.network(b.network_id, opts.trx);
    if (!n) throw NetworkNotFound(b.network_id);
    const owner = c.isAdmin || opts.trusted || n.project_id === c.projectId;
    if (!owner && !n.shared) throw HTTPNotFound();
    const deviceOwner = b.device_owner ?? '';
    if (!owner && isNetworkOwned(deviceOwner))
      throw PolicyNotAuthorized('(rule:create_port and rule:create_port:device_owner)');
    if (!owner && b.mac_address !== undefined)
      throw PolicyNotAuthorized('(rule:create_port and rule:create_port:mac_address)');
    if (!owner && b.fixed_ips?.some((f) => f.ip_address !== undefined))
      throw PolicyNotAuthorized('(rule:create_port and rule:create_port:fixed_ips:ip_address)');
    if (b.mac_address !== undefined) {
      const e = validateMacAddress(b.mac_address);
      if (e) throw HTTPBadRequest(`Invalid input for mac_address. Reason: ${e}.`);
    }
    for (const f of b.fixed_ips ?? []) {
      if (f.ip_address !== undefined) {
        const e = validateIpAddress(f.ip_address);
        if (e) throw HTTPBadRequest(`Invalid input for fixed_ips. Reason: ${e}.`);
      }
    }
    const portSecurity = b.port_security_enabled ?? n.port_security_enabled;
    let groups: string[] = [];
    if (!isNetworkOwned(deviceOwner) && portSecurity) {
      if (b.security_groups === undefined) groups = [await this.sgs.ensureDefault(project, opts.trx)];
      else groups = [...new Set(b.security_groups ?? [])];
      for (const g of groups) {
        const row = await this.sgRepo.group(g, opts.trx);
        if (!row || !(c.isAdmin || opts.trusted || row.project_id === project)) throw SecurityGroupNotFound(g);
      }
    }
    const now = this.now();
    const run = async (trx: Db) => {
      if (!opts.trusted) await this.quotas.check(trx, project, { port: 1 });
      const subnets = await this.repo.subnets({ network_id: [n.id] }, trx);
      const fixedIps = await this.allocate(n, subnets, b.fixed_ips, deviceOwner, trx);
      const mac =
        b.mac_address !== undefined ? normalizeMac(b.mac_address) : await this.defaultMac(n.id, fixedIps, trx);
      if (b.mac_address !== undefined && (await this.repo.macInUse(n.id, mac, trx))) throw MacAddressInUse(n.id, mac);
      const row: Omit<PortRow, 'fixed_ips' | 'security_groups'> = {
        id: randomUUID(),
        network_id: n.id,
        project_id: project,
        name: b.name ?? '',
        description: b.description ?? '',
        mac_address: mac,
        admin_state_up: b.admin_state_up ?? true,
        status: 'DOWN',
        device_id: b.device_id ?? '',
        device_owner: deviceOwner,
        port_security_enabled: portSecurity,
        allowed_address_pairs: (b.allowed_address_pairs ?? []).map((a) => ({
          ip_address: a.ip_address,
          mac_address: a.mac_address ?? mac,
        })),
        binding_host_id: '',
        binding_profile: {},
        binding_vnic_type: b['binding:vnic_type'] ?? 'normal',
        host_id: null,
        created_at: now,
        updated_at: now,
        revision_number: 1,
      };
      await this.repo.insertPort(row, fixedIps, groups, trx);
      return { ...row, fixed_ips: fixedIps, security_groups: groups };
    };
    return opts.trx ? run(opts.trx) : this.db.transaction(run);
  }

  /** Docker's own MAC for the first IPv4 address (design E5), or Neutron's fa:16:3e:… when there is none or it is taken. */
  private async defaultMac(networkId: string, fixedIps: PortRow['fixed_ips'], trx: Db): Promise<string> {
    const v4 = fixedIps.find((f) => !f.ip_address.includes(':'));
    if (v4) {
      const mac = dockerMacFor(v4.ip_address);
      if (!(await this.repo.macInUse(networkId, mac, trx))) return mac;
    }
    for (;;) {
      const mac = `fa:16:3e:${[...randomBytes(3)].map((x) => x.toString(16).padStart(2, '0')).join(':')}`;
      if (!(await this.repo.macInUse(networkId, mac, trx))) return mac;
    }
  }

  /**
   * ipam_backend_mixin._get_subnet_for_fixed_ip + the IPAM driver: explicit requests are checked and
   * taken, subnet-only requests get the lowest free address; no request: one address per family.
   */
  async allocate(
    n: NetworkRow,
    subnets: SubnetRow[],
    requested: FixedIpRequest[] | undefined,
    deviceOwner: string,
    trx: Db,
    own: Set<string> = new Set(),
  ): Promise<PortRow['fixed_ips']> {
    const routerPort = deviceOwner === 'network:router_interface' || deviceOwner === 'network:router_gateway';
    let wanted: { subnet: SubnetRow; ip?: string }[];
    if (requested === undefined) {
      wanted = [4, 6]
        .map((v) => subnets.find((s) => s.ip_version === v))
        .filter((s): s is SubnetRow => !!s)
        .map((subnet) => ({ subnet }));
    } else {
      wanted = [];
      for (const f of requested) {
        if (!subnets.length) throw InvalidInput('IP allocation requires subnets for network');
        if (f.subnet_id !== undefined) {
          const subnet = subnets.find((s) => s.id === f.subnet_id);
          if (!subnet) {
            if (!(await this.repo.subnet(f.subnet_id, trx))) throw SubnetNotFound(f.subnet_id);
            throw InvalidInput(
              `Failed to create port on network ${n.id}, because fixed_ips included invalid subnet ${f.subnet_id}`,
            );
          }
          if (f.ip_address !== undefined && !isValidIpForSubnet(subnet, f.ip_address, routerPort))
            throw InvalidIpForSubnet(f.ip_address);
          wanted.push({ subnet, ip: f.ip_address === undefined ? undefined : canonicalIp(f.ip_address) });
        } else if (f.ip_address !== undefined) {
          const subnet = subnets.find((s) => isValidIpForSubnet(s, f.ip_address!, routerPort));
          if (!subnet) throw InvalidIpForNetwork(f.ip_address);
          wanted.push({ subnet, ip: canonicalIp(f.ip_address) });
        } else {
          throw InvalidInput('IP allocation requires subnet_id or ip_address');
        }
      }
    }
    await this.repo.lockSubnets([...new Set(wanted.map((w) => w.subnet.id))], trx);
    // explicit addresses first, so an automatic pick cannot take one of them (ipam_pluggable_backend)
    wanted.sort((a, b) => Number(a.ip === undefined) - Number(b.ip === undefined));
    const out: PortRow['fixed_ips'] = [];
    for (const w of wanted) {
      const taken = await this.repo.allocations(w.subnet.id, trx);
      for (const o of out) if (o.subnet_id === w.subnet.id) taken.add(o.ip_address);
      if (w.ip !== undefined) {
        const key = `${w.subnet.id} ${w.ip}`;
        if ((taken.has(w.ip) && !own.has(key)) || (w.ip === w.subnet.bridge_ip && !routerPort))
          throw IpAddressAlreadyAllocated(w.ip, w.subnet.id);
        out.push({ subnet_id: w.subnet.id, ip_address: w.ip });
      } else {
        for (const k of own) {
          const [sid, ip] = k.split(' ');
          if (sid === w.subnet.id) taken.delete(ip);
        }
        const ip = lowestFree(w.subnet, taken);
        if (!ip) throw IpAddressGenerationFailure(n.id);
        out.push({ subnet_id: w.subnet.id, ip_address: ip });
      }
    }
    return out;
  }

  async update(c: Caller, id: string, b: PortBody): Promise<PortRow> {
    const p = await this.get(c, id);
    const n = (await this.repo.network(p.network_id))!;
    const owner = c.isAdmin || n.project_id === c.projectId;
    for (const k of ['binding:host_id', 'binding:profile', 'binding:vnic_type'] as const) {
      if (b[k] !== undefined) {
        if (!c.isAdmin) throw PolicyNotAuthorized(`(rule:update_port and rule:update_port:${k})`);
        throw HTTPBadRequest(`Cannot update read-only attribute ${k}`);
      }
    }
    if (!owner && b.mac_address !== undefined)
      throw PolicyNotAuthorized('(rule:update_port and rule:update_port:mac_address)');
    if (!owner && b.fixed_ips?.some((f) => f.ip_address !== undefined))
      throw PolicyNotAuthorized('(rule:update_port and rule:update_port:fixed_ips:ip_address)');
    if (!owner && b.device_owner !== undefined && isNetworkOwned(b.device_owner))
      throw PolicyNotAuthorized('(rule:update_port and rule:update_port:device_owner)');
    return this.db.transaction(async (trx) => {
      const changes: Partial<PortRow> = {};
      for (const k of [
        'name',
        'description',
        'admin_state_up',
        'device_id',
        'device_owner',
        'port_security_enabled',
      ] as const) {
        if (b[k] !== undefined) (changes as Record<string, unknown>)[k] = b[k];
      }
      if (b.mac_address !== undefined) {
        const mac = normalizeMac(b.mac_address);
        if (p.host_id !== null)
          throw InvalidInput(`the MAC address of port ${p.id} cannot change while it is plugged into a container`);
        if (mac !== p.mac_address && (await this.repo.macInUse(n.id, mac, trx))) throw MacAddressInUse(n.id, mac);
        changes.mac_address = mac;
      }
      if (b.fixed_ips !== undefined) {
        const subnets = await this.repo.subnets({ network_id: [n.id] }, trx);
        const own = new Set(p.fixed_ips.map((f) => `${f.subnet_id} ${f.ip_address}`));
        changes.fixed_ips = await this.allocate(n, subnets, b.fixed_ips, b.device_owner ?? p.device_owner, trx, own);
      }
      if (b.security_groups !== undefined) {
        const groups = [...new Set(b.security_groups ?? [])];
        for (const g of groups) {
          const row = await this.sgRepo.group(g, trx);
          if (!row || !(c.isAdmin || row.project_id === p.project_id)) throw SecurityGroupNotFound(g);
        }
        changes.security_groups = groups;
      }
      if (b.allowed_address_pairs !== undefined) {
        changes.allowed_address_pairs = b.allowed_address_pairs.map((a) => ({
          ip_address: a.ip_address,
          mac_address: a.mac_address ?? p.mac_address,
        }));
      }
      await this.repo.updatePort(id, changes, this.now(), trx);
      return (await this.repo.port(id, trx))!;
    });
  }

  /** A router interface or floating IP port goes with its owner (ServicePortInUse); a port with a floating IP keeps it (FipAssociated is for other projects). */
  async delete(c: Caller, id: string): Promise<PortRow> {
    const p = await this.get(c, id);
    if (['network:router_interface', 'network:router_gateway', 'network:floatingip'].includes(p.device_owner)) {
      throw ServicePortInUse(p.id, `has device owner ${p.device_owner}`);
    }
    await this.db.transaction(async (trx) => {
      const fips = await this.fipsRepo.fips({ fixed_port_id: id }, trx);
      if (fips.some((f) => f.project_id !== c.projectId) && !c.isAdmin) throw FipAssociated(id);
      await this.fipsRepo.disassociatePort(id, trx);
      await this.repo.deletePort(id, trx);
    });
    return p;
  }
}

export const isIpv4 = (ip: string) => parseIp(ip)?.version === 4;
