// Where Neutron records meet the engines: a network becomes a Docker network on the engine a port is
// plugged on; a plugged port is an endpoint of its device's container with the port's addresses;
// a floating IP is a second endpoint on the external network's bridge. The records stay the truth:
// every Docker call here can be repeated (reconciliation does exactly that).
import type { ComputeDriver } from '../virt/driver.js';
import type { NetworksRepo, PortRow } from '../db/repositories/neutron-networks-repo.js';
import type { DockerNetworksRepo, FloatingIpRow, FloatingIpsRepo } from '../db/repositories/neutron-l3-repo.js';
import type { FloatingIpDataplane } from './fip-service.js';

/** The network half of the virt driver contract (src/virt/driver.ts). */
export type NetworkDriver = Pick<
  ComputeDriver,
  'ensureBridgeNetwork' | 'removeNetwork' | 'connectNetwork' | 'disconnectNetwork'
>;

/** What the network service needs from the engines (implemented by DockerDataplane over the virt drivers). */
export interface Dataplane extends FloatingIpDataplane {
  /** the Docker network for a Neutron network on one engine (created when missing); its name */
  realize(networkId: string, hostId: number): Promise<string>;
  /**
   * a port its container got at create (spawn): records host, status and MAC, attaches its floating IPs,
   * then applies the container's filter unless `filter` is false (the caller then calls filter() itself)
   */
  plugged(port: PortRow, hostId: number, hostName: string, mac: string | null, filter?: boolean): Promise<void>;
  /** the container's filter from its plugged ports' records, now; a failure rejects */
  filter(deviceId: string, hostId: number): Promise<void>;
  /** plug a port into its device's container on a host; records host, status and the endpoint's MAC */
  plug(port: PortRow, hostId: number, hostName: string): Promise<void>;
  /** the reverse */
  unplug(port: PortRow): Promise<void>;
  /** a deleted network's Docker networks on every engine (`realized`: as recorded before the record went) */
  removeNetwork(networkId: string, realized?: { host_id: number; docker_name: string }[]): Promise<void>;
  /** a plugged port whose addresses changed: its endpoint is made again */
  portChanged(portId: string): Promise<void>;
  /** a deleted port: its container leaves the network */
  portDeleted(port: { id: string; network_id: string; device_id: string; host_id: number | null }): Promise<void>;
}

export const dockerNetworkName = (networkId: string) => `novadock-${networkId}`;
export const bridgeName = (networkId: string) => `nd-${networkId.replace(/-/g, '').slice(0, 12)}`;
export const NETWORK_LABEL = 'io.novadock.network-id';

/** What the dataplane asks of the security group enforcer (sg-enforcer.ts). */
export interface DeviceFirewall {
  /** apply the records to the container now (after any apply running for it) */
  apply(deviceId: string, hostId?: number): Promise<boolean | null>;
}

export interface DataplaneOptions {
  firewall?: DeviceFirewall;
  /** labels naming the deployment on a host's engine (io.novadock.service-id: the compute host's uuid) */
  hostLabels?: (hostId: number) => Promise<Record<string, string>>;
}

export class DockerDataplane implements Dataplane {
  constructor(
    private readonly repo: NetworksRepo,
    private readonly fips: FloatingIpsRepo,
    private readonly realized: DockerNetworksRepo,
    private readonly engines: (hostId: number) => Promise<NetworkDriver>,
    private readonly labels: Record<string, string>,
    private readonly log: (msg: string, err?: unknown) => void = () => {},
    private readonly opts: DataplaneOptions = {},
  ) {}

  /** The Docker network for a Neutron network on one engine (created when missing). */
  async realize(networkId: string, hostId: number): Promise<string> {
    const driver = await this.engine(hostId);
    const n = await this.repo.network(networkId);
    if (!n) throw new Error(`network ${networkId} is gone`);
    const subnets = await this.repo.subnets({ network_id: [networkId] });
    const v4 = subnets.find((s) => s.ip_version === 4);
    const v6 = subnets.find((s) => s.ip_version === 6);
    if (!v4) throw new Error(`network ${networkId} has no IPv4 subnet`);
    const name = dockerNetworkName(networkId);
    const dockerId = await driver.ensureBridgeNetwork({
      name,
      bridge: bridgeName(networkId),
      mtu: n.mtu,
      labels: { ...this.labels, ...(await this.opts.hostLabels?.(hostId)), [NETWORK_LABEL]: networkId },
      v4: { cidr: v4.cidr, gateway: v4.bridge_ip },
      ...(v6 ? { v6: { cidr: v6.cidr, gateway: v6.bridge_ip } } : {}),
    });
    await this.realized.record(networkId, hostId, name, dockerId);
    return name;
  }

