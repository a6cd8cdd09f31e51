// lock / unlock (nova compute/api.py lock, unlock, is_expected_locked_by; api/openstack/compute/
// lock_server.py). No state check and no lock check, as Nova. locked_by is 'owner' when the
// caller's project owns the server, else 'admin'; unlocking an admin's lock takes the
// unlock_override rule (admin), otherwise 403.
import { type AuthContext, isAdmin } from '../../../identity/auth-context.js';
import { authorize } from '../../../identity/policy.js';
import { PolicyForbids } from '../../../errors.js';
import type { InstanceRow } from '../../../db/repositories/instances-repo.js';
import { beginAction, type ActionApiDeps } from './begin-action.js';

export class LockApi {
  constructor(private readonly d: ActionApiDeps) {}

  async lock(auth: AuthContext, requestId: string, instance: InstanceRow, reason: string | null): Promise<void> {
    authorize(auth, 'write', 'os_compute_api:os-lock-server:lock');
    const lockedBy = instance.project_id === auth.projectId ? 'owner' : 'admin';
    await beginAction(this.d, {
      auth,
      requestId,
      instance,
      method: 'lock',
      action: 'lock',
      checkLock: false,
      taskStates: 'any',
      taskState: null,
      changes: { locked: true, locked_by: lockedBy, locked_reason: reason },
    });
  }

  async unlock(auth: AuthContext, requestId: string, instance: InstanceRow): Promise<void> {
    authorize(auth, 'write', 'os_compute_api:os-lock-server:unlock');
    const expected = instance.project_id === auth.projectId ? 'owner' : 'admin';
    if (instance.locked && instance.locked_by !== expected && !isAdmin(auth)) {
      throw PolicyForbids('os_compute_api:os-lock-server:unlock:unlock_override');
    }
    await beginAction(this.d, {
      auth,
      requestId,
      instance,
      method: 'unlock',
      action: 'unlock',
      checkLock: false,
      taskStates: 'any',
      taskState: null,
      changes: { locked: false, locked_by: null, locked_reason: null },
    });
  }
}
