import { InstancesRepo } from '../db/repositories/instances-repo.js';
import { InstanceMetadataRepo } from '../db/repositories/instance-metadata-repo.js';
import { InstanceTagsRepo } from '../db/repositories/instance-tags-repo.js';
import { InstanceFaultsRepo } from '../db/repositories/instance-faults-repo.js';
import { InstanceActionsRepo } from '../db/repositories/instance-actions-repo.js';
import { ComputeTasksRepo } from '../db/repositories/compute-tasks-repo.js';
import { TaskRunner } from './worker/task-runner.js';
import { Scheduler } from './scheduler.js';
import { Networks } from './networks.js';
import { ConfigDrives } from './config-drive.js';
import { InstanceActions } from './instance-actions.js';
import { ComputeApi } from './compute-api.js';
import { ServerLister } from './server-list.js';
import { ServerExtrasLoader } from './server-extras.js';
import { BUILD_TASK, buildHandler } from './manager/build.js';
import { DELETE_TASK, deleteHandler } from './manager/delete.js';
import { recoverInterrupted } from './worker/recovery.js';
/** Default pids limit of a container (a flavor extra spec novadock:pids_limit overrides it). */
export const DEFAULT_PIDS_LIMIT = 4096;
function consoleLog(config) {
    const quiet = config.logLevel === 'silent' || config.logLevel === 'fatal';
    const write = (level) => (obj, msg) => {
        if (quiet)
            return;
        const err = obj?.err;
        console.error(JSON.stringify({ level, msg, ...obj, err: err instanceof Error ? err.message : err }));
    };
    return { info: () => undefined, warn: write('warn'), error: write('error') };
}
export function createComputeServices(d) {
    const log = consoleLog(d.config);
    const instancesRepo = new InstancesRepo(d.db);
    const metadataRepo = new InstanceMetadataRepo(d.db);
    const tagsRepo = new InstanceTagsRepo(d.db);
    const faultsRepo = new InstanceFaultsRepo(d.db);
    const actionsRepo = new InstanceActionsRepo(d.db);
    const tasksRepo = new ComputeTasksRepo(d.db);
    const worker = new TaskRunner(tasksRepo, d.clock, { log });
    const scheduler = new Scheduler(d.hosts, instancesRepo, d.hostHealth, d.serverGroups);
    const networks = new Networks();
    const configDrives = new ConfigDrives(d.config.dataDir);
    const instanceActions = new InstanceActions(actionsRepo, d.clock);
    const manager = {
        clock: d.clock, instances: instancesRepo, metadata: metadataRepo, faults: faultsRepo, hostsRepo: d.hostsRepo,
        hosts: d.hosts, scheduler, networks, configDrives, actions: instanceActions, imageLoader: d.imageImporter,
        pidsLimit: DEFAULT_PIDS_LIMIT, log,
    };
    worker.registerHandler(BUILD_TASK, buildHandler(manager));
    worker.registerHandler(DELETE_TASK, deleteHandler(manager));
    worker.onStart(() => recoverInterrupted(d.db, d.clock, worker, faultsRepo));
    const compute = new ComputeApi({
        db: d.db, clock: d.clock, instances: instancesRepo, metadata: metadataRepo, tags: tagsRepo, hostsRepo: d.hostsRepo,
        worker, actions: instanceActions, flavors: d.flavors, images: d.images, quotas: d.quotas, keypairs: d.keypairs,
        serverGroups: d.serverGroups,
    });
    return {
        instancesRepo, instanceMetadataRepo: metadataRepo, instanceTagsRepo: tagsRepo, instanceFaultsRepo: faultsRepo,
        instanceActionsRepo: actionsRepo, computeTasksRepo: tasksRepo, worker, scheduler, networks, configDrives,
        instanceActions, computeManager: manager, compute,
        serverLister: new ServerLister(instancesRepo, d.hostsRepo),
        serverExtras: new ServerExtrasLoader(metadataRepo, tagsRepo, faultsRepo, d.hostsRepo),
    };
}
//# sourceMappingURL=compose.js.map