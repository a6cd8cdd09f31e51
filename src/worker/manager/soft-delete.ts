// Worker side of deferred delete (nova manager soft_delete_instance / restore_instance): power
// the container off and mark SOFT_DELETED; restore starts it again and marks ACTIVE.
import type { TaskRunner } from '../task-runner.js';
import { TaskState, VmState } from '../../compute/servers/states.js';
import { runInstanceTask } from './instance-task.js';
import { shutdownTimeout, type PowerManagerDeps } from './power.js';
import { SOFT_DELETE_TASKS } from '../../compute/tasks.js';

export function registerSoftDeleteHandlers(worker: TaskRunner, d: PowerManagerDeps): void {
  worker.registerHandler(SOFT_DELETE_TASKS.softDelete, (ctx) =>
    runInstanceTask(
      d,
      ctx,
      {
        taskState: TaskState.SOFT_DELETING,
        event: 'compute_soft_delete_instance',
      },
      async ({ instance, driver }) => {
        await driver.powerOff(instance.uuid, await shutdownTimeout(d, instance));
        return { vm_state: VmState.SOFT_DELETED };
      },
    ),
  );
  worker.registerHandler(SOFT_DELETE_TASKS.restore, (ctx) =>
    runInstanceTask(
      d,
      ctx,
      {
        taskState: TaskState.RESTORING,
        event: 'compute_restore_instance',
      },
      async ({ instance, driver }) => {
        await driver.powerOn(instance.uuid);
        return { vm_state: VmState.ACTIVE };
      },
    ),
  );
}
