// What the server actions of this folder (snapshot/backup, rebuild, resize, shelve, remote
// console) need, on both sides: the API side (rules, task_state CAS, enqueue) and the worker side
// (the manager handlers under src/compute/manager/). Built once by ./compose.ts.
import type { Knex } from 'knex';
import type { Clock } from '../../../db/time.js';
import type { InstancesRepo } from '../../../db/repositories/instances-repo.js';
import type { InstanceMetadataRepo } from '../../../db/repositories/instance-metadata-repo.js';
import type { InstanceSystemMetadataRepo } from '../../../db/repositories/instance-system-metadata-repo.js';
import type { ImagesRepo } from '../../../db/repositories/images-repo.js';
import type { TaskRunner } from '../../../worker/task-runner.js';
import type { InstanceActions } from '../instance-actions.js';
import type { ImageService } from '../../../images/image-service.js';
import type { FlavorService } from '../../flavors/flavor-service.js';
import type { QuotaService } from '../../quotas/quotas.js';
import type { KeypairPort } from '../../ports.js';
import type { ManagerDeps } from '../../../worker/manager/deps.js';
import type { MigrationsRepo } from '../../../db/repositories/migrations-repo.js';

export interface ActionApiDeps {
  db: Knex;
  clock: Clock;
  instances: InstancesRepo;
  metadata: InstanceMetadataRepo;
  sysmeta: InstanceSystemMetadataRepo;
  worker: TaskRunner;
  actions: InstanceActions;
  images: ImageService;
  flavors: FlavorService;
  quotas: QuotaService;
  keypairs: KeypairPort;
  /** Nova's migration records (a resize writes one) */
  migrations: MigrationsRepo;
}

/** The manager's dependencies plus the image side a snapshot or shelve needs. */
export interface ActionManagerDeps extends ManagerDeps {
  db: Knex;
  images: ImageService;
  imagesRepo: ImagesRepo;
  sysmeta: InstanceSystemMetadataRepo;
  migrations: MigrationsRepo;
  /** seconds a graceful stop may take before the kill (shelve) */
  stopTimeoutS: number;
}
