// Builds the server actions of this folder (snapshot/backup, rebuild, resize, shelve, serial
// console) and registers their worker handlers. Called once from the composition root.
import type { Database } from '../db/knex.js';
import type { Clock } from '../db/time.js';
import type { Config } from '../config.js';
import { InstanceSystemMetadataRepo } from '../db/repositories/instance-system-metadata-repo.js';
import { MigrationsRepo } from '../db/repositories/migrations-repo.js';
import type { InstancesRepo } from '../db/repositories/instances-repo.js';
import type { InstanceMetadataRepo } from '../db/repositories/instance-metadata-repo.js';
import type { ImagesRepo } from '../db/repositories/images-repo.js';
import type { ImageService } from '../images/image-service.js';
import type { FlavorService } from '../compute/flavors/flavor-service.js';
import type { QuotaService } from '../compute/quotas/quotas.js';
import type { KeypairPort } from '../compute/ports.js';
import type { TaskRunner } from '../worker/task-runner.js';
import type { InstanceActions } from '../compute/servers/instance-actions.js';
import type { ManagerDeps, ActionManagerDeps } from '../worker/manager/deps.js';
import type { HostRegistry } from '../compute/hosts/host-registry.js';
import { snapshotHandler } from '../worker/manager/snapshot.js';
import { rebuildHandler } from '../worker/manager/rebuild.js';
import { resizeHandler, revertResizeHandler } from '../worker/manager/resize.js';
import { shelveHandler, shelveOffloadHandler, unshelveHandler } from '../worker/manager/shelve.js';
import type { ActionApiDeps } from '../compute/servers/actions/deps.js';
import type { HostDown } from '../compute/servers/actions/host-up.js';
import { ServerSnapshots } from '../compute/servers/actions/snapshot.js';
import { ServerRebuilds } from '../compute/servers/actions/rebuild.js';
import { ServerResizes } from '../compute/servers/actions/resize.js';
import { ServerShelves } from '../compute/servers/actions/shelve.js';
import { ConsoleTokensRepo } from '../db/repositories/console-tokens-repo.js';
import { SerialConsoles } from '../compute/servers/actions/console.js';
import {
  REBUILD_TASK,
  RESIZE_TASK,
  REVERT_RESIZE_TASK,
  SHELVE_OFFLOAD_TASK,
  SHELVE_TASK,
  SNAPSHOT_TASK,
  UNSHELVE_TASK,
} from '../compute/tasks.js';

export interface MoreActionsDeps {
  config: Config;
  db: Database;
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
  /** the host's name when its compute service is down (server-actions.ts builds it) */
  hostDown?: HostDown;
}

export function createMoreServerActions(s: MoreActionsDeps) {
  const sysmeta = new InstanceSystemMetadataRepo(s.db);
  const migrations = new MigrationsRepo(s.db);
  const api: ActionApiDeps = {
    db: s.db,
    clock: s.clock,
    instances: s.instancesRepo,
    metadata: s.instanceMetadataRepo,
    sysmeta,
    worker: s.worker,
    actions: s.instanceActions,
    images: s.images,
    flavors: s.flavors,
    quotas: s.quotas,
    keypairs: s.keypairs,
    migrations,
    hostDown: s.hostDown,
  };
  const manager: ActionManagerDeps = {
    ...s.computeManager,
    db: s.db,
    images: s.images,
    imagesRepo: s.imagesRepo,
    sysmeta,
    migrations,
    stopTimeoutS: s.config.stopTimeoutSeconds,
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
    serialConsoles: new SerialConsoles(new ConsoleTokensRepo(s.db), s.clock, s.instancesRepo, s.hosts, s.hostDown),
  };
}
