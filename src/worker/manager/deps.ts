// What the manager (the worker-side code that does the work) needs; built once in src/composition.
import type { Clock } from '../../db/time.js';
import type { InstancesRepo } from '../../db/repositories/instances-repo.js';
import type { InstanceMetadataRepo } from '../../db/repositories/instance-metadata-repo.js';
import type { InstanceFaultsRepo } from '../../db/repositories/instance-faults-repo.js';
import type { HostsRepo } from '../../db/repositories/hosts-repo.js';
import type { HostRegistry } from '../../compute/hosts/host-registry.js';
import type { Scheduler } from '../../compute/hosts/scheduler.js';
import type { Networks } from '../../compute/servers/networks.js';
import type { NovaNetwork } from '../../compute/network/nova-network.js';
import type { ConfigDrives } from '../config-drive.js';
import type { InstanceActions } from '../../compute/servers/instance-actions.js';
import type { ImageLoaderPort } from '../../compute/ports.js';
import type { Db } from '../../db/knex.js';
import type { ImageService } from '../../images/image-service.js';
import type { ImagesRepo } from '../../db/repositories/images-repo.js';
import type { InstanceSystemMetadataRepo } from '../../db/repositories/instance-system-metadata-repo.js';
import type { MigrationsRepo } from '../../db/repositories/migrations-repo.js';

export interface ManagerLog {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

export interface ManagerDeps {
  clock: Clock;
  instances: InstancesRepo;
  metadata: InstanceMetadataRepo;
  faults: InstanceFaultsRepo;
  hostsRepo: HostsRepo;
  hosts: HostRegistry;
  scheduler: Scheduler;
  /** the legacy service-owned network of servers from before the network service */
  networks: Networks;
  /** Nova's side of the network service: the servers' ports */
  novaNetwork: NovaNetwork;
  configDrives: ConfigDrives;
  actions: InstanceActions;
  imageLoader: ImageLoaderPort;
  /** pids limit for every container (a flavor extra spec `novadock:pids_limit` overrides it) */
  pidsLimit: number;
  log: ManagerLog;
}

/** The manager's dependencies plus the image side a snapshot or shelve needs. */
export interface ActionManagerDeps extends ManagerDeps {
  db: Db;
  images: ImageService;
  imagesRepo: ImagesRepo;
  sysmeta: InstanceSystemMetadataRepo;
  migrations: MigrationsRepo;
  /** seconds a graceful stop may take before the kill (shelve) */
  stopTimeoutS: number;
}
