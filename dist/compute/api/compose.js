import { InstanceSystemMetadataRepo } from '../../db/repositories/instance-system-metadata-repo.js';
import { MigrationsRepo } from '../../db/repositories/migrations-repo.js';
import { SNAPSHOT_TASK, snapshotHandler } from '../manager/snapshot.js';
import { REBUILD_TASK, rebuildHandler } from '../manager/rebuild.js';
import { RESIZE_TASK, REVERT_RESIZE_TASK, resizeHandler, revertResizeHandler } from '../manager/resize.js';
import { SHELVE_TASK, SHELVE_OFFLOAD_TASK, UNSHELVE_TASK, shelveHandler, shelveOffloadHandler, unshelveHandler } from '../manager/shelve.js';
import { ServerSnapshots } from './snapshot.js';
import { ServerRebuilds } from './rebuild.js';
import { ServerResizes } from './resize.js';
import { ServerShelves } from './shelve.js';
import { SerialConsoles } from './console.js';
export function createMoreServerActions(s) {
    const sysmeta = new InstanceSystemMetadataRepo(s.db);
    const migrations = new MigrationsRepo(s.db);
    const api = {
        db: s.db, clock: s.clock, instances: s.instancesRepo, metadata: s.instanceMetadataRepo, sysmeta, worker: s.worker,
        actions: s.instanceActions, images: s.images, flavors: s.flavors, quotas: s.quotas, keypairs: s.keypairs, migrations,
    };
    const manager = {
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
//# sourceMappingURL=compose.js.map