import { registerPowerHandlers } from '../manager/power.js';
import { PowerApi } from './power.js';
import { LockApi } from './lock.js';
import { ConsoleOutputApi } from './console-output.js';
import { InstanceActionsApi } from './instance-actions-api.js';
import { AdminActionsApi } from './admin-actions.js';
import { DiagnosticsApi } from './diagnostics.js';
import { SoftDeleteApi } from './soft-delete.js';
import { registerSoftDeleteHandlers } from '../manager/soft-delete.js';
import { InstanceActionsQueries } from '../../db/repositories/instance-actions-queries.js';
export function createServerActions(d) {
    const health = d.hostHealth;
    const apiDeps = {
        db: d.db, clock: d.clock, instances: d.instancesRepo, worker: d.worker, actions: d.instanceActions,
        hostDown: health ? async (hostId) => {
            const host = await d.hostsRepo.findById(hostId);
            return host && !health.isUp({ last_seen_at: host.last_seen_at, forced_down: Boolean(host.forced_down) }) ? host.name : null;
        } : undefined,
    };
    const powerManager = {
        ...d.computeManager,
        stopTimeoutSeconds: d.config.stopTimeoutSeconds,
        findImage: (ref) => d.imagesRepo.find(ref),
    };
    registerPowerHandlers(d.worker, powerManager);
    registerSoftDeleteHandlers(d.worker, powerManager);
    const softDelete = new SoftDeleteApi(apiDeps, d.compute, d.config.reclaimInstanceIntervalSeconds);
    if (softDelete.enabled)
        d.compute.useSoftDelete(softDelete);
    return {
        /** what every action's compute-API method needs (beginAction); part 2's actions reuse it */
        apiDeps,
        /** the worker-side deps with the stop timeout (for handlers that power a container off) */
        powerManager,
        power: new PowerApi(apiDeps),
        lock: new LockApi(apiDeps),
        consoleOutput: new ConsoleOutputApi(d.hosts),
        admin: new AdminActionsApi(apiDeps, d.hostsRepo),
        diagnostics: new DiagnosticsApi(d.hosts),
        /** restore / forceDelete and the reclaimer (start/stop with the background work) */
        softDelete,
        instanceActions: new InstanceActionsApi(d.instancesRepo, d.instanceActionsRepo, new InstanceActionsQueries(d.db), d.hostsRepo),
    };
}
//# sourceMappingURL=compose-actions.js.map