// Nova's check_instance_lock + check_instance_state (with must_have_launched) as the attach and
// detach calls of os-interface and os-volume_attachments, and the live-migration abort and
// force-complete calls, apply them before anything is looked up.
import { Conflict } from '../../errors';
import type { AuthContext } from '../../identity/auth-context';
import type { InstanceRow } from '../../db/repositories/instances-repo';
import { assertNotLocked, assertState, type StateRule } from '../../compute/guards';

export function assertInstanceState(auth: AuthContext, row: InstanceRow, rule: StateRule, method: string): void {
  assertNotLocked(row, auth);
  assertState(row, rule, method);
  if (!row.launched_at) throw new Conflict(`Cannot '${method}' instance ${row.uuid} while it is in launched_at None`);
}

/** The attach/detach rule: one of `vmStates`, no task in progress. */
export function assertAttachable(auth: AuthContext, row: InstanceRow, vmStates: readonly string[], method: string): void {
  assertInstanceState(auth, row, { vmState: vmStates, taskState: [null] }, method);
}
