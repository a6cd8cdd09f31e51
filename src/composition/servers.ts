// Builds the servers area's objects (repositories, worker, scheduler, manager handlers, compute
// API) from the shared services. Called once from the composition root (src/composition/services.ts).
import type { Database } from '../db/knex.js';
import type { Config } from '../config.js';
import type { Clock } from '../db/time.js';
import type { HostsRepo } from '../db/repositories/hosts-repo.js';
import { InstancesRepo } from '../db/repositories/instances-repo.js';
import { InstanceMetadataRepo } from '../db/repositories/instance-metadata-repo.js';
import { InstanceTagsRepo } from '../db/repositories/instance-tags-repo.js';
import { InstanceFaultsRepo } from '../db/repositories/instance-faults-repo.js';
import { InstanceActionsRepo } from '../db/repositories/instance-actions-repo.js';
import { ComputeTasksRepo } from '../db/repositories/compute-tasks-repo.js';
import type { HostRegistry } from '../compute/hosts/host-registry.js';
import type {
  FlavorPort,
  HostHealthPort,
  ImageLoaderPort,
  ImagePort,
  KeypairPort,
  QuotaPort,
  ServerGroupPort,
} from '../compute/ports.js';
import { TaskRunner } from '../worker/task-runner.js';
import { Scheduler } from '../compute/hosts/scheduler.js';
import { Networks } from '../compute/servers/networks.js';
import { ConfigDrives } from '../worker/config-drive.js';
import { InstanceActions } from '../compute/servers/instance-actions.js';
import { ComputeApi } from '../compute/servers/compute-api.js';
import { ServerLister } from '../compute/servers/server-list.js';
import { ServerExtrasLoader } from '../compute/servers/server-extras.js';
import { InstanceViewQueries } from '../db/repositories/instance-view-queries.js';
import type { ManagerDeps, ManagerLog } from '../worker/manager/deps.js';
import { buildHandler } from '../worker/manager/build.js';
import { deleteHandler } from '../worker/manager/delete.js';
import { recoverInterrupted } from '../worker/recovery.js';
import { RecoveryQueries } from '../db/repositories/recovery-queries.js';
import { BUILD_TASK, DELETE_TASK } from '../compute/tasks.js';
import { AdvisoryLock, withAdvisoryLock } from '../db/advisory-lock.js';
import { InstanceInterfacesRepo } from '../db/repositories/instance-interfaces-repo.js';
import { NovaNetwork } from '../compute/network/nova-network.js';
import { RequestedNetworks } from '../compute/network/requested-networks.js';
import { NovaSecurityGroups } from '../compute/network/security-groups.js';
import { NovaFloatingIps } from '../compute/network/floating-ips.js';
import { DETACH_INTERFACE_TASK, InterfaceAttachments } from '../compute/network/interface-attachments.js';
import { attachInterface, detachInterfaceHandler } from '../worker/manager/interfaces.js';
import type { NetworkServices } from './network.js';

export interface ComputeComposeDeps {
  config: Config;
  db: Database;
  clock: Clock;
  hosts: HostRegistry;
  hostsRepo: HostsRepo;
  flavors: FlavorPort;
  images: ImagePort;
  imageImporter: ImageLoaderPort;
  quotas: QuotaPort;
  keypairs: KeypairPort;
  hostHealth: HostHealthPort;
  serverGroups: ServerGroupPort;
  network: NetworkServices;
}

/** Default pids limit of a container (a flavor extra spec novadock:pids_limit overrides it). */
export const DEFAULT_PIDS_LIMIT = 4096;

function consoleLog(config: Config): ManagerLog {
  const quiet = config.logLevel === 'silent' || config.logLevel === 'fatal';
  const write = (level: string) => (obj: unknown, msg?: string) => {
    if (quiet) return;
    const err = (obj as { err?: unknown })?.err;
    console.error(JSON.stringify({ level, msg, ...(obj as object), err: err instanceof Error ? err.message : err }));
  };
  return { info: () => undefined, warn: write('warn'), error: write('error') };
}

