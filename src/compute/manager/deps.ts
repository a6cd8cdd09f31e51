// What the manager (the worker-side code that does the work) needs; built once in services.ts.
import type { Clock } from '../../db/time';
import type { InstancesRepo } from '../../db/repositories/instances-repo';
import type { InstanceMetadataRepo } from '../../db/repositories/instance-metadata-repo';
import type { InstanceFaultsRepo } from '../../db/repositories/instance-faults-repo';
import type { HostsRepo } from '../../db/repositories/hosts-repo';
import type { HostRegistry } from '../host-registry';
import type { Scheduler } from '../scheduler';
import type { Networks } from '../networks';
import type { ConfigDrives } from '../config-drive';
import type { InstanceActions } from '../instance-actions';
import type { ImageLoaderPort } from '../ports';

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
  networks: Networks;
  configDrives: ConfigDrives;
  actions: InstanceActions;
  imageLoader: ImageLoaderPort;
  /** pids limit for every container (a flavor extra spec `novadock:pids_limit` overrides it) */
  pidsLimit: number;
  log: ManagerLog;
}
