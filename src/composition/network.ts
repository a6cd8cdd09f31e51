// The network service's objects (a Neutron v2.0 subset): repositories, the domain services, the
// dataplane over each compute host's driver, and the few operations that span records and engines.
import type { Database } from '../db/knex.js';
import type { Clock } from '../db/time.js';
import type { Config } from '../config.js';
import type { HostRegistry } from '../compute/hosts/host-registry.js';
import type { HostsRepo } from '../db/repositories/hosts-repo.js';
import { LABELS, MANAGED_BY, type DriverEvent } from '../virt/driver.js';
import { NetworksRepo, type PortRow } from '../db/repositories/neutron-networks-repo.js';
import { SecurityGroupsRepo } from '../db/repositories/neutron-security-groups-repo.js';
import {
  DockerNetworksRepo,
  FloatingIpsRepo,
  RoutersRepo,
  type FloatingIpRow,
} from '../db/repositories/neutron-l3-repo.js';
import { NeutronQuotas } from '../network/quotas.js';
import { NetworkService, type Caller } from '../network/network-service.js';
import { SecurityGroupService } from '../network/sg-service.js';
import { PortService, type PortBody } from '../network/port-service.js';
import { RouterService } from '../network/router-service.js';
import { FloatingIpService } from '../network/fip-service.js';
import { DockerDataplane, type Dataplane } from '../network/dataplane.js';
import { SecurityGroupEnforcer } from '../network/sg-enforcer.js';
import type { SgEnforcement } from '../network/extensions.js';
import { NetworkReconciler } from '../network/reconcile.js';
import type { RuleInput } from '../network/sg-rules.js';

export interface NetworkDeps {
  config: Config;
  db: Database;
  clock: Clock;
  hosts: HostRegistry;
  hostsRepo: HostsRepo;
  /** tests: a dataplane of their own */
  dataplane?: Dataplane;
  log?: (msg: string, err?: unknown) => void;
}

