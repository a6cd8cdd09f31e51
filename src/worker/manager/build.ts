// Build a server (nova compute manager _do_build_and_run_instance): schedule it onto a host, load
// its image there, write its config drive, attach its network, create and start the container,
// then ACTIVE. Every step runs as soon as the previous one returns: no sleeps, no polling.
// Any failure removes the container and the config drive, records a fault and leaves the server in
// ERROR with task_state None. A delete that arrives meanwhile wins: the build then stops quietly.
import type { TaskHandler } from '../task-runner.js';
import type { ImageRow } from '../../compute/ports.js';
import type { InstanceRow } from '../../db/repositories/instances-repo.js';
import type { ComputeHostRow } from '../../db/repositories/hosts-repo.js';
import type { ComputeDriver } from '../../virt/driver.js';
import { TaskState, VmState } from '../../compute/servers/states.js';
import type { ManagerDeps } from './deps.js';
import { isPreempted, recordFault } from './safety.js';
import { networkInfoAfterSpawn, spawnFromImage } from './respawn.js';
import type { PersonalityFile } from '../../compute/servers/create-options.js';
import type { BuildPayload } from '../../compute/tasks.js';
import { PowerState } from '../../virt/power-state.js';
export { splitCommand } from './command-line.js';

export const MAX_BUILD_ATTEMPTS = 3;
const BUILD_TASK_STATES = [TaskState.SCHEDULING, TaskState.NETWORKING, TaskState.SPAWNING];

export function buildHandler(d: ManagerDeps): TaskHandler<BuildPayload> {
  return async (ctx) => {
    const instance = await d.instances.findByUuid(ctx.instanceUuid);
    if (!instance || instance.deleted || instance.vm_state !== VmState.BUILDING) return;
    if (!BUILD_TASK_STATES.includes(instance.task_state as (typeof BUILD_TASK_STATES)[number])) return;
    let host: ComputeHostRow | undefined;
    let driver: ComputeDriver | undefined;
    // A build that keeps dying with its process (resumed again and again) ends in ERROR.
    if (ctx.attempt > MAX_BUILD_ATTEMPTS) {
      await failBuild(
        d,
        instance,
        new Error(`Build of instance ${instance.uuid} aborted: it was interrupted ${ctx.attempt - 1} times.`),
        undefined,
        instance.host_id ? await d.hosts.driverFor(instance.host_id).catch(() => undefined) : undefined,
      );
      return;
    }
    try {
      await d.actions.event(instance.uuid, ctx.requestId, 'compute__do_build_and_run_instance', null, async () => {
        // the placement is the claim: host_id is written before the next server is placed
        const place = (h: ComputeHostRow) =>
          d.instances.updateWithExpectedTaskState(
            instance.uuid,
            {
              host_id: h.id,
              availability_zone: instance.availability_zone ?? h.availability_zone,
              task_state: TaskState.NETWORKING,
              updated_at: d.clock.now().toISOString(),
            },
            BUILD_TASK_STATES,
          );
        const resumed = instance.host_id ? await d.hostsRepo.findById(instance.host_id) : undefined;
        if (resumed) await place(resumed);
        host =
          resumed ??
          (await d.scheduler.claimHost(
            {
              memoryMb: instance.memory_mb,
              vcpus: instance.vcpus,
              availabilityZone: instance.availability_zone,
              onlyHostId: ctx.payload.hostId ?? null,
              instanceUuid: instance.uuid,
            },
            place,
          ));
        instance.host_id = host.id;
        instance.availability_zone ??= host.availability_zone;
        driver = await d.hosts.driverFor(host.id);
        // A resumed task (the process died mid-build) may have left a container behind.
        if (ctx.attempt > 1) await driver.destroy(instance.uuid);
        // The ports (a task from before the network service has none: the legacy network then)
        if (ctx.payload.networks) await d.novaNetwork.allocate(instance, host, ctx.payload.networks);
        await d.instances.updateWithExpectedTaskState(
          instance.uuid,
          { task_state: TaskState.SPAWNING, updated_at: d.clock.now().toISOString() },
          [TaskState.NETWORKING],
        );
        await spawn(d, instance, ctx.payload.image, host, driver, ctx.payload.files);
      });
    } catch (err) {
      await failBuild(d, instance, err, host, driver);
    }
  };
}

async function spawn(
  d: ManagerDeps,
  instance: InstanceRow,
  image: ImageRow,
  host: ComputeHostRow,
  driver: ComputeDriver,
  files?: PersonalityFile[],
): Promise<void> {
  const info = await spawnFromImage(d, instance, image, host, driver, files);
  const addresses = await networkInfoAfterSpawn(d, instance, host, info);
  const now = d.clock.now().toISOString();
  await d.instances.updateWithExpectedTaskState(
    instance.uuid,
    {
      vm_state: VmState.ACTIVE,
      task_state: null,
      power_state: info.powerState,
      launched_at: now,
      updated_at: now,
      container_id: info.containerId,
      addresses_json: addresses,
      progress: 0,
    },
    [TaskState.SPAWNING],
  );
}

async function failBuild(
  d: ManagerDeps,
  instance: InstanceRow,
  err: unknown,
  host: ComputeHostRow | undefined,
  driver: ComputeDriver | undefined,
): Promise<void> {
  // Leave nothing behind on the host, whatever happens next.
  if (driver)
    await driver
      .destroy(instance.uuid)
      .catch((e) => d.log.warn({ err: e, instance: instance.uuid }, 'cleanup after failed build'));
  await d.configDrives.remove(instance.uuid).catch(() => undefined);
  const now = await d.instances.findByUuid(instance.uuid);
  // Nova's _cleanup_allocated_networks: its ports deleted, the user's unbound (a delete taking over does it too)
  await d.novaNetwork
    .deallocate(instance)
    .catch((e) => d.log.warn({ err: e, instance: instance.uuid }, 'ports not released after failed build'));
  if (
    !now ||
    now.deleted ||
    now.task_state === TaskState.DELETING ||
    (isPreempted(err) && now.task_state === TaskState.DELETING)
  )
    return;
  d.log.warn({ err, instance: instance.uuid }, 'build failed');
  await recordFault(d, instance.uuid, err, host?.name ?? null);
  await d.instances
    .updateWithExpectedTaskState(
      instance.uuid,
      {
        vm_state: VmState.ERROR,
        task_state: null,
        power_state: PowerState.NOSTATE,
        addresses_json: null,
        updated_at: d.clock.now().toISOString(),
      },
      BUILD_TASK_STATES,
    )
    .catch((e) => {
      if (!isPreempted(e)) throw e;
    });
}
