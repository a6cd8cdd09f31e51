// rebuild (nova compute/api.py rebuild): from ACTIVE, SHUTOFF or ERROR, not locked, no task
// running. The server keeps its id, flavor, network and host; it gets a new image, optionally a
// new name, metadata (replaced), key pair (2.54), user_data (2.57), description (2.19), hostname
// (2.90) and access IPs. The API writes these with the task_state lock (rebuilding → status
// REBUILD) and returns at once; the worker replaces the container.
import { randomPassword } from '../admin-password.js';
import type { AuthContext } from '../../../identity/auth-context.js';
import { authorize } from '../../../identity/policy.js';
import type { InstanceRow } from '../../../db/repositories/instances-repo.js';
import type { ImageRow } from '../../../db/repositories/images-repo.js';
import { BadRequest, NotFound, InvalidKeyName } from '../../../errors.js';
import { assertActionable } from '../guards.js';
import { TaskState, VmState } from '../states.js';
import { lastPathSegment } from '../compute-api.js';
import { beginTask } from './begin-task.js';
import { assertInjectedFileQuota, type PersonalityFile } from '../create-options.js';
import type { ActionApiDeps } from './deps.js';
import { REBUILD_TASK, type RebuildPayload } from '../../tasks.js';
import { accessIp } from '../access-ips.js';

/** nova: @check_instance_state(vm_state=[ACTIVE, STOPPED, ERROR]) on rebuild. */
export const REBUILD_VM_STATES: readonly string[] = [VmState.ACTIVE, VmState.STOPPED, VmState.ERROR];

export interface RebuildInput {
  imageRef: string;
  name?: string;
  adminPass?: string;
  /** replaces all metadata when given */
  metadata?: Record<string, string>;
  /** undefined: keep; null: remove (2.57) */
  userData?: string | null;
  /** undefined: keep; null: remove (2.54) */
  keyName?: string | null;
  description?: string | null;
  hostname?: string;
  accessIPv4?: string | null;
  accessIPv6?: string | null;
  /** below 2.57: files injected into the new container (the old container's files are gone with it) */
  personality?: PersonalityFile[];
}

export class ServerRebuilds {
  constructor(private readonly d: ActionApiDeps) {}

  async rebuild(
    auth: AuthContext,
    requestId: string,
    row: InstanceRow,
    input: RebuildInput,
  ): Promise<{ row: InstanceRow; adminPass: string }> {
    authorize(auth, 'write', 'os_compute_api:servers:rebuild');
    assertActionable(row, auth, { vmState: REBUILD_VM_STATES, taskState: [null] }, 'rebuild');
    const image = await this.image(auth, input.imageRef);
    if (image.min_ram && row.memory_mb < Number(image.min_ram))
      throw new BadRequest("Flavor's memory is too small for requested image.");
    // nova _checks_for_create_and_rebuild: the same injected-file quota as create (403)
    const files = input.personality ?? [];
    if (files.length) {
      assertInjectedFileQuota(
        files,
        await this.d.quotas.limitsFor(row.project_id),
        await this.d.quotas.limitsForUser(row.project_id, auth.userId),
      );
    }

    const changes: Partial<InstanceRow> = { image_ref: image.id, progress: 0 };
    if (input.name !== undefined) changes.display_name = input.name;
    if (input.description !== undefined) changes.display_description = input.description;
    if (input.hostname !== undefined) changes.hostname = input.hostname;
    if (input.accessIPv4 !== undefined) changes.access_ip_v4 = accessIp(input.accessIPv4, 'ipv4');
    if (input.accessIPv6 !== undefined) changes.access_ip_v6 = accessIp(input.accessIPv6, 'ipv6');
    if (input.userData !== undefined) changes.user_data = input.userData;
    if (input.keyName !== undefined) {
      if (input.keyName === null) {
        changes.key_name = null;
        changes.key_data = null;
      } else {
        const kp = await this.d.keypairs.findForUser(auth.userId, input.keyName);
        if (!kp) throw InvalidKeyName();
        changes.key_name = kp.name;
        changes.key_data = kp.public_key;
      }
    }
    const payload: RebuildPayload = { image, oldVmState: row.vm_state, ...(files.length ? { files } : {}) };
    await beginTask(this.d, auth, requestId, row, {
      action: 'rebuild',
      taskState: TaskState.REBUILDING,
      kind: REBUILD_TASK,
      payload,
      changes,
      within: async (trx) => {
        if (input.metadata !== undefined) await this.d.metadata.set(row.uuid, input.metadata, true, trx);
      },
    });
    return { row: await this.d.instances.getLive(row.uuid), adminPass: input.adminPass ?? randomPassword(12) };
  }

  /** nova servers.py _action_rebuild: a missing or invisible image is "Cannot find image for rebuild" (400). */
  private async image(auth: AuthContext, ref: string): Promise<ImageRow> {
    let image: ImageRow;
    try {
      image = await this.d.images.getForBoot(auth, lastPathSegment(ref));
    } catch (err) {
      if (err instanceof NotFound) throw new BadRequest('Cannot find image for rebuild');
      throw err;
    }
    this.d.images.assertBootable(image);
    return image;
  }
}
