import { TaskState, VmState } from '../states.js';
import { runInstanceTask } from './instance-task.js';
import { shutdownTimeout } from './power.js';
export const SOFT_DELETE_TASKS = { softDelete: 'soft-delete', restore: 'restore' };
export function registerSoftDeleteHandlers(worker, d) {
    worker.registerHandler(SOFT_DELETE_TASKS.softDelete, (ctx) => runInstanceTask(d, ctx, {
        taskState: TaskState.SOFT_DELETING, event: 'compute_soft_delete_instance',
    }, async ({ instance, driver }) => {
        await driver.powerOff(instance.uuid, await shutdownTimeout(d, instance));
        return { vm_state: VmState.SOFT_DELETED };
    }));
    worker.registerHandler(SOFT_DELETE_TASKS.restore, (ctx) => runInstanceTask(d, ctx, {
        taskState: TaskState.RESTORING, event: 'compute_restore_instance',
    }, async ({ instance, driver }) => {
        await driver.powerOn(instance.uuid);
        return { vm_state: VmState.ACTIVE };
    }));
}
//# sourceMappingURL=soft-delete.js.map