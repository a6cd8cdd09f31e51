// The common opening of every server action (nova compute/api.py: check_instance_lock, then
// check_instance_state, then instance.save(expected_task_state=…) and record_action_start, then the
// RPC cast). One transaction: the task_state compare-and-swap is the lock, the instance-action row
// is the audit record, and the task row makes the work durable; the worker runs it after commit.
import type { Database } from '../../../db/knex.js';
import type { Clock } from '../../../db/time.js';
import type { AuthContext } from '../../../identity/auth-context.js';
import type { InstanceRow, InstancesRepo } from '../../../db/repositories/instances-repo.js';
import type { TaskQueue } from '../../tasks.js';
import type { InstanceActions } from '../instance-actions.js';
import { assertLaunched, assertNotLocked, assertState } from '../guards.js';
import { assertHostUp, type HostDown } from './host-up.js';

export interface ActionApiDeps {
  db: Database;
  clock: Clock;
  instances: InstancesRepo;
  worker: TaskQueue;
  actions: InstanceActions;
  /** the host's name when its compute service is down (heartbeat), else null */
  hostDown?: HostDown;
}

export interface BeginActionSpec {
  auth: AuthContext;
  requestId: string;
  instance: InstanceRow;
  /** Nova's method name, as quoted in the 409 ("Cannot 'stop' instance …") */
  method: string;
  /** the os-instance-actions name (nova compute/instance_actions.py) */
  action: string;
  /** allowed vm_states (undefined: any) */
  vmStates?: readonly string[];
  /** allowed task_states; Nova's default is idle only; 'any' for the actions that ignore it */
  taskStates?: readonly (string | null)[] | 'any';
  /** false where Nova passes must_have_launched=False (checked only together with vmStates) */
  mustHaveLaunched?: boolean;
  /** false for the actions Nova does not lock-check (lock, unlock, resetState…) */
  checkLock?: boolean;
  /** the task_state claimed for the work (null: none, e.g. a synchronous action) */
  taskState: string | null;
  /** other columns written with the claim */
  changes?: Partial<InstanceRow>;
  /** the worker task to enqueue (omitted: the action is finished by the caller) */
  task?: { kind: string; payload?: object };
}

/** Guards, claims, records and enqueues; throws Nova's 409s. Returns the claimed row. */
export async function beginAction(d: ActionApiDeps, s: BeginActionSpec): Promise<InstanceRow> {
  if (s.checkLock !== false) assertNotLocked(s.instance, s.auth);
  const taskStates = s.taskStates ?? [null];
  assertState(s.instance, { vmState: s.vmStates, taskState: taskStates === 'any' ? undefined : taskStates }, s.method);
  if (s.vmStates && s.mustHaveLaunched !== false) assertLaunched(s.instance, s.method);
  // Work for a host whose engine does not answer would only fail later: refuse it now, with the
  // reason (issues 8 and 17; host-up.ts). Actions without worker work only change the database.
  if (s.task) await assertHostUp(d.hostDown, s.instance, s.method);
  const now = d.clock.now().toISOString();
  const changes: Partial<InstanceRow> = { ...s.changes, updated_at: now };
  if (s.taskState !== null || s.task) changes.task_state = s.taskState;
  await d.db.transaction(async (trx) => {
    if (taskStates === 'any') await d.instances.update(s.instance.uuid, changes, trx);
    else await d.instances.updateWithExpectedTaskState(s.instance.uuid, changes, taskStates, trx);
    await d.actions.start(trx, {
      instanceUuid: s.instance.uuid,
      action: s.action,
      requestId: s.requestId,
      userId: s.auth.userId,
      projectId: s.auth.projectId,
    });
    if (s.task) {
      await d.worker.enqueue(trx, {
        instanceUuid: s.instance.uuid,
        kind: s.task.kind,
        payload: s.task.payload,
        requestId: s.requestId,
      });
    }
  });
  return { ...s.instance, ...changes };
}
