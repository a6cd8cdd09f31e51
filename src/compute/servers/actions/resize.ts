// resize, confirmResize, revertResize (nova compute/api.py). A container has no disk to copy and
// no host to move to, so a resize is applying the new flavor's limits in place (docker update);
// the state machine is Nova's: resize_prep → … → resized (VERIFY_RESIZE), then confirm (→ ACTIVE
// or SHUTOFF as before) or revert (resize_reverting → the old flavor and limits back). The old
// flavor and vm_state wait in system metadata between the steps. Quota is checked for the delta.
// As Nova, every resize has a migration record (type resize, source = destination host here):
// created pre-migrating with the claim, moved on by the worker (manager/resize.ts), confirmed or
// reverted at the end.
import type { Transaction } from '../../../db/knex.js';
import type { AuthContext } from '../../../identity/auth-context.js';
import { authorize } from '../../../identity/policy.js';
import { type FlavorSnapshot, type InstanceRow, flavorOf } from '../../../db/repositories/instances-repo.js';
import { SysMetaKey } from '../../../db/repositories/instance-system-metadata-repo.js';
import type { FlavorRow } from '../../../db/repositories/flavors-repo.js';
import { BadRequest } from '../../../errors.js';
import { assertNotLocked, assertState } from '../guards.js';
import { TaskState, VmState } from '../states.js';
import { lastPathSegment } from '../compute-api.js';
import { beginTask } from './begin-task.js';
import type { ActionApiDeps } from './deps.js';
import { RESIZE_MIGRATION, RESIZE_TASK, REVERT_RESIZE_TASK } from '../../tasks.js';

/** nova: @check_instance_state(vm_state=[ACTIVE, STOPPED], task_state=[None]) on resize. */
export const RESIZE_VM_STATES: readonly string[] = [VmState.ACTIVE, VmState.STOPPED];

/** The flavor columns of a server row, as system metadata keeps them for revert. */
export interface StoredFlavor {
  flavor_id: string;
  vcpus: number;
  memory_mb: number;
  root_gb: number;
  ephemeral_gb: number;
  swap_mb: number;
  flavor_json: string;
}

export function storedFlavorOf(row: InstanceRow): StoredFlavor {
  return {
    flavor_id: row.flavor_id,
    vcpus: row.vcpus,
    memory_mb: row.memory_mb,
    root_gb: row.root_gb,
    ephemeral_gb: row.ephemeral_gb,
    swap_mb: row.swap_mb,
    flavor_json: row.flavor_json,
  };
}

export class ServerResizes {
  constructor(private readonly d: ActionApiDeps) {}

  async resize(auth: AuthContext, requestId: string, row: InstanceRow, flavorRef: string): Promise<void> {
    authorize(auth, 'write', 'os_compute_api:servers:resize');
    assertNotLocked(row, auth);
    assertState(row, { vmState: RESIZE_VM_STATES, taskState: [null] }, 'resize');
    const flavorId = lastPathSegment(flavorRef);
    const flavor = await this.d.flavors.find(flavorId, auth);
    if (!flavor || flavor.disabled) throw new BadRequest('Unable to locate requested flavor.');
    if (flavor.id === row.flavor_id) throw new BadRequest('When resizing, instances must change flavor!');
    if (flavor.root_gb < row.root_gb) throw new BadRequest('Resize error: Unable to resize disk down.');
    const target = await this.stored(flavor);
    await beginTask(this.d, auth, requestId, row, {
      action: 'resize',
      taskState: TaskState.RESIZE_PREP,
      kind: RESIZE_TASK,
      within: async (trx) => {
        await this.d.quotas.assertCanResize(
          trx,
          row.project_id,
          { cores: flavor.vcpus - row.vcpus, ramMb: flavor.memory_mb - row.memory_mb },
          row.user_id,
        );
        await this.d.sysmeta.set(
          row.uuid,
          {
            [SysMetaKey.OLD_FLAVOR]: JSON.stringify(storedFlavorOf(row)),
            [SysMetaKey.NEW_FLAVOR]: JSON.stringify(target),
            [SysMetaKey.OLD_VM_STATE]: row.vm_state,
          },
          trx,
        );
        // nova conductor MigrationTask._preallocate_migration: the requester's record, no destination yet.
        await this.d.migrations.create(
          {
            instanceUuid: row.uuid,
            migrationType: RESIZE_MIGRATION,
            status: 'pre-migrating',
            hostId: row.host_id ?? null,
            oldFlavorId: row.flavor_id,
            newFlavorId: flavor.id,
            userId: auth.userId,
            projectId: auth.projectId,
            now: this.d.clock.now().toISOString(),
          },
          trx,
        );
      },
    });
  }

