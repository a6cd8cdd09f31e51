import { imageProperties } from '../../db/repositories/images-repo.js';
import { TaskState } from '../states.js';
import { failAction, hostAndDriver, step } from './respawn.js';
export const SNAPSHOT_TASK = 'snapshot';
export const SNAPSHOT_REPO = 'novadock/snapshot';
const SNAPSHOT_TASK_STATES = [
    TaskState.IMAGE_SNAPSHOT_PENDING, TaskState.IMAGE_BACKUP, TaskState.IMAGE_SNAPSHOT,
    TaskState.IMAGE_PENDING_UPLOAD, TaskState.IMAGE_UPLOADING,
];
export function snapshotHandler(d) {
    return async (ctx) => {
        const instance = await d.instances.findByUuid(ctx.instanceUuid);
        const { imageId } = ctx.payload;
        if (!instance || instance.deleted || !SNAPSHOT_TASK_STATES.includes(instance.task_state)) {
            await d.images.deleteInternal(imageId).catch(() => undefined);
            return;
        }
        let hostName = null;
        let driver;
        if (instance.task_state !== TaskState.IMAGE_SNAPSHOT_PENDING && instance.task_state !== TaskState.IMAGE_BACKUP) {
            // Resumed after the process died half-way: the upload cannot be continued; start clean.
            await d.images.deleteInternal(imageId).catch(() => undefined);
            await failAction(d, instance.uuid, new Error('Snapshot was interrupted by a service restart.'), null, SNAPSHOT_TASK_STATES);
            return;
        }
        try {
            await d.actions.event(instance.uuid, ctx.requestId, `compute_${ctx.payload.imageType}_instance`, null, async () => {
                const hd = await hostAndDriver(d, instance);
                hostName = hd.host.name;
                driver = hd.driver;
                await step(d, instance.uuid, [TaskState.IMAGE_SNAPSHOT_PENDING, TaskState.IMAGE_BACKUP, TaskState.IMAGE_SNAPSHOT], TaskState.IMAGE_SNAPSHOT);
                const dockerImageId = await driver.snapshot(instance.uuid, { repo: SNAPSHOT_REPO, tag: imageId });
                await step(d, instance.uuid, [TaskState.IMAGE_SNAPSHOT], TaskState.IMAGE_PENDING_UPLOAD);
                await step(d, instance.uuid, [TaskState.IMAGE_PENDING_UPLOAD], TaskState.IMAGE_UPLOADING);
                const archive = await driver.saveImage(dockerImageId);
                await d.images.uploadFromStream(imageId, archive);
                await d.imagesRepo.recordHostLoad({ image_id: imageId, host_id: hd.host.id, docker_image_id: dockerImageId, loaded_at: d.clock.now().toISOString() });
                await step(d, instance.uuid, [TaskState.IMAGE_UPLOADING], null);
            });
        }
        catch (err) {
            await d.images.deleteInternal(imageId).catch(() => undefined);
            if (driver)
                await driver.removeImage(`${SNAPSHOT_REPO}:${imageId}`).catch(() => undefined);
            await failAction(d, instance.uuid, err, hostName, SNAPSHOT_TASK_STATES);
            return;
        }
        if (ctx.payload.imageType === 'backup' && ctx.payload.backupType !== undefined) {
            await rotateBackups(d, instance.uuid, ctx.payload.backupType, ctx.payload.rotation ?? 0, driver).catch((err) => d.log.warn({ err, instance: instance.uuid }, 'backup rotation failed'));
        }
    };
}
/** nova _rotate_backups: keep the newest `rotation` backups of this server and type (0: none). */
export async function rotateBackups(d, instanceUuid, backupType, rotation, driver) {
    const rows = await d.db('images').select('id', 'properties')
        .where('properties', 'like', `%${instanceUuid}%`).whereNotIn('status', ['killed', 'deleted'])
        .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id', order: 'desc' }]);
    const backups = rows.filter((r) => {
        const p = imageProperties(r);
        return p.image_type === 'backup' && p.backup_type === backupType && p.instance_uuid === instanceUuid;
    });
    const doomed = backups.slice(rotation).map((b) => b.id);
    for (const id of doomed) {
        await d.images.deleteInternal(id);
        if (driver)
            await driver.removeImage(`${SNAPSHOT_REPO}:${id}`).catch(() => undefined);
    }
    return doomed;
}
//# sourceMappingURL=snapshot.js.map