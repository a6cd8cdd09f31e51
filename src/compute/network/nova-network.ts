// Nova's network API over the network service (nova/network/neutron.py, Zed): a server's ports are
// made or bound at build (device_id, device_owner compute:<zone>, binding:host_id, security groups),
// given to the container as its interfaces, marked ACTIVE once it runs, and released when it goes
// (ports Nova made are deleted; ports the user passed are unbound and kept). Every change rebuilds
// the server's network info cache (network-info.ts).
import type { ComputeHostRow } from '../../db/repositories/hosts-repo.js';
import type { InstanceRow, StoredAddress } from '../../db/repositories/instances-repo.js';
import type { PortRow } from '../../db/repositories/neutron-networks-repo.js';
import type { InstanceInfo, SpawnInterface } from '../../virt/driver.js';
import type { PortService } from '../../network/port-service.js';
import { dockerNetworkName, DockerDataplane, type Dataplane } from '../../network/dataplane.js';
import { dockerMacFor } from '../../network/ip.js';
import { NeutronError } from '../../network/errors.js';
import type { Clock } from '../../db/time.js';
import { buildNetworkInfo, refreshNetworkInfo, serverPorts, type NetworkInfoDeps } from './network-info.js';
import type { NetworkRequest } from './requested-networks.js';
import {
  FixedIpInUseAtBuild,
  NoMoreFixedIps,
  PortInUse,
  InvalidFixedIpForNetwork,
  PortLimitExceeded,
  PortNotFound,
  PortNotUsable,
} from './errors.js';

export interface NovaNetworkDeps extends NetworkInfoDeps {
  clock: Clock;
  ports: PortService;
  dataplane: Dataplane;
  /** ports came into or left security groups: the filters naming them as remote groups follow */
  groupsChanged?: (groupIds: string[]) => Promise<void>;
  log: (msg: string, err?: unknown) => void;
}

/** What the build was asked for (create-server resolved it at API time). */
export interface BuildNetworks {
  requests: NetworkRequest[];
  securityGroupIds?: string[];
  /** the creating user was an admin (Neutron's port policies apply to the user, as Nova's user client) */
  requesterIsAdmin?: boolean;
}

const SERVICE: { projectId: string; isAdmin: boolean } = { projectId: '', isAdmin: true };

export const deviceOwnerFor = (instance: Pick<InstanceRow, 'availability_zone'>) =>
  `compute:${instance.availability_zone ?? 'nova'}`;

export class NovaNetwork {
  constructor(readonly d: NovaNetworkDeps) {}

  private now = () => this.d.clock.now().toISOString();

  /** The server's ports, in interface order. */
  ports(uuid: string): Promise<PortRow[]> {
    return serverPorts(this.d, uuid);
  }

  networkInfo(uuid: string) {
    return buildNetworkInfo(this.d, uuid);
  }

  refresh(uuid: string): Promise<void> {
    return refreshNetworkInfo(this.d, uuid);
  }

  /**
   * allocate_for_instance: one port per request, in order, bound to the server on `host`. A build
   * resumed after a crash starts from what it had recorded: that is released first. On failure
   * everything made here is released again (deallocate).
   */
  async allocate(instance: InstanceRow, host: ComputeHostRow, req: BuildNetworks): Promise<PortRow[]> {
    if ((await this.d.interfaces.list(instance.uuid)).length) await this.deallocate(instance);
    const out: PortRow[] = [];
    try {
      for (const [position, r] of req.requests.entries()) {
        out.push(
          r.portId
            ? await this.bindPort(instance, host, r, position)
            : await this.createPort(instance, host, r, position, req),
        );
      }
    } catch (err) {
      await this.deallocate(instance).catch((e) => this.d.log(`ports of ${instance.uuid} not released`, e));
      throw err;
    }
    return out;
  }

