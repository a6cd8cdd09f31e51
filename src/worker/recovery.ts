// Start-up recovery (nova compute manager init_host/_init_instance): a server must never stay in
// BUILD or "deleting" forever because the process that owned its work died. Work that still has a
// task row is resumed by the task runner (its lease runs out); this handles servers whose work has
// no row at all: a build without a task goes to ERROR with a fault, a delete without a task is
// queued again.
import type { Db } from '../db/knex.js';
import type { RecoveryQueries } from '../db/repositories/recovery-queries.js';
import type { Clock } from '../db/time.js';
import { TaskState, VmState } from '../compute/servers/states.js';
import type { TaskRunner } from './task-runner.js';
import type { InstanceFaultsRepo } from '../db/repositories/instance-faults-repo.js';
import { DELETE_TASK } from '../compute/tasks.js';

export async function recoverInterrupted(
  db: Db,
  queries: RecoveryQueries,
  clock: Clock,
  worker: TaskRunner,
  faults: InstanceFaultsRepo,
): Promise<{ failed: number; requeued: number }> {
  const orphans = await queries.withoutTask({ vmState: VmState.BUILDING, taskState: TaskState.DELETING });
  let failed = 0;
  let requeued = 0;
  for (const o of orphans) {
    const now = clock.now().toISOString();
    if (o.task_state === TaskState.DELETING) {
      await worker.enqueue(db, { instanceUuid: o.uuid, kind: DELETE_TASK });
      requeued++;
      continue;
    }
    if (
      await queries.updateInVmState(o.uuid, VmState.BUILDING, {
        vm_state: VmState.ERROR,
        task_state: null,
        updated_at: now,
      })
    ) {
      await faults.add({
        instance_uuid: o.uuid,
        code: 500,
        message: 'Build of instance was interrupted (the service restarted) and cannot resume.',
        details: null,
        host: null,
        created_at: now,
      });
      failed++;
    }
  }
  return { failed, requeued };
}
