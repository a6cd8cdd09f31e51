// Declarative state guards (nova compute/api.py check_instance_state, check_instance_lock).
// Every ComputeApi method begins with one of these; a refusal is Nova's 409.
import { Conflict, InstanceInvalidState, InstanceIsLocked } from '../../errors.js';
import { type AuthContext, isAdmin } from '../../identity/auth-context.js';
import type { InstanceRow } from '../../db/repositories/instances-repo.js';

export interface StateRule {
  /** allowed vm_states; undefined = any */
  vmState?: readonly string[];
  /** allowed task_states (null = idle); undefined = any. Nova's default is [null]. */
  taskState?: readonly (string | null)[];
}

/** Throws InstanceInvalidState ("Cannot '<method>' instance <id> while it is in vm_state x"). */
export function assertState(instance: InstanceRow, rule: StateRule, method: string): void {
  if (rule.vmState && !rule.vmState.includes(instance.vm_state)) {
    throw new InstanceInvalidState('vm_state', instance.vm_state, method, instance.uuid);
  }
  const taskRule = rule.taskState === undefined ? undefined : rule.taskState;
  if (taskRule && !taskRule.includes(instance.task_state)) {
    throw new InstanceInvalidState('task_state', instance.task_state, method, instance.uuid);
  }
}

/** A locked server refuses changes from non-admins (nova check_instance_lock). */
export function assertNotLocked(instance: InstanceRow, auth: AuthContext): void {
  if (instance.locked && !isAdmin(auth)) throw new InstanceIsLocked(instance.uuid);
}

/**
 * check_instance_state(must_have_launched=True), Nova's default wherever a state is checked: a
 * server that never became ACTIVE (a failed build) has nothing to act on.
 */
export function assertLaunched(instance: InstanceRow, method: string): void {
  if (!instance.launched_at)
    throw new Conflict(`Cannot '${method}' instance ${instance.uuid} while it is in launched_at None`);
}

/** check_instance_lock + check_instance_state(…, must_have_launched=True): the opening of most actions. */
export function assertActionable(instance: InstanceRow, auth: AuthContext, rule: StateRule, method: string): void {
  assertNotLocked(instance, auth);
  assertState(instance, rule, method);
  assertLaunched(instance, method);
}
