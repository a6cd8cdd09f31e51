// What the server actions of this folder (snapshot/backup, rebuild, resize, shelve, remote
// console) need, on both sides: the API side (rules, task_state CAS, enqueue) and the worker side
// (the manager handlers under src/compute/manager/). Built once by ./compose.ts.
import type { Knex } from 'knex';
import type { Clock } from '../../db/time';
import type { InstancesRepo } from '../../db/repositories/instances-repo';
import type { InstanceMetadataRepo } from '../../db/repositories/instance-metadata-repo';
import type { InstanceSystemMetadataRepo } from '../../db/repositories/instance-system-metadata-repo';
import type { ImagesRepo } from '../../db/repositories/images-repo';
import type { TaskRunner } from '../worker/task-runner';
import type { InstanceActions } from '../instance-actions';
import type { ImageService } from '../../images/image-service';
import type { FlavorService } from '../flavor-service';
import type { QuotaService } from '../quotas';
import type { KeypairPort } from '../ports';
import type { ManagerDeps } from '../manager/deps';
import type { MigrationsRepo } from '../../db/repositories/migrations-repo';

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
