// nova compute/api.py reject_instance_state: the opposite of check_instance_state — a deny-list.
import { InstanceInvalidState } from '../../errors.js';
import type { InstanceRow } from '../../db/repositories/instances-repo.js';

export function assertRejectedState(instance: InstanceRow, taskStates: readonly string[], method: string): void {
  if (instance.task_state && taskStates.includes(instance.task_state)) {
    throw new InstanceInvalidState('task_state', instance.task_state, method, instance.uuid);
  }
}
