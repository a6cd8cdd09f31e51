// nova compute/api.py reject_instance_state: the opposite of check_instance_state — a deny-list.
import { InstanceInvalidState } from '../../errors.js';
export function assertRejectedState(instance, taskStates, method) {
    if (instance.task_state && taskStates.includes(instance.task_state)) {
        throw new InstanceInvalidState('task_state', instance.task_state, method, instance.uuid);
    }
}
//# sourceMappingURL=guards-extra.js.map