  /** os-interface attach: one more port (made or bound) at the next position, plugged live into the container. */
  async attachOne(instance: InstanceRow, host: ComputeHostRow, r: NetworkRequest, requesterIsAdmin: boolean) {
    const position = await this.d.interfaces.nextPosition(instance.uuid);
    const port = r.portId
      ? await this.bindPort(instance, host, r, position)
      : await this.createPort(instance, host, r, position, { requests: [r], requesterIsAdmin });
    try {
      await this.d.dataplane.plug(port, host.id, host.name);
    } catch (err) {
      await this.release(instance.uuid, port, !!r.portId).catch((e) => this.d.log(`port ${port.id} not released`, e));
      throw err;
    }
    await this.refresh(instance.uuid);
    return (await this.d.repo.port(port.id))!;
  }

  /** os-interface detach: the port leaves the container live, then is deleted (Nova's) or unbound (the user's). */
  async detachOne(uuid: string, portId: string): Promise<void> {
    const port = (await this.ports(uuid)).find((p) => p.id === portId);
    if (port) await this.release(uuid, port, (await this.d.interfaces.find(portId))?.preserve_on_delete ?? false);
    await this.d.interfaces.delete(portId);
    await this.refresh(uuid);
  }

  private async bindPort(instance: InstanceRow, host: ComputeHostRow, r: NetworkRequest, position: number) {
    const port = await this.d.repo.port(r.portId!);
    if (!port) throw PortNotFound(r.portId!);
    if (port.project_id !== instance.project_id) throw PortNotUsable(port.id, instance.uuid);
    const binding = { device_id: instance.uuid, device_owner: deviceOwnerFor(instance), binding_host_id: host.name };
    await this.d.db.transaction(async (trx) => {
      if (!(await this.d.interfaces.claimPort(port.id, binding, this.now(), trx))) throw PortInUse(port.id);
      await this.d.interfaces.insert(
        {
          port_id: port.id,
          instance_uuid: instance.uuid,
          position,
          preserve_on_delete: true,
          tag: r.tag ?? null,
          created_at: this.now(),
        },
        trx,
      );
    });
    return { ...port, ...binding };
  }

  private async createPort(
    instance: InstanceRow,
    host: ComputeHostRow,
    r: NetworkRequest,
    position: number,
    req: BuildNetworks,
  ): Promise<PortRow> {
    const caller = { projectId: instance.project_id, isAdmin: !!req.requesterIsAdmin };
    let made: PortRow;
    try {
      made = await this.d.db.transaction(async (trx) => {
        const port = await this.d.ports.create(
          caller,
          {
            network_id: r.networkId,
            ...(r.fixedIp ? { fixed_ips: [{ ip_address: r.fixedIp }] } : {}),
            device_id: instance.uuid,
            device_owner: deviceOwnerFor(instance),
            ...(req.securityGroupIds ? { security_groups: req.securityGroupIds } : {}),
          },
          { project: instance.project_id, trx },
        );
        await this.d.repo.updatePort(port.id, { binding_host_id: host.name }, this.now(), trx);
        await this.d.interfaces.insert(
          {
            port_id: port.id,
            instance_uuid: instance.uuid,
            position,
            preserve_on_delete: false,
            tag: r.tag ?? null,
            created_at: this.now(),
          },
          trx,
        );
        return { ...port, binding_host_id: host.name };
      });
    } catch (err) {
      throw portCreateError(err, r);
    }
    await this.d.groupsChanged?.(made.security_groups);
    return made;
  }

  /** The container's interfaces for its ports: their Docker networks realised on the host, the ports' addresses. */
  async spawnInterfaces(uuid: string, hostId: number): Promise<SpawnInterface[]> {
    const out: SpawnInterface[] = [];
    for (const [i, p] of (await this.ports(uuid)).entries()) {
      const network = await this.d.dataplane.realize(p.network_id, hostId);
      const addrs = DockerDataplane.addresses(p);
      // Docker honours a chosen MAC on the create-time interface only (docs/network.md)
      const chosen = i === 0 && (!addrs.ipv4 || p.mac_address !== dockerMacFor(addrs.ipv4));
      out.push({ network, ...addrs, ...(chosen ? { mac: p.mac_address } : {}) });
    }
    return out;
  }

