// What the server actions of this folder (snapshot/backup, rebuild, resize, shelve, remote
// console) need on the API side: rules, task_state CAS, enqueue. Built once by src/composition.
import type { Database } from '../../../db/knex.js';
import type { Clock } from '../../../db/time.js';
import type { InstancesRepo } from '../../../db/repositories/instances-repo.js';
import type { InstanceMetadataRepo } from '../../../db/repositories/instance-metadata-repo.js';
import type { InstanceSystemMetadataRepo } from '../../../db/repositories/instance-system-metadata-repo.js';
import type { TaskQueue } from '../../tasks.js';
import type { InstanceActions } from '../instance-actions.js';
import type { ImageService } from '../../../images/image-service.js';
import type { FlavorService } from '../../flavors/flavor-service.js';
import type { QuotaService } from '../../quotas/quotas.js';
import type { KeypairPort } from '../../ports.js';
import type { MigrationsRepo } from '../../../db/repositories/migrations-repo.js';
import type { HostDown } from './host-up.js';

export interface ActionApiDeps {
  db: Database;
  clock: Clock;
  instances: InstancesRepo;
  metadata: InstanceMetadataRepo;
  sysmeta: InstanceSystemMetadataRepo;
  worker: TaskQueue;
  actions: InstanceActions;
  images: ImageService;
  flavors: FlavorService;
  quotas: QuotaService;
  keypairs: KeypairPort;
  /** Nova's migration records (a resize writes one) */
  migrations: MigrationsRepo;
  /** the host's name when its compute service is down: then every task is refused (host-up.ts) */
  hostDown?: HostDown;
}
