// Reconciliation of the network records with one engine (design E7), run when the service starts and
// whenever a host's event stream (re)connects (the engine may have restarted, or been changed by hand):
//  - a Docker network the records need there (realised, or carrying a plugged port or floating IP)
//    and that is gone is created again with the same name, subnet and gateway (stopped containers
//    that name it can start again);
//  - a Docker network labelled as this deployment's (io.novadock.service-id = the host's uuid) whose
//    Neutron network no longer exists is removed once no container uses it;
//  - a plugged port whose container is gone, or stopped, goes DOWN; a running container missing its
//    endpoint (or holding it with another address) is plugged again with the port's own address; an
//    associated floating IP missing from its container is attached again;
//  - an endpoint of this deployment's container on a Neutron network that no port or floating IP of
//    that container backs is disconnected;
//  - every running container with plugged ports gets its security group filter again.
// Docker never picks an address here: every endpoint gets the port's allocation, which the records
// hold once (neutron_ip_allocations' primary key), so nothing is allocated twice.
import { LABELS, type ComputeDriver, type DriverEvent, type InstanceInfo } from '../virt/driver.js';
import type { NetworksRepo, PortRow } from '../db/repositories/neutron-networks-repo.js';
import type { DockerNetworksRepo, FloatingIpRow, FloatingIpsRepo } from '../db/repositories/neutron-l3-repo.js';
import { dockerNetworkName, NETWORK_LABEL, type DockerDataplane } from './dataplane.js';
import type { SecurityGroupEnforcer } from './sg-enforcer.js';

export type ReconcileDriver = Pick<
  ComputeDriver,
  'listNetworks' | 'listInstances' | 'removeNetwork' | 'disconnectNetwork' | 'firewallSupported' | 'applyFirewall'
>;

export interface NetworkHost {
  id: number;
  uuid: string;
  name: string;
}

export interface NetworkReconcileReport {
  hostId: number;
  recreated: string[];
  removed: string[];
  replugged: string[];
  down: string[];
  fipsAttached: string[];
  staleEndpoints: string[];
  firewalls: number;
}

const RUNNING = new Set(['running', 'paused', 'restarting']);
const now = () => new Date().toISOString();

export class NetworkReconciler {
  constructor(
    private readonly repo: NetworksRepo,
    private readonly fips: FloatingIpsRepo,
    private readonly realized: DockerNetworksRepo,
    private readonly dataplane: DockerDataplane,
    private readonly enforcer: SecurityGroupEnforcer,
    private readonly engines: (hostId: number) => Promise<ReconcileDriver>,
    private readonly log: (msg: string, err?: unknown) => void = () => {},
  ) {}

  async reconcileHost(host: NetworkHost): Promise<NetworkReconcileReport> {
    const r: NetworkReconcileReport = {
      hostId: host.id,
      recreated: [],
      removed: [],
      replugged: [],
      down: [],
      fipsAttached: [],
      staleEndpoints: [],
      firewalls: 0,
    };
    const driver = await this.engines(host.id);
    await this.enforcer.probe(host.id);
    const listed = await driver.listNetworks(NETWORK_LABEL);
    const present = new Set(listed.map((n) => n.name));
    const ports = (await this.repo.ports({ host_id: [host.id] })).filter((p) => p.device_id);
    const fips = await this.fips.forPorts(ports.map((p) => p.id));

    // 1. the Docker networks the records need here
    const needed = new Set([
      ...(await this.realized.forHost(host.id)).map((x) => x.network_id),
      ...ports.map((p) => p.network_id),
      ...fips.map((f) => f.floating_network_id),
    ]);
    for (const id of needed) {
      if (present.has(dockerNetworkName(id)) || !(await this.repo.network(id))) continue;
      await this.step(`re-create ${dockerNetworkName(id)}`, async () => {
        await this.dataplane.realize(id, host.id);
        r.recreated.push(id);
      });
    }

    // 2. ports and floating IPs against the containers
    const containers = new Map((await driver.listInstances()).map((c) => [c.instanceUuid, c]));
    for (const port of ports) {
      const c = containers.get(port.device_id);
      if (c && !RUNNING.has(c.status)) await this.refreshStopped(driver, port, fips, r);
      if (!c || !RUNNING.has(c.status)) {
        if (await this.setStatus(port, 'DOWN', fips)) r.down.push(port.id);
        continue;
      }
      await this.step(`port ${port.id}`, async () => {
        if (!hasEndpoint(c, dockerNetworkName(port.network_id), port.fixed_ips[0]?.ip_address)) {
          await driver.disconnectNetwork(port.device_id, dockerNetworkName(port.network_id));
          await this.dataplane.plug(port, host.id, host.name); // attaches its floating IPs too
          r.replugged.push(port.id);
          return;
        }
        await this.setStatus(port, 'ACTIVE', []);
        for (const f of fips.filter((x) => x.fixed_port_id === port.id)) {
          if (!hasEndpoint(c, dockerNetworkName(f.floating_network_id), f.floating_ip_address)) {
            await driver.disconnectNetwork(port.device_id, dockerNetworkName(f.floating_network_id));
            await this.dataplane.attach(f, port);
            r.fipsAttached.push(f.id);
          }
          if (f.status !== 'ACTIVE') await this.fips.update(f.id, { status: 'ACTIVE' });
        }
      });
    }

    // 3. endpoints on Neutron networks that nothing backs (this deployment's containers only)
    const networkOf = new Map(listed.map((n) => [n.name, n.labels[NETWORK_LABEL]]));
    for (const c of containers.values()) {
      if (c.labels[LABELS.serviceId] !== host.uuid) continue;
      const onNeutron = [...new Set(c.addresses.map((a) => a.network))].filter((n) => networkOf.has(n));
      if (!onNeutron.length) continue;
      const own = await this.repo.ports({ device_id: [c.instanceUuid] });
      const backed = new Set([
        ...own.map((p) => dockerNetworkName(p.network_id)),
        ...(await this.fips.forPorts(own.map((p) => p.id))).map((f) => dockerNetworkName(f.floating_network_id)),
      ]);
      for (const n of onNeutron.filter((x) => !backed.has(x))) {
        await this.step(`stale endpoint ${n}`, async () => {
          await driver.disconnectNetwork(c.instanceUuid, n);
          r.staleEndpoints.push(`${c.instanceUuid}@${n}`);
        });
      }
    }

    // 4. labelled as ours, without a Neutron network: removed when unused
    for (const n of listed) {
      if (n.labels[LABELS.serviceId] !== host.uuid) continue;
      const id = n.labels[NETWORK_LABEL];
      if (!id || (await this.repo.network(id))) continue;
      const users = n.instances.filter((u) => !r.staleEndpoints.includes(`${u}@${n.name}`));
      if (users.length) {
        this.log(`Docker network ${n.name} has no Neutron network but containers still use it: left`);
        continue;
      }
      await this.step(`remove ${n.name}`, async () => {
        await driver.removeNetwork(n.name);
        r.removed.push(n.name);
      });
    }

    // 5. security groups: the namespaces may be new (the engine restarted)
    const devices = new Set(
      ports.filter((p) => RUNNING.has(containers.get(p.device_id)?.status ?? '')).map((p) => p.device_id),
    );
    const applied = await Promise.all(
      [...devices].map((d) => this.enforcer.apply(d, host.id).catch((e) => this.log(`security groups of ${d}`, e))),
    );
    r.firewalls = applied.filter((x) => x === true).length;
    return r;
  }

