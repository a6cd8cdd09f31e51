// The common opening of an asynchronous server action (nova compute/api.py): in one transaction,
// take the task_state lock (compare-and-swap from idle), write any other changes, record the
// instance action and enqueue the worker's task. Losing the race is Nova's 409.
import type { Transaction } from '../../../db/knex.js';
import type { AuthContext } from '../../../identity/auth-context.js';
import type { InstanceRow } from '../../../db/repositories/instances-repo.js';
import type { ActionApiDeps } from './deps.js';
import { assertHostUp } from './host-up.js';

export interface BeginTask {
  /** instance action name as os-instance-actions shows it (createImage, rebuild …) */
  action: string;
  taskState: string;
  kind: string;
  payload?: object;
  /** further column changes made with the task_state change */
  changes?: Partial<InstanceRow>;
  /** extra writes in the same transaction (system metadata, quota check …) */
  within?: (trx: Transaction) => Promise<void>;
}

export async function beginTask(
  d: ActionApiDeps,
  auth: AuthContext,
  requestId: string,
  row: InstanceRow,
  t: BeginTask,
): Promise<void> {
  await assertHostUp(d.hostDown, row, t.action);
  await d.db.transaction(async (trx) => {
    if (t.within) await t.within(trx);
    await d.instances.updateWithExpectedTaskState(
      row.uuid,
      {
        ...(t.changes ?? {}),
        task_state: t.taskState,
        updated_at: d.clock.now().toISOString(),
      },
      [null],
      trx,
    );
    await d.actions.start(trx, {
      instanceUuid: row.uuid,
      action: t.action,
      requestId,
      userId: auth.userId,
      projectId: auth.projectId,
    });
    await d.worker.enqueue(trx, { instanceUuid: row.uuid, kind: t.kind, payload: t.payload ?? {}, requestId });
  });
}
