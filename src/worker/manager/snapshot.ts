// Snapshot and backup (nova compute manager snapshot_instance / backup_instance):
// image_snapshot → docker commit (repo novadock/snapshot, tag = the image id) →
// image_pending_upload → image_uploading → `docker save` streamed straight into the image store →
// image active → task_state None. The committed Docker image stays on the host and is recorded in
// image_host_loads, so booting the snapshot on this host needs no load. A backup then deletes the
// oldest backups of the same server and type beyond `rotation` (nova _rotate_backups).
// Failure: the image is deleted, the committed tag removed, a fault recorded, task_state None.
// The image deleted by its owner meanwhile: the committed tag removed, task_state None, no fault.
import type { TaskHandler } from '../task-runner.js';
import { imageProperties } from '../../db/repositories/images-repo.js';
import { TaskState } from '../../compute/servers/states.js';
import type { ActionManagerDeps } from './deps.js';
import { failAction, hostAndDriver, step } from './respawn.js';
import type { ComputeDriver } from '../../virt/driver.js';
import type { SnapshotPayload } from '../../compute/tasks.js';

export const SNAPSHOT_REPO = 'novadock/snapshot';

const SNAPSHOT_TASK_STATES = [
  TaskState.IMAGE_SNAPSHOT_PENDING,
  TaskState.IMAGE_BACKUP,
  TaskState.IMAGE_SNAPSHOT,
  TaskState.IMAGE_PENDING_UPLOAD,
  TaskState.IMAGE_UPLOADING,
];

export function snapshotHandler(d: ActionManagerDeps): TaskHandler<SnapshotPayload> {
  return async (ctx) => {
    const instance = await d.instances.findByUuid(ctx.instanceUuid);
    const { imageId } = ctx.payload;
    if (!instance || instance.deleted || !SNAPSHOT_TASK_STATES.includes(instance.task_state as never)) {
      await d.images.deleteInternal(imageId).catch(() => undefined);
      return;
    }
    let hostName: string | null = null;
    let driver: ComputeDriver | undefined;
    if (instance.task_state !== TaskState.IMAGE_SNAPSHOT_PENDING && instance.task_state !== TaskState.IMAGE_BACKUP) {
      // Resumed after the process died half-way: the upload cannot be continued; start clean.
      await d.images.deleteInternal(imageId).catch(() => undefined);
      await failAction(
        d,
        instance.uuid,
        new Error('Snapshot was interrupted by a service restart.'),
        null,
        SNAPSHOT_TASK_STATES,
      );
      return;
    }
    try {
      await d.actions.event(
        instance.uuid,
        ctx.requestId,
        `compute_${ctx.payload.imageType}_instance`,
        null,
        async () => {
          const hd = await hostAndDriver(d, instance);
          hostName = hd.host.name;
          driver = hd.driver;
          await step(
            d,
            instance.uuid,
            [TaskState.IMAGE_SNAPSHOT_PENDING, TaskState.IMAGE_BACKUP, TaskState.IMAGE_SNAPSHOT],
            TaskState.IMAGE_SNAPSHOT,
          );
          const dockerImageId = await driver.snapshot(instance.uuid, { repo: SNAPSHOT_REPO, tag: imageId });
          await step(d, instance.uuid, [TaskState.IMAGE_SNAPSHOT], TaskState.IMAGE_PENDING_UPLOAD);
          await step(d, instance.uuid, [TaskState.IMAGE_PENDING_UPLOAD], TaskState.IMAGE_UPLOADING);
          const archive = await driver.saveImage(dockerImageId);
          await d.images.uploadFromStream(imageId, archive);
          await d.imagesRepo.recordHostLoad({
            image_id: imageId,
            host_id: hd.host.id,
            docker_image_id: dockerImageId,
            loaded_at: d.clock.now().toISOString(),
          });
          await step(d, instance.uuid, [TaskState.IMAGE_UPLOADING], null);
        },
      );
    } catch (err) {
      const imageGone = !(await d.imagesRepo.find(imageId).catch(() => ({})));
      await d.images.deleteInternal(imageId).catch(() => undefined);
      if (driver) await driver.removeImage(`${SNAPSHOT_REPO}:${imageId}`).catch(() => undefined);
      if (imageGone) {
        // Someone deleted the image while it was being made (Tempest test_delete_saving_image): nova
        // _snapshot_instance `except exception.ImageNotFound: instance.task_state = None;
        // instance.save()` and a warning, no fault; the server carries on. (The upload's 404 used to
        // read as "the server was deleted", which left the task state at image_uploading.)
        d.log.warn({ instance: instance.uuid, image: imageId }, 'image not found during snapshot');
        await step(d, instance.uuid, SNAPSHOT_TASK_STATES, null).catch(() => undefined);
        return;
      }
      await failAction(d, instance.uuid, err, hostName, SNAPSHOT_TASK_STATES);
      return;
    }
    if (ctx.payload.imageType === 'backup' && ctx.payload.backupType !== undefined) {
      await rotateBackups(d, instance.uuid, ctx.payload.backupType, ctx.payload.rotation ?? 0, driver).catch((err) =>
        d.log.warn({ err, instance: instance.uuid }, 'backup rotation failed'),
      );
    }
  };
}

/** nova _rotate_backups: keep the newest `rotation` backups of this server and type (0: none). */
export async function rotateBackups(
  d: ActionManagerDeps,
  instanceUuid: string,
  backupType: string,
  rotation: number,
  driver?: ComputeDriver,
): Promise<string[]> {
  const rows = await d.imagesRepo.mentioning(instanceUuid);
  const backups = rows.filter((r) => {
    const p = imageProperties(r);
    return p.image_type === 'backup' && p.backup_type === backupType && p.instance_uuid === instanceUuid;
  });
  const doomed = backups.slice(rotation).map((b) => b.id);
  for (const id of doomed) {
    await d.images.deleteInternal(id);
    if (driver) await driver.removeImage(`${SNAPSHOT_REPO}:${id}`).catch(() => undefined);
  }
  return doomed;
}
