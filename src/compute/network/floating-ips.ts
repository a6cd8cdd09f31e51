// Nova's floating IP proxy over the network service (api floating_ips.py, floating_ip_pools.py and
// network/neutron.py, Zed): the project's floating IPs in Nova's shape, allocation from a pool (an
// external network by name or id), release, and the addFloatingIp / removeFloatingIp actions below
// 2.44 (association with the server's port that holds the fixed address).
import { BadRequest, Conflict, Forbidden, NotFound } from '../../errors.js';
import { addressesOf, type InstanceRow } from '../../db/repositories/instances-repo.js';
import type { NetworkRow, NetworksRepo } from '../../db/repositories/neutron-networks-repo.js';
import type { FloatingIpRow, FloatingIpService } from '../../network/fip-service.js';
import { NeutronError } from '../../network/errors.js';
import { FloatingIpNotFound, FloatingIpNotFoundForAddress, FloatingIpPoolNotFound } from './errors.js';

export interface NovaFloatingIp {
  id: string;
  ip: string;
  pool: string;
  fixed_ip: string | null;
  instance_id: string | null;
}
interface Caller {
  projectId: string;
  isAdmin: boolean;
}

export interface NovaFloatingIpDeps {
  repo: NetworksRepo;
  fips: FloatingIpService;
  /** CONF.neutron.default_floating_pool (devstack's `public`) */
  defaultPool: string;
}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const isV4 = (ip: string) => !ip.includes(':');

export class NovaFloatingIps {
  constructor(private readonly d: NovaFloatingIpDeps) {}

  private async view(f: FloatingIpRow): Promise<NovaFloatingIp> {
    const net = await this.d.repo.network(f.floating_network_id);
    const port = f.fixed_port_id ? await this.d.repo.port(f.fixed_port_id) : undefined;
    return {
      id: f.id,
      ip: f.floating_ip_address,
      pool: net?.name || f.floating_network_id,
      fixed_ip: f.fixed_ip_address,
      instance_id: port ? port.device_id : null,
    };
  }

  /** get_floating_ips_by_project */
  async list(c: Caller): Promise<NovaFloatingIp[]> {
    const all = await this.d.fips.list(c);
    return Promise.all(all.filter((f) => f.project_id === c.projectId).map((f) => this.view(f)));
  }

  async get(c: Caller, id: string): Promise<NovaFloatingIp> {
    return this.view(await this.find(c, id));
  }

  private async find(c: Caller, id: string): Promise<FloatingIpRow> {
    try {
      return await this.d.fips.get(c, id);
    } catch (e) {
      if (e instanceof NeutronError && e.status === 404) throw FloatingIpNotFound(id);
      throw e;
    }
  }

  /** get_floating_ip_pools: the external networks. */
  async pools(c: Caller): Promise<string[]> {
    const nets = await this.d.repo.networks();
    return nets.filter((n) => n.external && visible(c, n)).map((n) => n.name || n.id);
  }

  /** allocate_floating_ip: a floating IP on the pool's network (default pool when none is named). */
  async allocate(c: Caller, pool: string | undefined): Promise<NovaFloatingIp> {
    const name = pool ?? this.d.defaultPool;
    const nets = (await this.d.repo.networks()).filter(
      (n) => n.external && visible(c, n) && (UUID.test(name) ? n.id === name.toLowerCase() : n.name === name),
    );
    if (!nets.length) throw FloatingIpPoolNotFound();
    if (nets.length > 1) throw new BadRequest(`Multiple floating IP pools matches found for name '${name}'`);
    try {
      return await this.view(await this.d.fips.create(c, { floating_network_id: nets[0].id }, c.projectId));
    } catch (e) {
      if (!(e instanceof NeutronError)) throw e;
      if (e.type === 'IpAddressGenerationFailure' || e.type === 'ExternalIpAddressExhausted')
        throw new NotFound(pool ? `No more floating IPs in pool ${pool}.` : 'No more floating IPs available.');
      if (e.type === 'OverQuota')
        throw new Forbidden(pool ? `IP allocation over quota in pool ${pool}.` : 'IP allocation over quota.');
      if (e.status === 400) throw new BadRequest(e.message);
      throw e;
    }
  }

  /** disassociate_and_release_floating_ip */
  async release(c: Caller, id: string): Promise<void> {
    const f = await this.find(c, id);
    await this.d.fips.delete(c, f.id);
  }

  private async byAddress(c: Caller, address: string): Promise<FloatingIpRow | undefined> {
    return (await this.d.fips.list(c)).find((f) => f.floating_ip_address === address);
  }

  /** The server a floating address is associated with (get_instance_id_by_floating_address); 404 when unknown. */
  async instanceOf(c: Caller, address: string): Promise<string | null> {
    const f = await this.byAddress(c, address);
    if (!f) throw FloatingIpNotFoundForAddress(address);
    if (!f.fixed_port_id) return null;
    return (await this.d.repo.port(f.fixed_port_id))?.device_id || null;
  }

  /** addFloatingIp: Nova's checks of the cached fixed addresses, then the association on the port holding the address. */
  async associate(c: Caller, instance: InstanceRow, address: string, fixedAddress?: string): Promise<void> {
    const fixed = addressesOf(instance).filter((a) => (a.type ?? 'fixed') === 'fixed');
    if (!addressesOf(instance).length) throw new BadRequest('Instance network is not ready yet');
    if (!fixed.length) throw new BadRequest('No fixed IPs associated to instance');
    if (fixedAddress !== undefined && !fixed.some((a) => a.addr === fixedAddress))
      throw new BadRequest('Specified fixed address not assigned to instance');
    const chosen = fixedAddress ?? fixed.find((a) => isV4(a.addr))?.addr;
    if (!chosen) {
      throw new BadRequest(
        `Unable to associate floating IP ${address} to any fixed IPs for instance ${instance.uuid}. Instance has no fixed IPv4 addresses to associate.`,
      );
    }
    const owner = `compute:${instance.availability_zone ?? 'nova'}`;
    const port = (await this.d.repo.ports({ device_id: [instance.uuid] })).find(
      (p) => p.device_owner === owner && p.fixed_ips.some((f) => f.ip_address === chosen),
    );
    if (!port) throw new NotFound(`Fixed IP not found for address ${chosen}.`);
    const f = await this.byAddress(c, address);
    if (!f) throw new NotFound('floating IP not found');
    try {
      await this.d.fips.update(c, f.id, { port_id: port.id, fixed_ip_address: chosen });
    } catch (e) {
      if (!(e instanceof NeutronError)) throw e;
      if (e.status === 409) throw new BadRequest(`Floating IP ${address} association has failed.`);
      if (e.status === 403) throw new Forbidden(e.message);
      throw new BadRequest(
        `Unable to associate floating IP ${address} to fixed IP ${chosen} for instance ${instance.uuid}. Error: ${e.message}`,
      );
    }
  }

  /** removeFloatingIp: only from the server it is associated with (409 otherwise). */
  async disassociate(c: Caller, instance: InstanceRow, address: string): Promise<void> {
    const f = await this.byAddress(c, address);
    if (!f) throw FloatingIpNotFoundForAddress(address);
    const device = f.fixed_port_id ? (await this.d.repo.port(f.fixed_port_id))?.device_id : undefined;
    if (!device || device !== instance.uuid)
      throw new Conflict(`Floating IP ${address} is not associated with instance ${instance.uuid}.`);
    await this.d.fips.update(c, f.id, { port_id: null });
  }
}

const visible = (c: Caller, n: NetworkRow) => c.isAdmin || n.external || n.shared || n.project_id === c.projectId;
