import { isAdmin } from '../../identity/auth-context.js';
import { authorize } from '../../identity/policy.js';
import { Forbidden } from '../../errors.js';
import { beginAction } from './begin-action.js';
export class LockApi {
    d;
    constructor(d) {
        this.d = d;
    }
    async lock(auth, requestId, instance, reason) {
        authorize(auth, 'write', 'os_compute_api:os-lock-server:lock');
        const lockedBy = instance.project_id === auth.projectId ? 'owner' : 'admin';
        await beginAction(this.d, {
            auth, requestId, instance, method: 'lock', action: 'lock', checkLock: false, taskStates: 'any',
            taskState: null, changes: { locked: true, locked_by: lockedBy, locked_reason: reason },
        });
    }
    async unlock(auth, requestId, instance) {
        authorize(auth, 'write', 'os_compute_api:os-lock-server:unlock');
        const expected = instance.project_id === auth.projectId ? 'owner' : 'admin';
        if (instance.locked && instance.locked_by !== expected && !isAdmin(auth)) {
            throw new Forbidden("Policy doesn't allow os_compute_api:os-lock-server:unlock:unlock_override to be performed.");
        }
        await beginAction(this.d, {
            auth, requestId, instance, method: 'unlock', action: 'unlock', checkLock: false, taskStates: 'any',
            taskState: null, changes: { locked: false, locked_by: null, locked_reason: null },
        });
    }
}
//# sourceMappingURL=lock.js.map