// The network service's objects (a Neutron v2.0 subset): repositories, the domain services, the
// dataplane over each compute host's driver, and the few operations that span records and engines.
import type { Database } from '../db/knex.js';
import type { Clock } from '../db/time.js';
import type { Config } from '../config.js';
import type { HostRegistry } from '../compute/hosts/host-registry.js';
import type { HostsRepo } from '../db/repositories/hosts-repo.js';
import { LABELS, MANAGED_BY } from '../virt/driver.js';
import { NetworksRepo } from '../db/repositories/neutron-networks-repo.js';
import { SecurityGroupsRepo } from '../db/repositories/neutron-security-groups-repo.js';
import { DockerNetworksRepo, FloatingIpsRepo, RoutersRepo } from '../db/repositories/neutron-l3-repo.js';
import { NeutronQuotas } from '../network/quotas.js';
import { NetworkService, type Caller } from '../network/network-service.js';
import { SecurityGroupService } from '../network/sg-service.js';
import { PortService, type PortBody } from '../network/port-service.js';
import { RouterService } from '../network/router-service.js';
import { FloatingIpService } from '../network/fip-service.js';
import { DockerDataplane, type Dataplane } from '../network/dataplane.js';

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
  const dataplane =
    deps.dataplane ??
    new DockerDataplane(
      repo,
      fipsRepo,
      dockerNets,
      (hostId) => deps.hosts.driverFor(hostId),
      {
        [LABELS.managedBy]: MANAGED_BY,
      },
      deps.log,
    );
  const pools = { 4: config.network.poolV4, 6: config.network.poolV6 };
  const nets = new NetworkService(db, repo, quotas, pools, clock);
  const sgs = new SecurityGroupService(db, sgRepo, quotas, clock);
  const ports = new PortService(db, repo, sgRepo, fipsRepo, sgs, quotas, clock);
  const routers = new RouterService(db, repo, routersRepo, fipsRepo, ports, quotas, clock);
  const fips = new FloatingIpService(db, repo, fipsRepo, ports, routers, quotas, dataplane, clock);
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
    /** security groups are recorded and validated; enforcement is not built yet (extension description says so) */
    sgEnforced: false,
    /** compute host id → name (binding:host_id) */
    async hostNames(): Promise<Map<number, string>> {
      return new Map((await deps.hostsRepo.list()).map((h) => [h.id, h.name]));
    },
    /** the record first; then every engine forgets the network */
    async deleteNetwork(c: Caller, id: string) {
      await nets.deleteNetwork(c, id);
      await dataplane.removeNetwork(id);
    },
    async updatePort(c: Caller, id: string, b: PortBody) {
      await ports.update(c, id, b);
      await dataplane.portChanged(id);
      return ports.get(c, id);
    },
    /** a port's floating IPs leave its container with it */
    async deletePort(c: Caller, id: string) {
      const linked = await fipsRepo.fips({ fixed_port_id: id });
      const p = await ports.delete(c, id);
      for (const f of linked) await dataplane.detach(f, p);
      await dataplane.portDeleted(p);
    },
  };
}

export type NetworkServices = ReturnType<typeof createNetworkServices>;
