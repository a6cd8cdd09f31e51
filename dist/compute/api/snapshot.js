import { authorize } from '../../identity/policy.js';
import { assertState } from '../guards.js';
import { TaskState, VmState } from '../states.js';
import { SNAPSHOT_TASK } from '../manager/snapshot.js';
import { beginTask } from './begin-task.js';
/** nova: @check_instance_state(vm_state=[ACTIVE, STOPPED, PAUSED, SUSPENDED]) on snapshot and backup. */
export const SNAPSHOT_VM_STATES = [VmState.ACTIVE, VmState.STOPPED, VmState.PAUSED, VmState.SUSPENDED];
export class ServerSnapshots {
    d;
    constructor(d) {
        this.d = d;
    }
    async createImage(auth, requestId, row, input) {
        authorize(auth, 'write', 'os_compute_api:servers:create_image');
        assertState(row, { vmState: SNAPSHOT_VM_STATES, taskState: [null] }, 'createImage');
        return this.start(auth, requestId, row, 'createImage', TaskState.IMAGE_SNAPSHOT_PENDING, input, { imageId: '', imageType: 'snapshot' });
    }
    async createBackup(auth, requestId, row, input) {
        authorize(auth, 'write', 'os_compute_api:os-create-backup');
        assertState(row, { vmState: SNAPSHOT_VM_STATES, taskState: [null] }, 'createBackup');
        const metadata = { ...input.metadata, backup_type: input.backupType };
        return this.start(auth, requestId, row, 'createBackup', TaskState.IMAGE_BACKUP, { name: input.name, metadata }, {
            imageId: '', imageType: 'backup', backupType: input.backupType, rotation: input.rotation,
        });
    }
    async start(auth, requestId, row, action, taskState, input, payload) {
        const image = await this.d.images.createSnapshot(auth, {
            name: input.name, instanceUuid: row.uuid, baseImageRef: row.image_ref || null, metadata: input.metadata,
            imageType: payload.imageType, ownerProjectId: row.project_id, rootGb: Number(row.root_gb),
        });
        try {
            await beginTask(this.d, auth, requestId, row, { action, taskState, kind: SNAPSHOT_TASK, payload: { ...payload, imageId: image.id } });
        }
        catch (err) {
            // Lost the task_state race: the image would never get data (nova deletes it too).
            await this.d.images.deleteInternal(image.id).catch(() => undefined);
            throw err;
        }
        return image;
    }
}
//# sourceMappingURL=snapshot.js.map