  /** 204: the new flavor stays; the server goes back to ACTIVE or SHUTOFF (nothing for Docker to do). */
  async confirmResize(auth: AuthContext, requestId: string, row: InstanceRow): Promise<void> {
    authorize(auth, 'write', 'os_compute_api:servers:confirm_resize');
    assertNotLocked(row, auth);
    assertState(row, { vmState: [VmState.RESIZED], taskState: [null] }, 'confirmResize');
    const sys = await this.d.sysmeta.get(row.uuid);
    await this.d.db.transaction(async (trx) => {
      await this.d.instances.updateWithExpectedTaskState(
        row.uuid,
        {
          vm_state: sys[SysMetaKey.OLD_VM_STATE] === VmState.STOPPED ? VmState.STOPPED : VmState.ACTIVE,
          updated_at: this.d.clock.now().toISOString(),
        },
        [null],
        trx,
      );
      await this.d.sysmeta.remove(
        row.uuid,
        [SysMetaKey.OLD_FLAVOR, SysMetaKey.NEW_FLAVOR, SysMetaKey.OLD_VM_STATE],
        trx,
      );
      const id = await this.d.actions.start(trx, {
        instanceUuid: row.uuid,
        action: 'confirmResize',
        requestId,
        userId: auth.userId,
        projectId: auth.projectId,
      });
      await this.d.actions.markFinished(trx, id);
      // Nova: confirming (API) then confirmed (compute, drop_move_claim_at_source); one step here.
      await this.moveMigration(trx, row.uuid, 'confirmed');
    });
    await this.d.actions.event(row.uuid, requestId, 'compute_confirm_resize', null, async () => undefined);
  }

  /** 202: resize_reverting (REVERT_RESIZE) until the worker has put the old limits back. */
  async revertResize(auth: AuthContext, requestId: string, row: InstanceRow): Promise<void> {
    authorize(auth, 'write', 'os_compute_api:servers:revert_resize');
    assertNotLocked(row, auth);
    assertState(row, { vmState: [VmState.RESIZED], taskState: [null] }, 'revertResize');
    const sys = await this.d.sysmeta.get(row.uuid);
    const old = sys[SysMetaKey.OLD_FLAVOR] ? (JSON.parse(sys[SysMetaKey.OLD_FLAVOR]) as StoredFlavor) : undefined;
    if (!old) throw new BadRequest('Instance has not been resized.');
    await beginTask(this.d, auth, requestId, row, {
      action: 'revertResize',
      taskState: TaskState.RESIZE_REVERTING,
      kind: REVERT_RESIZE_TASK,
      within: async (trx) => {
        await this.d.quotas.assertCanResize(
          trx,
          row.project_id,
          { cores: old.vcpus - row.vcpus, ramMb: old.memory_mb - row.memory_mb },
          row.user_id,
        );
        await this.moveMigration(trx, row.uuid, 'reverting');
      },
    });
  }

  /**
   * The server's finished resize record to `status` (Nova finds it by status 'finished'). A resize
   * whose record is missing (made before records were kept) is confirmed or reverted all the same.
   */
  private async moveMigration(trx: Transaction, uuid: string, status: string): Promise<void> {
    const m = await this.d.migrations.latestFor(uuid, RESIZE_MIGRATION, ['finished'], trx);
    if (m) await this.d.migrations.update(m.id, { status }, this.d.clock.now().toISOString(), trx);
  }

  private async stored(flavor: FlavorRow): Promise<StoredFlavor> {
    const snapshot: FlavorSnapshot = {
      id: flavor.id,
      name: flavor.name,
      memory_mb: flavor.memory_mb,
      vcpus: flavor.vcpus,
      root_gb: flavor.root_gb,
      ephemeral_gb: flavor.ephemeral_gb,
      swap: flavor.swap,
      extra_specs: await this.d.flavors.extraSpecs(flavor.id),
    };
    return {
      flavor_id: flavor.id,
      vcpus: flavor.vcpus,
      memory_mb: flavor.memory_mb,
      root_gb: flavor.root_gb,
      ephemeral_gb: flavor.ephemeral_gb,
      swap_mb: flavor.swap,
      flavor_json: JSON.stringify(snapshot),
    };
  }
}

export { flavorOf };
