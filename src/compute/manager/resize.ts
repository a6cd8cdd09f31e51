// Resize in place (nova compute manager prep_resize / resize_instance / finish_resize, and
// revert_resize / finish_revert_resize): the container keeps running (or stopped) and gets the
// new flavor's memory, CPU and pids limits through `docker update`; the server row takes the new
// flavor and goes to resized (VERIFY_RESIZE). Revert applies the old limits and flavor and goes
// back to the vm_state before the resize. A failure puts the old limits back, records a fault and
// leaves the server as it was before the action.
import type { TaskHandler } from '../worker/task-runner';
import { SysMetaKey } from '../../db/repositories/instance-system-metadata-repo';
import type { InstanceRow } from '../../db/repositories/instances-repo';
import { TaskState, VmState } from '../states';
import type { ActionManagerDeps } from '../api/deps';
import type { StoredFlavor } from '../api/resize';
import { failAction, hostAndDriver, pidsLimitOf, step } from './respawn';

export const RESIZE_TASK = 'resize';
export const REVERT_RESIZE_TASK = 'revert_resize';

const RESIZE_TASK_STATES = [TaskState.RESIZE_PREP, TaskState.RESIZE_MIGRATING, TaskState.RESIZE_MIGRATED, TaskState.RESIZE_FINISH];

async function applyLimits(d: ActionManagerDeps, instance: InstanceRow, f: StoredFlavor): Promise<void> {
  const { driver } = await hostAndDriver(d, instance);
  await driver.updateResources(instance.uuid, { memoryMb: f.memory_mb, vcpus: f.vcpus, pidsLimit: pidsLimitOf(d, f) });
}

export function resizeHandler(d: ActionManagerDeps): TaskHandler {
  return async (ctx) => {
    const instance = await d.instances.findByUuid(ctx.instanceUuid);
    // A resumed task starts over: docker update is safe to repeat.
    if (!instance || instance.deleted || !RESIZE_TASK_STATES.includes(instance.task_state as never)) return;
    const sys = await d.sysmeta.get(instance.uuid);
    const target = JSON.parse(sys[SysMetaKey.NEW_FLAVOR]) as StoredFlavor;
    let limitsChanged = false;
    try {
      await d.actions.event(instance.uuid, ctx.requestId, 'compute_resize_instance', null, async () => {
        await step(d, instance.uuid, RESIZE_TASK_STATES, TaskState.RESIZE_MIGRATING);
        await step(d, instance.uuid, [TaskState.RESIZE_MIGRATING], TaskState.RESIZE_MIGRATED);
        await step(d, instance.uuid, [TaskState.RESIZE_MIGRATED], TaskState.RESIZE_FINISH);
        limitsChanged = true;
        await applyLimits(d, instance, target);
        await step(d, instance.uuid, [TaskState.RESIZE_FINISH], null, { ...target, vm_state: VmState.RESIZED });
      });
    } catch (err) {
      if (limitsChanged) await applyLimits(d, instance, storedOf(instance)).catch(() => undefined);
      await d.sysmeta.remove(instance.uuid, [SysMetaKey.OLD_FLAVOR, SysMetaKey.NEW_FLAVOR, SysMetaKey.OLD_VM_STATE]).catch(() => undefined);
      await failAction(d, instance.uuid, err, null, RESIZE_TASK_STATES);
    }
  };
}

export function revertResizeHandler(d: ActionManagerDeps): TaskHandler {
  return async (ctx) => {
    const instance = await d.instances.findByUuid(ctx.instanceUuid);
    if (!instance || instance.deleted || instance.task_state !== TaskState.RESIZE_REVERTING) return;
    const sys = await d.sysmeta.get(instance.uuid);
    try {
      await d.actions.event(instance.uuid, ctx.requestId, 'compute_revert_resize', null, async () => {
        const old = JSON.parse(sys[SysMetaKey.OLD_FLAVOR]) as StoredFlavor;
        await applyLimits(d, instance, old);
        const vmState = sys[SysMetaKey.OLD_VM_STATE] === VmState.STOPPED ? VmState.STOPPED : VmState.ACTIVE;
        await step(d, instance.uuid, [TaskState.RESIZE_REVERTING], null, { ...old, vm_state: vmState });
        await d.sysmeta.remove(instance.uuid, [SysMetaKey.OLD_FLAVOR, SysMetaKey.NEW_FLAVOR, SysMetaKey.OLD_VM_STATE]);
      });
    } catch (err) {
      // Still resized with the new flavor: the user may revert again or confirm.
      await failAction(d, instance.uuid, err, null, [TaskState.RESIZE_REVERTING]);
    }
  };
}

function storedOf(row: InstanceRow): StoredFlavor {
  return {
    flavor_id: row.flavor_id, vcpus: row.vcpus, memory_mb: row.memory_mb, root_gb: row.root_gb,
    ephemeral_gb: row.ephemeral_gb, swap_mb: row.swap_mb, flavor_json: row.flavor_json,
  };
}
