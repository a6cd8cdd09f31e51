// createImage and createBackup (nova compute/api.py snapshot / backup): from ACTIVE, SHUTOFF,
// PAUSED or SUSPENDED with no task running. The image record (queued, owned by the server's
// project) exists before the 202, so the client can poll it; the worker commits the container,
// streams `docker save` into the image store and activates the image. Quota-free, as in Nova.
import type { AuthContext } from '../../../identity/auth-context.js';
import { authorize } from '../../../identity/policy.js';
import type { InstanceRow } from '../../../db/repositories/instances-repo.js';
import type { ImageRow } from '../../../db/repositories/images-repo.js';
import { assertState } from '../guards.js';
import { TaskState, VmState } from '../states.js';
import { beginTask } from './begin-task.js';
import type { ActionApiDeps } from './deps.js';
import { SNAPSHOT_TASK, type SnapshotPayload } from '../../tasks.js';
import { assertHostUp } from './host-up.js';

/** nova: @check_instance_state(vm_state=[ACTIVE, STOPPED, PAUSED, SUSPENDED]) on snapshot and backup. */
export const SNAPSHOT_VM_STATES: readonly string[] = [
  VmState.ACTIVE,
  VmState.STOPPED,
  VmState.PAUSED,
  VmState.SUSPENDED,
];

export interface CreateImageInput {
  name: string;
  metadata: Record<string, string>;
}
export interface CreateBackupInput extends CreateImageInput {
  backupType: string;
  rotation: number;
}

export class ServerSnapshots {
  constructor(private readonly d: ActionApiDeps) {}

  async createImage(
    auth: AuthContext,
    requestId: string,
    row: InstanceRow,
    input: CreateImageInput,
  ): Promise<ImageRow> {
    authorize(auth, 'write', 'os_compute_api:servers:create_image');
    assertState(row, { vmState: SNAPSHOT_VM_STATES, taskState: [null] }, 'createImage');
    return this.start(auth, requestId, row, 'createImage', TaskState.IMAGE_SNAPSHOT_PENDING, input, {
      imageId: '',
      imageType: 'snapshot',
    });
  }

  async createBackup(
    auth: AuthContext,
    requestId: string,
    row: InstanceRow,
    input: CreateBackupInput,
  ): Promise<ImageRow> {
    authorize(auth, 'write', 'os_compute_api:os-create-backup');
    assertState(row, { vmState: SNAPSHOT_VM_STATES, taskState: [null] }, 'createBackup');
    const metadata = { ...input.metadata, backup_type: input.backupType };
    return this.start(
      auth,
      requestId,
      row,
      'createBackup',
      TaskState.IMAGE_BACKUP,
      { name: input.name, metadata },
      {
        imageId: '',
        imageType: 'backup',
        backupType: input.backupType,
        rotation: input.rotation,
      },
    );
  }

  private async start(
    auth: AuthContext,
    requestId: string,
    row: InstanceRow,
    action: string,
    taskState: string,
    input: CreateImageInput,
    payload: SnapshotPayload,
  ): Promise<ImageRow> {
    // before the image exists: a refused snapshot leaves no image behind
    await assertHostUp(this.d.hostDown, row, action);
    const image = await this.d.images.createSnapshot(auth, {
      name: input.name,
      instanceUuid: row.uuid,
      baseImageRef: row.image_ref || null,
      metadata: input.metadata,
      imageType: payload.imageType,
      ownerProjectId: row.project_id,
      rootGb: Number(row.root_gb),
    });
    try {
      await beginTask(this.d, auth, requestId, row, {
        action,
        taskState,
        kind: SNAPSHOT_TASK,
        payload: { ...payload, imageId: image.id },
      });
    } catch (err) {
      // Lost the task_state race: the image would never get data (nova deletes it too).
      await this.d.images.deleteInternal(image.id).catch(() => undefined);
      throw err;
    }
    return image;
  }
}
