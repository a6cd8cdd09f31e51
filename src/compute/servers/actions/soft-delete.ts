// Deferred delete (nova reclaim_instance_interval; compute/api.py soft_delete, restore,
// force_delete; manager soft_delete_instance, restore_instance, _reclaim_queued_deletes).
// With NOVADOCK_RECLAIM_INSTANCE_INTERVAL > 0 a DELETE of a launched, idle server powers its
// container off and leaves it SOFT_DELETED (quota still counted); `restore` starts it again,
// `forceDelete` deletes at once, and the reclaimer deletes those older than the interval.
// With 0 (the default) delete is immediate and no server ever becomes SOFT_DELETED.
import { randomUUID } from 'node:crypto';
import type { AuthContext } from '../../../identity/auth-context.js';
import { authorize } from '../../../identity/policy.js';
import type { InstanceRow } from '../../../db/repositories/instances-repo.js';
import type { ComputeApi } from '../compute-api.js';
import { TaskState, VmState } from '../states.js';
import { beginAction, type ActionApiDeps } from './begin-action.js';
import { DELETE_TASK, SOFT_DELETE_TASKS } from '../../tasks.js';

export class SoftDeleteApi {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly d: ActionApiDeps,
    private readonly compute: ComputeApi,
    /** seconds a soft-deleted server is kept; 0 turns deferred delete off */
    readonly intervalSeconds: number,
  ) {}

  get enabled(): boolean {
    return this.intervalSeconds > 0;
  }

  /**
   * Called by ComputeApi.delete: true when the delete became a soft delete. A server that never
   * launched, or has a task running, or is already soft-deleted is deleted for real (as Nova's
   * controller falls back to delete when soft_delete's state check fails).
   */
  async trySoftDelete(auth: AuthContext, requestId: string, instance: InstanceRow): Promise<boolean> {
    if (
      !this.enabled ||
      !instance.launched_at ||
      instance.task_state !== null ||
      instance.vm_state === VmState.SOFT_DELETED
    )
      return false;
    const now = this.d.clock.now().toISOString();
    await beginAction(this.d, {
      auth,
      requestId,
      instance,
      method: 'soft_delete',
      action: 'delete',
      taskState: TaskState.SOFT_DELETING,
      changes: { deleted_at: now },
      task: { kind: SOFT_DELETE_TASKS.softDelete },
    });
    return true;
  }

  /** restore: SOFT_DELETED only (409 otherwise) → restoring → ACTIVE, container started. */
  async restore(auth: AuthContext, requestId: string, instance: InstanceRow): Promise<void> {
    authorize(auth, 'write', 'os_compute_api:os-deferred-delete:restore');
    await beginAction(this.d, {
      auth,
      requestId,
      instance,
      method: 'restore',
      action: 'restore',
      vmStates: [VmState.SOFT_DELETED],
      taskState: TaskState.RESTORING,
      changes: { deleted_at: null },
      task: { kind: SOFT_DELETE_TASKS.restore },
    });
  }

  /** forceDelete: any vm_state (nova force_delete), the lock still applies; the delete is immediate. */
  async forceDelete(auth: AuthContext, requestId: string, instance: InstanceRow): Promise<void> {
    authorize(auth, 'write', 'os_compute_api:os-deferred-delete:force');
    await this.compute.delete(auth, requestId, instance.uuid, { force: true });
  }

  /** Deletes the soft-deleted servers older than the interval (nova _reclaim_queued_deletes). */
  async reclaimExpired(): Promise<number> {
    if (!this.enabled) return 0;
    const cutoff = new Date(this.d.clock.now().getTime() - this.intervalSeconds * 1000).toISOString();
    const rows = await this.d.instances.softDeletedBefore(cutoff);
    let n = 0;
    for (const r of rows) {
      // A system delete: no user; the CAS skips a server a user is restoring meanwhile.
      const requestId = `req-${randomUUID()}`;
      try {
        await this.d.db.transaction(async (trx) => {
          await this.d.instances.updateWithExpectedTaskState(
            r.uuid,
            { task_state: TaskState.DELETING, updated_at: this.d.clock.now().toISOString() },
            [null],
            trx,
          );
          await this.d.actions.start(trx, {
            instanceUuid: r.uuid,
            action: 'delete',
            requestId,
            userId: null,
            projectId: r.project_id,
          });
          await this.d.worker.enqueue(trx, { instanceUuid: r.uuid, kind: DELETE_TASK, requestId });
        });
        n++;
      } catch {
        /* taken over meanwhile: skip */
      }
    }
    return n;
  }

  startReclaimer(): void {
    if (!this.enabled || this.timer) return;
    const every = Math.max(1, Math.min(this.intervalSeconds, 60)) * 1000;
    this.timer = setInterval(() => {
      this.reclaimExpired().catch(() => undefined);
    }, every);
    this.timer.unref();
  }

  stopReclaimer(): void {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }
}
