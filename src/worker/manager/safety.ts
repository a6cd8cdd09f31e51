// Nova's manager safety wrappers (compute/manager.py): wrap_instance_fault records a fault for any
// failure; reverts_task_state puts task_state back to None when the work fails, unless someone
// else (a delete) has taken the server over in the meantime.
import { UnexpectedTaskState, InstanceNotFound, ApiError } from '../../errors.js';
import { VmState } from '../../compute/servers/states.js';
import type { InstanceRow } from '../../db/repositories/instances-repo.js';
import type { ManagerDeps } from './deps.js';

/** Nova's fault code: the exception's HTTP code when it has one, else 500. */
export function faultCode(err: unknown): number {
  return err instanceof ApiError && err.status >= 400 ? err.status : 500;
}

export function faultMessage(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return m.length > 255 ? `${m.slice(0, 252)}...` : m;
}

export async function recordFault(d: ManagerDeps, uuid: string, err: unknown, host: string | null): Promise<void> {
  try {
    await d.faults.add({
      instance_uuid: uuid,
      code: faultCode(err),
      message: faultMessage(err),
      details: err instanceof Error ? (err.stack ?? null) : null,
      host,
      created_at: d.clock.now().toISOString(),
    });
  } catch (e) {
    d.log.warn({ err: e, instance: uuid }, 'could not record instance fault');
  }
}

/** True when a CAS failed because the server was deleted or taken over (e.g. by a delete). */
export function isPreempted(err: unknown): boolean {
  return err instanceof UnexpectedTaskState || (err instanceof ApiError && err.status === 404);
}

/**
 * Runs `fn` for a server action whose task_state is `taskState`. On failure: records a fault,
 * reverts task_state to None (only if it is still `taskState`), optionally sets `errorVmState`,
 * and rethrows nothing — the server is left clean and the task ends.
 */
export async function withInstanceSafety(
  d: ManagerDeps,
  instance: InstanceRow,
  opts: { taskState: string; errorVmState?: string; host: string | null },
  fn: () => Promise<void>,
): Promise<boolean> {
  try {
    await fn();
    return true;
  } catch (err) {
    if (isPreempted(err)) return false;
    d.log.warn({ err, instance: instance.uuid, task: opts.taskState }, 'instance task failed');
    await recordFault(d, instance.uuid, err, opts.host);
    const changes: Partial<InstanceRow> = { task_state: null, updated_at: d.clock.now().toISOString() };
    if (opts.errorVmState) changes.vm_state = opts.errorVmState;
    await d.instances.updateWithExpectedTaskState(instance.uuid, changes, [opts.taskState]).catch((e) => {
      if (!isPreempted(e) && !(e instanceof Error && e.message === InstanceNotFound(instance.uuid).message)) throw e;
    });
    return false;
  }
}

export { VmState };
