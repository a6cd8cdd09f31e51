// Rebuild (nova compute manager rebuild_instance): rebuilding → rebuild_spawning: remove the
// container, spawn a new one from the new image with the same uuid, name, flavor limits and
// network, and a regenerated config drive. A server that was SHUTOFF is stopped again and stays
// SHUTOFF; ACTIVE and ERROR end ACTIVE. Failure: ERROR with a fault (nova does the same).
import type { TaskHandler } from '../task-runner.js';
import type { ComputeHostRow } from '../../db/repositories/hosts-repo.js';
import { TaskState, VmState } from '../../compute/servers/states.js';
import type { ActionManagerDeps } from './deps.js';
import { failAction, networkInfoAfterSpawn, spawnFromImage, step } from './respawn.js';
import type { RebuildPayload } from '../../compute/tasks.js';
import { PowerState } from '../../virt/power-state.js';

const REBUILD_TASK_STATES = [TaskState.REBUILDING, TaskState.REBUILD_BLOCK_DEVICE_MAPPING, TaskState.REBUILD_SPAWNING];

export function rebuildHandler(d: ActionManagerDeps): TaskHandler<RebuildPayload> {
  return async (ctx) => {
    const instance = await d.instances.findByUuid(ctx.instanceUuid);
    // A resumed task (process died half-way) starts over: destroy + spawn are safe to repeat.
    if (!instance || instance.deleted || !REBUILD_TASK_STATES.includes(instance.task_state as never)) return;
    let host: ComputeHostRow | undefined;
    try {
      await d.actions.event(instance.uuid, ctx.requestId, 'compute_rebuild_instance', null, async () => {
        const place = (h: ComputeHostRow) =>
          step(d, instance.uuid, REBUILD_TASK_STATES, TaskState.REBUILD_BLOCK_DEVICE_MAPPING, { host_id: h.id });
        const current = instance.host_id ? await d.hostsRepo.findById(instance.host_id) : undefined;
        if (current) await place(current);
        // A server that failed to build has no host yet: place (and claim) it as a build would.
        host =
          current ??
          (await d.scheduler.claimHost(
            { memoryMb: instance.memory_mb, vcpus: instance.vcpus, availabilityZone: instance.availability_zone },
            place,
          ));
        const driver = await d.hosts.driverFor(host.id);
        instance.host_id = host.id;
        await driver.destroy(instance.uuid);
        await step(d, instance.uuid, [TaskState.REBUILD_BLOCK_DEVICE_MAPPING], TaskState.REBUILD_SPAWNING);
        let info = await spawnFromImage(d, instance, ctx.payload.image, host, driver, ctx.payload.files);
        const stopped = ctx.payload.oldVmState === VmState.STOPPED;
        if (stopped) {
          await driver.powerOff(instance.uuid, d.stopTimeoutS);
          info = { ...info, powerState: PowerState.SHUTDOWN };
        }
        const addresses = await networkInfoAfterSpawn(d, instance, host, info);
        const now = d.clock.now().toISOString();
        await step(d, instance.uuid, [TaskState.REBUILD_SPAWNING], null, {
          vm_state: stopped ? VmState.STOPPED : VmState.ACTIVE,
          power_state: info.powerState,
          launched_at: now,
          container_id: info.containerId,
          addresses_json: addresses,
          progress: 0,
        });
      });
    } catch (err) {
      if (host) await (await d.hosts.driverFor(host.id)).destroy(instance.uuid).catch(() => undefined);
      await failAction(d, instance.uuid, err, host?.name ?? null, REBUILD_TASK_STATES, {
        vm_state: VmState.ERROR,
        power_state: PowerState.NOSTATE,
      });
    }
  };
}