  /**
   * The container runs with its interfaces: ports ACTIVE on the host with the MACs Docker gave, floating
   * IPs attached, then the container's filter applied once for all of them (before the plug counts as
   * done). The network info cache is built from the records while the filter is being applied and
   * returned (null: the server has no port).
   */
  async plugged(uuid: string, host: ComputeHostRow, info: InstanceInfo): Promise<StoredAddress[] | null> {
    const ports = await this.ports(uuid);
    if (!ports.length) return null;
    for (const p of ports) {
      const mac = info.addresses.find((a) => a.network === dockerNetworkName(p.network_id))?.mac ?? null;
      await this.d.dataplane.plugged(p, host.id, host.name, mac, false);
    }
    const [, cache] = await Promise.all([this.d.dataplane.filter(uuid, host.id), this.networkInfo(uuid)]);
    return cache;
  }

  /** Neutron's port status follows the container: ACTIVE while it runs (or is paused), DOWN when stopped. */
  async portsUp(uuid: string, up: boolean): Promise<void> {
    for (const p of await this.ports(uuid)) {
      if (p.host_id === null) continue;
      await this.d.repo.updatePort(p.id, { status: up ? 'ACTIVE' : 'DOWN' }, this.now(), this.d.db);
    }
  }

  /** The container is gone or about to go (shelve offload): ports DOWN and unplugged, still the server's. */
  async unplugAll(uuid: string): Promise<void> {
    for (const p of await this.ports(uuid)) await this.d.dataplane.unplug(p);
  }

  /**
   * deallocate_for_instance: every port of the server leaves its container; ports Nova made are
   * deleted (their floating IPs disassociated, as Neutron does), ports the user passed are unbound
   * and kept (with their floating IPs). Repeating it is harmless.
   */
  async deallocate(instance: Pick<InstanceRow, 'uuid'>): Promise<void> {
    const ifaces = new Map((await this.d.interfaces.list(instance.uuid)).map((i) => [i.port_id, i]));
    for (const p of await this.ports(instance.uuid)) {
      await this.release(instance.uuid, p, ifaces.get(p.id)?.preserve_on_delete ?? false);
    }
    for (const i of ifaces.values()) await this.d.interfaces.delete(i.port_id);
  }

  /** One port leaves the server: unplugged, then deleted (Nova's) or unbound (the user's). */
  async release(uuid: string, p: PortRow, preserve: boolean): Promise<void> {
    await this.d.dataplane.unplug(p);
    if (preserve) {
      await this.d.db.transaction(async (trx) => {
        await this.d.interfaces.releasePort(p.id, uuid, this.now(), trx);
        await this.d.interfaces.delete(p.id, trx);
      });
    } else {
      await this.d.ports.delete(SERVICE, p.id).catch((e: unknown) => {
        if (!(e instanceof NeutronError && e.status === 404)) throw e;
      });
      await this.d.groupsChanged?.(p.security_groups);
    }
  }
}

/** Neutron's answer to Nova's port create, as Nova reports it (_create_port_minimal). */
function portCreateError(err: unknown, r: NetworkRequest): unknown {
  if (!(err instanceof NeutronError)) return err;
  switch (err.type) {
    case 'IpAddressAlreadyAllocated':
    case 'IpAddressInUse':
      return FixedIpInUseAtBuild(r.fixedIp ?? '');
    case 'OverQuota':
      return PortLimitExceeded();
    case 'IpAddressGenerationFailure':
      return NoMoreFixedIps(r.networkId);
    case 'InvalidIpForNetwork':
    case 'InvalidIpForSubnet':
      return InvalidFixedIpForNetwork(r.fixedIp ?? '', r.networkId);
    default:
      return err;
  }
}
