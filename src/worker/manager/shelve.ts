// Shelve, offload and unshelve (nova compute manager shelve_instance, shelve_offload_instance,
// unshelve_instance). Shelve: stop the container, commit it and stream the image into the store
// (shelving → shelving_image_pending_upload → shelving_image_uploading) → SHELVED; then, when
// asked, offload: remove the container, clear the host → SHELVED_OFFLOADED. Unshelve: a SHELVED
// server whose container is still there is simply started again; otherwise a new container is
// spawned from the shelved image on a host the scheduler picks → ACTIVE, and the shelved image is
// deleted (as nova does).
import type { TaskHandler } from '../task-runner.js';
import { SysMetaKey } from '../../db/repositories/instance-system-metadata-repo.js';
import type { InstanceRow } from '../../db/repositories/instances-repo.js';
import type { ComputeHostRow } from '../../db/repositories/hosts-repo.js';
import type { ComputeDriver, InstanceInfo } from '../../virt/driver.js';
import { DriverError } from '../../errors.js';
import { TaskState, VmState } from '../../compute/servers/states.js';
import type { ActionManagerDeps } from './deps.js';
import { SNAPSHOT_REPO } from './snapshot.js';
import { failAction, hostAndDriver, networkInfoAfterSpawn, spawnFromImage, step } from './respawn.js';
import type { ShelvePayload, UnshelvePayload } from '../../compute/tasks.js';
import { PowerState } from '../../virt/power-state.js';

const SHELVE_TASK_STATES = [
  TaskState.SHELVING,
  TaskState.SHELVING_IMAGE_PENDING_UPLOAD,
  TaskState.SHELVING_IMAGE_UPLOADING,
];

export function shelveHandler(d: ActionManagerDeps): TaskHandler<ShelvePayload> {
  return async (ctx) => {
    const instance = await d.instances.findByUuid(ctx.instanceUuid);
    const { imageId } = ctx.payload;
    if (!instance || instance.deleted) {
      await d.images.deleteInternal(imageId).catch(() => undefined);
      return;
    }
    if (instance.task_state === TaskState.SHELVING_OFFLOADING && ctx.payload.offload) {
      // Resumed after a restart with the image already stored: finish the offload.
      await runOffload(d, instance, ctx.requestId);
      return;
    }
    if (instance.task_state !== TaskState.SHELVING) {
      // Resumed half-way through the upload: the image cannot be continued; start clean.
      await d.images.deleteInternal(imageId).catch(() => undefined);
      await d.sysmeta.remove(instance.uuid, [SysMetaKey.SHELVED_IMAGE_ID]).catch(() => undefined);
      await failAction(
        d,
        instance.uuid,
        new Error('Shelve was interrupted by a service restart.'),
        null,
        SHELVE_TASK_STATES,
      );
      return;
    }
    let hostName: string | null = null;
    let driver: ComputeDriver | undefined;
    try {
      await d.actions.event(instance.uuid, ctx.requestId, 'compute_shelve_instance', null, async () => {
        const hd = await hostAndDriver(d, instance);
        hostName = hd.host.name;
        driver = hd.driver;
        await driver.powerOff(instance.uuid, d.stopTimeoutS);
        await step(d, instance.uuid, [TaskState.SHELVING], TaskState.SHELVING_IMAGE_PENDING_UPLOAD, {
          power_state: PowerState.SHUTDOWN,
        });
        const dockerImageId = await driver.snapshot(instance.uuid, { repo: SNAPSHOT_REPO, tag: imageId });
        await step(d, instance.uuid, [TaskState.SHELVING_IMAGE_PENDING_UPLOAD], TaskState.SHELVING_IMAGE_UPLOADING);
        await d.images.uploadFromStream(imageId, await driver.saveImage(dockerImageId));
        await d.imagesRepo.recordHostLoad({
          image_id: imageId,
          host_id: hd.host.id,
          docker_image_id: dockerImageId,
          loaded_at: d.clock.now().toISOString(),
        });
        const now = d.clock.now().toISOString();
        await d.sysmeta.set(instance.uuid, { [SysMetaKey.SHELVED_AT]: now, [SysMetaKey.SHELVED_HOST]: hd.host.name });
        if (ctx.payload.offload) {
          await step(d, instance.uuid, [TaskState.SHELVING_IMAGE_UPLOADING], TaskState.SHELVING_OFFLOADING, {
            vm_state: VmState.SHELVED,
          });
          await offload(d, instance, driver);
        } else {
          await step(d, instance.uuid, [TaskState.SHELVING_IMAGE_UPLOADING], null, {
            vm_state: VmState.SHELVED,
            power_state: PowerState.SHUTDOWN,
          });
        }
      });
    } catch (err) {
      const now = await d.instances.findByUuid(instance.uuid);
      if (now?.task_state === TaskState.SHELVING_OFFLOADING) {
        // Shelved fine, only the offload failed: stay SHELVED (shelveOffload may be retried).
        await failAction(d, instance.uuid, err, hostName, [TaskState.SHELVING_OFFLOADING]);
        return;
      }
      await d.images.deleteInternal(imageId).catch(() => undefined);
      if (driver) await driver.removeImage(`${SNAPSHOT_REPO}:${imageId}`).catch(() => undefined);
      await d.sysmeta.remove(instance.uuid, [SysMetaKey.SHELVED_IMAGE_ID]).catch(() => undefined);
      await failAction(d, instance.uuid, err, hostName, SHELVE_TASK_STATES);
    }
  };
}

