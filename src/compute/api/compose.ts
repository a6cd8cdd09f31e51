// Builds the server actions of this folder (snapshot/backup, rebuild, resize, shelve, serial
// console) and registers their worker handlers. Called once from the composition root.
import type { Knex } from 'knex';
import type { Clock } from '../../db/time';
import type { Config } from '../../config';
import { InstanceSystemMetadataRepo } from '../../db/repositories/instance-system-metadata-repo';
import { MigrationsRepo } from '../../db/repositories/migrations-repo';
import type { InstancesRepo } from '../../db/repositories/instances-repo';
import type { InstanceMetadataRepo } from '../../db/repositories/instance-metadata-repo';
import type { ImagesRepo } from '../../db/repositories/images-repo';
import type { ImageService } from '../../images/image-service';
import type { FlavorService } from '../flavor-service';
import type { QuotaService } from '../quotas';
import type { KeypairPort } from '../ports';
import type { TaskRunner } from '../worker/task-runner';
import type { InstanceActions } from '../instance-actions';
import type { ManagerDeps } from '../manager/deps';
import type { HostRegistry } from '../host-registry';
import { SNAPSHOT_TASK, snapshotHandler } from '../manager/snapshot';
import { REBUILD_TASK, rebuildHandler } from '../manager/rebuild';
import { RESIZE_TASK, REVERT_RESIZE_TASK, resizeHandler, revertResizeHandler } from '../manager/resize';
import { SHELVE_TASK, SHELVE_OFFLOAD_TASK, UNSHELVE_TASK, shelveHandler, shelveOffloadHandler, unshelveHandler } from '../manager/shelve';
import type { ActionApiDeps, ActionManagerDeps } from './deps';
import { ServerSnapshots } from './snapshot';
import { ServerRebuilds } from './rebuild';
import { ServerResizes } from './resize';
import { ServerShelves } from './shelve';
import { SerialConsoles } from './console';

export interface MoreActionsDeps {
  config: Config;
  db: Knex;
  clock: Clock;
  instancesRepo: InstancesRepo;
  instanceMetadataRepo: InstanceMetadataRepo;
  worker: TaskRunner;
  instanceActions: InstanceActions;
  computeManager: ManagerDeps;
  images: ImageService;
  imagesRepo: ImagesRepo;
  flavors: FlavorService;
  quotas: QuotaService;
  keypairs: KeypairPort;
  hosts: HostRegistry;
}

export function createMoreServerActions(s: MoreActionsDeps) {
  const sysmeta = new InstanceSystemMetadataRepo(s.db);
  const migrations = new MigrationsRepo(s.db);
  const api: ActionApiDeps = {
    db: s.db, clock: s.clock, instances: s.instancesRepo, metadata: s.instanceMetadataRepo, sysmeta, worker: s.worker,
    actions: s.instanceActions, images: s.images, flavors: s.flavors, quotas: s.quotas, keypairs: s.keypairs, migrations,
  };
  const manager: ActionManagerDeps = {
    ...s.computeManager, db: s.db, images: s.images, imagesRepo: s.imagesRepo, sysmeta, migrations, stopTimeoutS: s.config.stopTimeoutSeconds,
  };
  s.worker.registerHandler(SNAPSHOT_TASK, snapshotHandler(manager));
  s.worker.registerHandler(REBUILD_TASK, rebuildHandler(manager));
  s.worker.registerHandler(RESIZE_TASK, resizeHandler(manager));
  s.worker.registerHandler(REVERT_RESIZE_TASK, revertResizeHandler(manager));
  s.worker.registerHandler(SHELVE_TASK, shelveHandler(manager));
  s.worker.registerHandler(SHELVE_OFFLOAD_TASK, shelveOffloadHandler(manager));
  s.worker.registerHandler(UNSHELVE_TASK, unshelveHandler(manager));
  return {
    instanceSysmetaRepo: sysmeta,
    migrationsRepo: migrations,
    serverSnapshots: new ServerSnapshots(api),
    serverRebuilds: new ServerRebuilds(api),
    serverResizes: new ServerResizes(api),
    serverShelves: new ServerShelves(api),
    serialConsoles: new SerialConsoles(s.db, s.clock, s.instancesRepo, s.hosts),
  };
}