  private engine(hostId: number): Promise<NetworkDriver> {
    return this.engines(hostId);
  }

  static addresses(port: PortRow) {
    return {
      ipv4: port.fixed_ips.find((f) => !f.ip_address.includes(':'))?.ip_address,
      ipv6: port.fixed_ips.find((f) => f.ip_address.includes(':'))?.ip_address,
    };
  }

  /** Plug a port into its device's container on a host (the container exists; created, running, stopped or paused). */
  async plug(port: PortRow, hostId: number, hostName: string): Promise<void> {
    const network = await this.realize(port.network_id, hostId);
    const { mac } = await (
      await this.engine(hostId)
    ).connectNetwork(port.device_id, { network, ...DockerDataplane.addresses(port) });
    await this.plugged(port, hostId, hostName, mac);
  }

  async plugged(port: PortRow, hostId: number, hostName: string, mac: string | null, filter = true): Promise<void> {
    await this.repo.updatePort(
      port.id,
      { host_id: hostId, binding_host_id: hostName, status: 'ACTIVE', ...(mac ? { mac_address: mac } : {}) },
      new Date().toISOString(),
      this.repo.db,
    );
    for (const f of await this.fips.fips({ fixed_port_id: port.id })) {
      await this.attach(f, { ...port, host_id: hostId }).then(
        (live) => this.fips.update(f.id, { status: live ? 'ACTIVE' : 'DOWN' }),
        (e) => this.log(`floating IP ${f.floating_ip_address} not attached`, e),
      );
    }
    // before the plug counts as done: an unfiltered interface would be open to everyone
    if (filter) await this.filter(port.device_id, hostId);
  }

  async filter(deviceId: string, hostId: number): Promise<void> {
    await this.opts.firewall?.apply(deviceId, hostId);
  }

  async unplug(port: PortRow): Promise<void> {
    if (port.host_id === null) return;
    const driver = await this.engine(port.host_id);
    for (const f of await this.fips.fips({ fixed_port_id: port.id })) {
      await driver.disconnectNetwork(port.device_id, dockerNetworkName(f.floating_network_id));
      await this.fips.update(f.id, { status: 'DOWN' });
    }
    await driver.disconnectNetwork(port.device_id, dockerNetworkName(port.network_id));
    await this.repo.updatePort(port.id, { host_id: null, status: 'DOWN' }, new Date().toISOString(), this.repo.db);
    await this.firewallOf(port.device_id, port.host_id);
  }

  /** The container's filter follows its ports; a failure is logged (the next change or reconcile applies). */
  private async firewallOf(deviceId: string, hostId: number): Promise<void> {
    await this.opts.firewall?.apply(deviceId, hostId).catch((e) => this.log(`security groups of ${deviceId}`, e));
  }

  async attach(fip: FloatingIpRow, port: PortRow): Promise<boolean> {
    if (port.host_id === null || !port.device_id) return false;
    const network = await this.realize(fip.floating_network_id, port.host_id);
    await (await this.engine(port.host_id)).connectNetwork(port.device_id, { network, ipv4: fip.floating_ip_address });
    await this.firewallOf(port.device_id, port.host_id);
    return true;
  }

  async detach(fip: FloatingIpRow, port: PortRow): Promise<void> {
    if (port.host_id === null || !port.device_id) return;
    await (
      await this.engine(port.host_id)
    ).disconnectNetwork(port.device_id, dockerNetworkName(fip.floating_network_id));
    await this.firewallOf(port.device_id, port.host_id);
  }

  async removeNetwork(networkId: string, realized?: { host_id: number; docker_name: string }[]): Promise<void> {
    for (const r of realized ?? (await this.realized.forNetwork(networkId))) {
      await this.engine(r.host_id)
        .then((d) => d.removeNetwork(r.docker_name))
        .catch((e: unknown) => this.log(`Docker network ${r.docker_name} left on host ${r.host_id}`, e));
    }
    await this.realized.forget(networkId);
  }

  /** Addresses changed on a plugged port: Docker endpoints are immutable, so the endpoint is made again. */
  async portChanged(portId: string): Promise<void> {
    const port = await this.repo.port(portId);
    if (!port || port.host_id === null) return;
    await (await this.engine(port.host_id)).disconnectNetwork(port.device_id, dockerNetworkName(port.network_id));
    await this.plug(port, port.host_id, port.binding_host_id);
  }

  async portDeleted(port: {
    id: string;
    network_id: string;
    device_id: string;
    host_id: number | null;
  }): Promise<void> {
    if (port.host_id === null || !port.device_id) return;
    await (await this.engine(port.host_id)).disconnectNetwork(port.device_id, dockerNetworkName(port.network_id));
    await this.firewallOf(port.device_id, port.host_id);
  }
}