  /**
   * A stopped container still names the old network's id, and Docker would not start it ("network … not
   * found"): its endpoints on networks created again are recorded again (connect on a stopped
   * container is kept and applied at its start).
   */
  private async refreshStopped(
    driver: ReconcileDriver,
    port: PortRow,
    fips: FloatingIpRow[],
    r: NetworkReconcileReport,
  ): Promise<void> {
    const again = (id: string) => r.recreated.includes(id);
    if (again(port.network_id)) {
      await this.step(`port ${port.id}`, async () => {
        await driver.disconnectNetwork(port.device_id, dockerNetworkName(port.network_id));
        await this.dataplane.plug(port, port.host_id!, port.binding_host_id); // and its floating IPs
        r.replugged.push(port.id);
      });
      return;
    }
    for (const f of fips.filter((x) => x.fixed_port_id === port.id && again(x.floating_network_id))) {
      await this.step(`floating IP ${f.floating_ip_address}`, async () => {
        await driver.disconnectNetwork(port.device_id, dockerNetworkName(f.floating_network_id));
        await this.dataplane.attach(f, port);
        r.fipsAttached.push(f.id);
      });
    }
  }

  /**
   * A container event on a host: after a start (a new namespace) its ports are ACTIVE and its filter is
   * applied again; after it stops or is removed, its ports and their floating IPs are DOWN.
   */
  async onContainerEvent(hostId: number, e: DriverEvent): Promise<void> {
    const up = e.action === 'start' || e.action === 'unpause';
    const down = e.action === 'die' || e.action === 'destroy';
    if (!up && !down) return;
    const ports = (await this.repo.ports({ device_id: [e.instanceUuid], host_id: [hostId] })).filter(
      (p) => p.device_id,
    );
    if (!ports.length) return;
    const fips = await this.fips.forPorts(ports.map((p) => p.id));
    for (const p of ports) await this.setStatus(p, up ? 'ACTIVE' : 'DOWN', fips);
    if (e.action === 'start') await this.enforcer.apply(e.instanceUuid, hostId);
  }

  /** true when it changed */
  private async setStatus(
    port: PortRow,
    status: 'ACTIVE' | 'DOWN',
    fips: { id: string; fixed_port_id: string | null; status: string }[],
  ): Promise<boolean> {
    // read afresh: a plug or an event may have changed them since the pass began
    const current = await this.fips.forPorts([port.id]);
    for (const f of current.filter((x) => x.status !== status && fips.some((y) => y.id === x.id))) {
      await this.fips.update(f.id, { status });
    }
    if ((await this.repo.port(port.id))?.status === status) return false;
    await this.repo.updatePort(port.id, { status }, now(), this.repo.db);
    return true;
  }

  private async step(what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      this.log(`network reconciliation: ${what} failed`, e);
    }
  }
}

function hasEndpoint(c: InstanceInfo, network: string, ipv4: string | undefined): boolean {
  return c.addresses.some((a) => a.network === network && (!ipv4 || a.addr === ipv4));
}