export function createComputeServices(d: ComputeComposeDeps) {
  const log = consoleLog(d.config);
  const instancesRepo = new InstancesRepo(d.db);
  const metadataRepo = new InstanceMetadataRepo(d.db);
  const tagsRepo = new InstanceTagsRepo(d.db);
  const faultsRepo = new InstanceFaultsRepo(d.db);
  const actionsRepo = new InstanceActionsRepo(d.db);
  const tasksRepo = new ComputeTasksRepo(d.db);
  const worker = new TaskRunner(tasksRepo, d.clock, { log });
  // one placement at a time, across replicas too (claims: compute/hosts/scheduler.ts)
  const scheduler = new Scheduler(
    d.hosts,
    instancesRepo,
    d.hostHealth,
    d.serverGroups,
    (fn) => withAdvisoryLock(d.db, AdvisoryLock.schedule, fn),
    { cpu: d.config.cpuAllocationRatio, ram: d.config.ramAllocationRatio },
  );
  const networks = new Networks();
  const configDrives = new ConfigDrives(d.config.dataDir);
  const instanceActions = new InstanceActions(actionsRepo, d.clock);
  // Nova's side of the network service: the servers' ports, their info cache, the create-time checks
  const interfacesRepo = new InstanceInterfacesRepo(d.db);
  const net = d.network;
  const novaNetwork = new NovaNetwork({
    db: d.db,
    clock: d.clock,
    repo: net.repo,
    fipsRepo: net.fipsRepo,
    interfaces: interfacesRepo,
    instances: instancesRepo,
    ports: net.ports,
    dataplane: net.dataplane,
    groupsChanged: (ids) => net.firewall.membersChanged(ids),
    log: (msg, err) => log.warn({ err }, msg),
  });
  net.onDeviceChanged((deviceId) => novaNetwork.refresh(deviceId));
  const requestedNetworks = new RequestedNetworks({
    repo: net.repo,
    sgRepo: net.sgRepo,
    sgs: net.sgs,
    quotas: net.quotas,
  });
  // Nova's proxies of the network service (security groups, floating IPs) and their server actions
  const novaSecurityGroups = new NovaSecurityGroups({
    sgs: net.sgs,
    sgRepo: net.sgRepo,
    repo: net.repo,
    ports: net.ports,
    firewall: net.firewall,
  });
  const novaFloatingIps = new NovaFloatingIps({ repo: net.repo, fips: net.fips, defaultPool: 'public' });
  const manager: ManagerDeps = {
    clock: d.clock,
    instances: instancesRepo,
    metadata: metadataRepo,
    faults: faultsRepo,
    hostsRepo: d.hostsRepo,
    hosts: d.hosts,
    scheduler,
    networks,
    novaNetwork,
    configDrives,
    actions: instanceActions,
    imageLoader: d.imageImporter,
    pidsLimit: DEFAULT_PIDS_LIMIT,
    log,
  };
  worker.registerHandler(BUILD_TASK, buildHandler(manager));
  worker.registerHandler(DETACH_INTERFACE_TASK, detachInterfaceHandler(manager));
  const interfaceAttachments = new InterfaceAttachments({
    db: d.db,
    repo: net.repo,
    interfaces: interfacesRepo,
    novaNetwork,
    requested: requestedNetworks,
    actions: instanceActions,
    worker,
    attach: (instance, r, admin, requestId) =>
      worker.locks.run(instance.uuid, () => attachInterface(manager, instance, r, admin, requestId)),
  });
  worker.registerHandler(DELETE_TASK, deleteHandler(manager));
  const recoveryQueries = new RecoveryQueries(d.db);
  worker.onStart(() => recoverInterrupted(d.db, recoveryQueries, d.clock, worker, faultsRepo));
  const serverExtras = new ServerExtrasLoader(new InstanceViewQueries(d.db), faultsRepo, interfacesRepo);
  const compute = new ComputeApi({
    extras: serverExtras,
    db: d.db,
    clock: d.clock,
    instances: instancesRepo,
    metadata: metadataRepo,
    tags: tagsRepo,
    hostsRepo: d.hostsRepo,
    worker,
    actions: instanceActions,
    flavors: d.flavors,
    images: d.images,
    quotas: d.quotas,
    keypairs: d.keypairs,
    serverGroups: d.serverGroups,
    requestedNetworks,
    ports: novaNetwork,
  });
  return {
    instancesRepo,
    instanceMetadataRepo: metadataRepo,
    instanceTagsRepo: tagsRepo,
    instanceFaultsRepo: faultsRepo,
    instanceActionsRepo: actionsRepo,
    computeTasksRepo: tasksRepo,
    recoveryQueries,
    worker,
    scheduler,
    networks,
    novaNetwork,
    novaSecurityGroups,
    novaFloatingIps,
    interfaceAttachments,
    interfacesRepo,
    configDrives,
    instanceActions,
    computeManager: manager,
    compute,
    serverLister: new ServerLister(instancesRepo, d.hostsRepo),
    serverExtras,
  };
}