/** Removes the container and the config drive and clears the host (task_state shelving_offloading). */
async function offload(d: ActionManagerDeps, instance: InstanceRow, driver: ComputeDriver): Promise<void> {
  await driver.destroy(instance.uuid);
  await d.configDrives.remove(instance.uuid);
  // As Nova: the ports stay the server's (unshelve plugs them on its new host), unplugged meanwhile;
  // a server with ports keeps its addresses, a legacy one loses its Docker address with the container.
  await d.novaNetwork.unplugAll(instance.uuid);
  const ports = (await d.novaNetwork.ports(instance.uuid)).length;
  await step(d, instance.uuid, [TaskState.SHELVING_OFFLOADING], null, {
    vm_state: VmState.SHELVED_OFFLOADED,
    power_state: PowerState.NOSTATE,
    host_id: null,
    container_id: null,
    ...(ports ? {} : { addresses_json: null }),
  });
}

export function shelveOffloadHandler(d: ActionManagerDeps): TaskHandler {
  return async (ctx) => {
    const instance = await d.instances.findByUuid(ctx.instanceUuid);
    if (!instance || instance.deleted || instance.task_state !== TaskState.SHELVING_OFFLOADING) return;
    await runOffload(d, instance, ctx.requestId);
  };
}

async function runOffload(d: ActionManagerDeps, instance: InstanceRow, requestId: string | null): Promise<void> {
  let hostName: string | null = null;
  try {
    await d.actions.event(instance.uuid, requestId, 'compute_shelve_offload_instance', null, async () => {
      const { host, driver } = await hostAndDriver(d, instance);
      hostName = host.name;
      await offload(d, instance, driver);
    });
  } catch (err) {
    await failAction(d, instance.uuid, err, hostName, [TaskState.SHELVING_OFFLOADING]);
  }
}

export function unshelveHandler(d: ActionManagerDeps): TaskHandler<UnshelvePayload> {
  return async (ctx) => {
    const instance = await d.instances.findByUuid(ctx.instanceUuid);
    if (
      !instance ||
      instance.deleted ||
      (instance.task_state !== TaskState.UNSHELVING && instance.task_state !== TaskState.SPAWNING)
    )
      return;
    if (instance.vm_state !== VmState.SHELVED && instance.vm_state !== VmState.SHELVED_OFFLOADED) return;
    const sys = await d.sysmeta.get(instance.uuid);
    const imageId = sys[SysMetaKey.SHELVED_IMAGE_ID];
    let host: ComputeHostRow | undefined;
    let spawned = false;
    try {
      await d.actions.event(instance.uuid, ctx.requestId, 'compute_unshelve_instance', null, async () => {
        host = instance.host_id ? await d.hostsRepo.findById(instance.host_id) : undefined;
        let driver = host ? await d.hosts.driverFor(host.id) : undefined;
        let info: InstanceInfo | undefined;
        if (
          driver &&
          instance.vm_state === VmState.SHELVED &&
          (await driver.getInfo(instance.uuid)).status !== 'missing'
        ) {
          // Not offloaded: the stopped container is still there, with everything the image holds.
          await driver.powerOn(instance.uuid);
          info = await driver.getInfo(instance.uuid);
        } else {
          const image = imageId ? await d.imagesRepo.find(imageId) : undefined;
          if (!image)
            throw new DriverError(
              `Shelved image ${imageId ?? '(none)'} of instance ${instance.uuid} is gone.`,
              'not-found',
            );
          const place = (h: ComputeHostRow) =>
            step(d, instance.uuid, [TaskState.UNSHELVING, TaskState.SPAWNING], TaskState.SPAWNING, {
              host_id: h.id,
              availability_zone: instance.availability_zone ?? h.availability_zone,
            });
          if (host) await place(host);
          else {
            // the placement is the claim, as at build
            host = await d.scheduler.claimHost(
              {
                memoryMb: instance.memory_mb,
                vcpus: instance.vcpus,
                availabilityZone: instance.availability_zone,
                onlyHostId: ctx.payload.hostId ?? null,
              },
              place,
            );
          }
          driver ??= await d.hosts.driverFor(host.id);
          instance.host_id = host.id;
          await driver.destroy(instance.uuid);
          spawned = true;
          info = await spawnFromImage(d, instance, image, host, driver);
        }
        const addresses = await networkInfoAfterSpawn(d, instance, host!, info);
        const now = d.clock.now().toISOString();
        await step(d, instance.uuid, [TaskState.UNSHELVING, TaskState.SPAWNING], null, {
          vm_state: VmState.ACTIVE,
          power_state: info.powerState,
          launched_at: now,
          container_id: info.containerId,
          addresses_json: addresses,
        });
        await d.sysmeta.remove(instance.uuid, [
          SysMetaKey.SHELVED_IMAGE_ID,
          SysMetaKey.SHELVED_AT,
          SysMetaKey.SHELVED_HOST,
        ]);
        // The shelved image has served its purpose (nova deletes it after unshelve). The Docker
        // image stays while the new container uses it.
        if (imageId)
          await d.images
            .deleteInternal(imageId)
            .catch((err) => d.log.warn({ err, image: imageId }, 'could not delete shelved image'));
        if (imageId && !spawned) await driver.removeImage(`${SNAPSHOT_REPO}:${imageId}`).catch(() => undefined);
      });
    } catch (err) {
      if (spawned && host) await (await d.hosts.driverFor(host.id)).destroy(instance.uuid).catch(() => undefined);
      // An offloaded server stays offloaded: no host, no container, its ports unplugged.
      const offloaded = instance.vm_state === VmState.SHELVED_OFFLOADED;
      if (offloaded) await d.novaNetwork.unplugAll(instance.uuid).catch(() => undefined);
      const back = offloaded ? { host_id: null, container_id: null, power_state: PowerState.NOSTATE } : {};
      await failAction(d, instance.uuid, err, host?.name ?? null, [TaskState.UNSHELVING, TaskState.SPAWNING], back);
    }
  };
}