export function createNetworkServices(deps: NetworkDeps) {
  const { db, clock, config } = deps;
  const repo = new NetworksRepo(db);
  const sgRepo = new SecurityGroupsRepo(db);
  const routersRepo = new RoutersRepo(db);
  const fipsRepo = new FloatingIpsRepo(db);
  const dockerNets = new DockerNetworksRepo(db);
  const quotas = new NeutronQuotas(db);
  const log = deps.log ?? (() => {});
  // Neutron's nova notifier: a change to a server's port or to a floating IP on one reaches Nova's side
  // (its network info cache), whichever API made it.
  const deviceListeners: ((deviceId: string) => Promise<void>)[] = [];
  const deviceChanged = async (deviceId: string) => {
    if (!deviceId) return;
    for (const l of deviceListeners) await l(deviceId).catch((e: unknown) => log('network info not refreshed', e));
  };
  const engines = (hostId: number) => deps.hosts.driverFor(hostId);
  // security groups, enforced in each container's own namespace where its engine allows (F3)
  const firewall = new SecurityGroupEnforcer(repo, sgRepo, fipsRepo, engines, log);
  const docker = new DockerDataplane(
    repo,
    fipsRepo,
    dockerNets,
    engines,
    {
      [LABELS.managedBy]: MANAGED_BY,
    },
    log,
    {
      firewall,
      hostLabels: async (hostId): Promise<Record<string, string>> => {
        const uuid = (await deps.hostsRepo.findById(hostId))?.uuid;
        return uuid ? { [LABELS.serviceId]: uuid } : {};
      },
    },
  );
  const dataplane: Dataplane = deps.dataplane ?? docker;
  const reconciler = new NetworkReconciler(repo, fipsRepo, dockerNets, docker, firewall, engines, log);
  /** one container's events are handled in order (die, then start) */
  const eventChains = new Map<string, Promise<void>>();
  const pools = { 4: config.network.poolV4, 6: config.network.poolV6 };
  const nets = new NetworkService(db, repo, quotas, pools, clock);
  const sgs = new SecurityGroupService(db, sgRepo, quotas, clock);
  const ports = new PortService(db, repo, sgRepo, fipsRepo, sgs, quotas, clock);
  const routers = new RouterService(db, repo, routersRepo, fipsRepo, ports, quotas, clock);
  const fipDataplane = {
    attach: async (f: FloatingIpRow, p: PortRow) => {
      const live = await dataplane.attach(f, p);
      await deviceChanged(p.device_id);
      return live;
    },
    detach: async (f: FloatingIpRow, p: PortRow) => {
      await dataplane.detach(f, p);
      await deviceChanged(p.device_id);
    },
  };
  const fips = new FloatingIpService(db, repo, fipsRepo, ports, routers, quotas, fipDataplane, clock);
  return {
    repo,
    sgRepo,
    routersRepo,
    fipsRepo,
    dockerNets,
    quotas,
    nets,
    sgs,
    ports,
    routers,
    fips,
    dataplane,
    firewall,
    reconciler,
    /** whether the engines seen so far enforce security groups (the extension's description says so) */
    get sgEnforced(): SgEnforcement {
      return firewall.enforcement;
    },
    /** a host's event stream (re)connected: the engine may have changed behind the service's back */
    async onHostConnected(hostId: number): Promise<void> {
      const host = await deps.hostsRepo.findById(hostId);
      if (host) await reconciler.reconcileHost(host);
    },
    onContainerEvent(hostId: number, e: DriverEvent): Promise<void> {
      const prev = eventChains.get(e.instanceUuid) ?? Promise.resolve();
      const next = prev
        .then(() => reconciler.onContainerEvent(hostId, e))
        .catch((err) => log(`network: ${e.action} of ${e.instanceUuid}`, err))
        .finally(() => {
          if (eventChains.get(e.instanceUuid) === next) eventChains.delete(e.instanceUuid);
        });
      eventChains.set(e.instanceUuid, next);
      return next;
    },
    /** a listener told of every change to a device's ports (Nova's network-changed / network-vif-deleted) */
    onDeviceChanged(l: (deviceId: string) => Promise<void>) {
      deviceListeners.push(l);
    },
    async createPort(c: Caller, b: PortBody, project: string) {
      const p = await ports.create(c, b, { project });
      await firewall.membersChanged(p.security_groups);
      return p;
    },
    async createRule(c: Caller, b: RuleInput) {
      const r = await sgs.createRule(c, b);
      await firewall.rulesChanged(r.security_group_id);
      return r;
    },
    async deleteRule(c: Caller, id: string) {
      const r = await sgs.getRule(c, id);
      await sgs.deleteRule(c, id);
      await firewall.rulesChanged(r.security_group_id);
    },
    /** compute host id → name (binding:host_id) */
    async hostNames(): Promise<Map<number, string>> {
      return new Map((await deps.hostsRepo.list()).map((h) => [h.id, h.name]));
    },
    /** the record first; then every engine forgets the network */
    async deleteNetwork(c: Caller, id: string) {
      // where it exists in Docker, read before the record (and its realisation rows) goes
      const realized = await dockerNets.forNetwork(id);
      await nets.deleteNetwork(c, id);
      await dataplane.removeNetwork(id, realized);
    },
    async updatePort(c: Caller, id: string, b: PortBody) {
      const before = await ports.get(c, id);
      await ports.update(c, id, b);
      await dataplane.portChanged(id);
      const after = await ports.get(c, id);
      // its own container's filter, and the containers whose rules name its old or new groups
      if (after.host_id !== null) firewall.refresh(after.device_id);
      await firewall.membersChanged([...new Set([...before.security_groups, ...after.security_groups])]);
      await deviceChanged(before.device_id);
      if (after.device_id !== before.device_id) await deviceChanged(after.device_id);
      return after;
    },
    /** a port's floating IPs leave its container with it */
    async deletePort(c: Caller, id: string) {
      const linked = await fipsRepo.fips({ fixed_port_id: id });
      const p = await ports.delete(c, id);
      for (const f of linked) await dataplane.detach(f, p);
      await dataplane.portDeleted(p);
      await firewall.membersChanged(p.security_groups);
      await deviceChanged(p.device_id);
    },
  };
}

export type NetworkServices = ReturnType<typeof createNetworkServices>;
