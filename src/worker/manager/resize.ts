// Resize in place (nova compute manager prep_resize / resize_instance / finish_resize, and
// revert_resize / finish_revert_resize): the container keeps running (or stopped) and gets the
// new flavor's memory, CPU and pids limits through `docker update`; the server row takes the new
// flavor and goes to resized (VERIFY_RESIZE). Revert applies the old limits and flavor and goes
// back to the vm_state before the resize. A failure puts the old limits back, records a fault and
// leaves the server as it was before the action.
// The migration record (created pre-migrating by the API) moves where Nova moves it: the
// destination's claim fills dest_* (prep_resize), migrating / post-migrating around the
// RESIZE_MIGRATING / RESIZE_MIGRATED steps (resize_instance), finished before the server is
// resized (finish_resize); a revert ends reverted; any failure is error (errors_out_migration).
// The instance action events carry Nova's names: the conductor's two, then one per compute step.
import type { TaskHandler } from '../task-runner.js';
import { SysMetaKey } from '../../db/repositories/instance-system-metadata-repo.js';
import type { InstanceRow } from '../../db/repositories/instances-repo.js';
import type { MigrationRow } from '../../db/repositories/migrations-repo.js';
import { hostIpOf } from '../../compute/hosts/compute-services.js';
import { TaskState, VmState } from '../../compute/servers/states.js';
import type { ActionManagerDeps } from './deps.js';
import type { StoredFlavor } from '../../compute/servers/actions/resize.js';
import { failAction, hostAndDriver, pidsLimitOf, step } from './respawn.js';
import { RESIZE_MIGRATION } from '../../compute/tasks.js';

const RESIZE_TASK_STATES = [
  TaskState.RESIZE_PREP,
  TaskState.RESIZE_MIGRATING,
  TaskState.RESIZE_MIGRATED,
  TaskState.RESIZE_FINISH,
];
/** Statuses of a resize record still under way (a resumed task finds it in any of them). */
const IN_PROGRESS = ['pre-migrating', 'migrating', 'post-migrating'];

async function applyLimits(d: ActionManagerDeps, instance: InstanceRow, f: StoredFlavor): Promise<void> {
  const { driver } = await hostAndDriver(d, instance);
  await driver.updateResources(instance.uuid, { memoryMb: f.memory_mb, vcpus: f.vcpus, pidsLimit: pidsLimitOf(d, f) });
}

/** A step of the record; without one (a resize begun before records were kept) nothing to move. */
async function moveMigration(
  d: ActionManagerDeps,
  m: MigrationRow | undefined,
  changes: Partial<MigrationRow>,
): Promise<void> {
  if (m) await d.migrations.update(m.id, changes, d.clock.now().toISOString());
}

export function resizeHandler(d: ActionManagerDeps): TaskHandler {
  return async (ctx) => {
    const instance = await d.instances.findByUuid(ctx.instanceUuid);
    // A resumed task starts over: docker update is safe to repeat.
    if (!instance || instance.deleted || !RESIZE_TASK_STATES.includes(instance.task_state as never)) return;
    const sys = await d.sysmeta.get(instance.uuid);
    const target = JSON.parse(sys[SysMetaKey.NEW_FLAVOR]) as StoredFlavor;
    const newest = await d.migrations.latest(instance.uuid, RESIZE_MIGRATION);
    const migration = newest && IN_PROGRESS.includes(newest.status ?? '') ? newest : undefined;
    const event = (name: string, host: string | null, fn: () => Promise<void>) =>
      d.actions.event(instance.uuid, ctx.requestId, name, host, fn);
    let limitsChanged = false;
    try {
      // The conductor picks the destination: the server's own host (a resize in place). Nova's
      // conductor records two events, its migrate_server and the cold_migrate inside it.
      await event('conductor_migrate_server', null, () => event('cold_migrate', null, async () => undefined));
      const { host } = await hostAndDriver(d, instance);
      await event('compute_prep_resize', host.name, () =>
        moveMigration(d, migration, {
          dest_compute: host.name,
          dest_node: host.name,
          dest_host: hostIpOf(host.docker_url),
          status: 'pre-migrating',
        }),
      );
      await event('compute_resize_instance', host.name, async () => {
        await moveMigration(d, migration, { status: 'migrating' });
        await step(d, instance.uuid, RESIZE_TASK_STATES, TaskState.RESIZE_MIGRATING);
        await moveMigration(d, migration, { status: 'post-migrating' });
        await step(d, instance.uuid, [TaskState.RESIZE_MIGRATING], TaskState.RESIZE_MIGRATED);
      });
      await event('compute_finish_resize', host.name, async () => {
        await step(d, instance.uuid, [TaskState.RESIZE_MIGRATED], TaskState.RESIZE_FINISH);
        limitsChanged = true;
        await applyLimits(d, instance, target);
        await moveMigration(d, migration, { status: 'finished' });
        await step(d, instance.uuid, [TaskState.RESIZE_FINISH], null, { ...target, vm_state: VmState.RESIZED });
      });
    } catch (err) {
      await moveMigration(d, migration, { status: 'error' }).catch(() => undefined);
      if (limitsChanged) await applyLimits(d, instance, storedOf(instance)).catch(() => undefined);
      await d.sysmeta
        .remove(instance.uuid, [SysMetaKey.OLD_FLAVOR, SysMetaKey.NEW_FLAVOR, SysMetaKey.OLD_VM_STATE])
        .catch(() => undefined);
      await failAction(d, instance.uuid, err, null, RESIZE_TASK_STATES);
    }
  };
}

export function revertResizeHandler(d: ActionManagerDeps): TaskHandler {
  return async (ctx) => {
    const instance = await d.instances.findByUuid(ctx.instanceUuid);
    if (!instance || instance.deleted || instance.task_state !== TaskState.RESIZE_REVERTING) return;
    const sys = await d.sysmeta.get(instance.uuid);
    // The record the API set reverting (already reverted when a resumed task starts over).
    const newest = await d.migrations.latest(instance.uuid, RESIZE_MIGRATION);
    const migration = newest && ['reverting', 'reverted'].includes(newest.status ?? '') ? newest : undefined;
    const event = (name: string, fn: () => Promise<void>) =>
      d.actions.event(instance.uuid, ctx.requestId, name, null, fn);
    try {
      // nova revert_resize at the destination: its claim dropped, the record reverted.
      await event('compute_revert_resize', () => moveMigration(d, migration, { status: 'reverted' }));
      await event('compute_finish_revert_resize', async () => {
        const old = JSON.parse(sys[SysMetaKey.OLD_FLAVOR]) as StoredFlavor;
        await applyLimits(d, instance, old);
        const vmState = sys[SysMetaKey.OLD_VM_STATE] === VmState.STOPPED ? VmState.STOPPED : VmState.ACTIVE;
        await step(d, instance.uuid, [TaskState.RESIZE_REVERTING], null, { ...old, vm_state: vmState });
        await d.sysmeta.remove(instance.uuid, [SysMetaKey.OLD_FLAVOR, SysMetaKey.NEW_FLAVOR, SysMetaKey.OLD_VM_STATE]);
        await moveMigration(d, migration, { status: 'reverted' });
      });
    } catch (err) {
      await moveMigration(d, migration, { status: 'error' }).catch(() => undefined);
      // Still resized with the new flavor: the user may revert again or confirm (the record stays error).
      await failAction(d, instance.uuid, err, null, [TaskState.RESIZE_REVERTING]);
    }
  };
}

function storedOf(row: InstanceRow): StoredFlavor {
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
