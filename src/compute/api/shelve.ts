// shelve, shelveOffload, unshelve (nova compute/api.py). Shelve stops the server and snapshots it
// into an image "<name>-shelved" (created here, before the 202, as Nova does); with Nova's
// default shelved_offload_time = 0 the server is then offloaded at once: its container is removed
// and its host cleared (SHELVED_OFFLOADED). Unshelve boots a new container from that image
// (ACTIVE) and deletes the image afterwards.
import type { AuthContext } from '../../identity/auth-context';
import { authorize } from '../../identity/policy';
import type { InstanceRow } from '../../db/repositories/instances-repo';
import { SysMetaKey } from '../../db/repositories/instance-system-metadata-repo';
import { BadRequest, Conflict } from '../../errors';
import { assertNotLocked, assertState } from '../guards';
import { TaskState, VmState } from '../states';
import { SHELVE_TASK, SHELVE_OFFLOAD_TASK, UNSHELVE_TASK, type ShelvePayload } from '../manager/shelve';
import { beginTask } from './begin-task';
import type { ActionApiDeps } from './deps';

/** nova: @check_instance_state(vm_state=[ACTIVE, STOPPED, PAUSED, SUSPENDED]) on shelve. */
export const SHELVE_VM_STATES: readonly string[] = [VmState.ACTIVE, VmState.STOPPED, VmState.PAUSED, VmState.SUSPENDED];
export const UNSHELVE_VM_STATES: readonly string[] = [VmState.SHELVED, VmState.SHELVED_OFFLOADED];

export class ServerShelves {
  /**
   * Nova's shelved_offload_time: 0 (Nova's default) offloads right after shelving; -1 never
   * (shelveOffload does it). Other values behave as -1 here: there is no periodic offloader.
   */
  offloadTimeSeconds = 0;

  constructor(private readonly d: ActionApiDeps) {}

  async shelve(auth: AuthContext, requestId: string, row: InstanceRow): Promise<void> {
    authorize(auth, 'write', 'os_compute_api:os-shelve:shelve');
    assertNotLocked(row, auth);
    assertState(row, { vmState: SHELVE_VM_STATES, taskState: [null] }, 'shelve');
    const image = await this.d.images.createSnapshot(auth, {
      name: `${row.display_name}-shelved`, instanceUuid: row.uuid, baseImageRef: row.image_ref || null,
      imageType: 'snapshot', ownerProjectId: row.project_id,
    });
    const payload: ShelvePayload = { imageId: image.id, offload: this.offloadTimeSeconds === 0 };
    try {
      await beginTask(this.d, auth, requestId, row, {
        action: 'shelve', taskState: TaskState.SHELVING, kind: SHELVE_TASK, payload,
        within: (trx) => this.d.sysmeta.set(row.uuid, { [SysMetaKey.SHELVED_IMAGE_ID]: image.id }, trx),
      });
    } catch (err) {
      await this.d.images.deleteInternal(image.id).catch(() => undefined);
      throw err;
    }
  }

  async shelveOffload(auth: AuthContext, requestId: string, row: InstanceRow): Promise<void> {
    authorize(auth, 'write', 'os_compute_api:os-shelve:shelve_offload');
    assertNotLocked(row, auth);
    assertState(row, { vmState: [VmState.SHELVED], taskState: [null] }, 'shelveOffload');
    await beginTask(this.d, auth, requestId, row, { action: 'shelveOffload', taskState: TaskState.SHELVING_OFFLOADING, kind: SHELVE_OFFLOAD_TASK });
  }

  async unshelve(auth: AuthContext, requestId: string, row: InstanceRow, opts: { availabilityZone?: string | null } = {}): Promise<void> {
    authorize(auth, 'write', 'os_compute_api:os-shelve:unshelve');
    assertNotLocked(row, auth);
    assertState(row, { vmState: UNSHELVE_VM_STATES, taskState: [null] }, 'unshelve');
    const changes: Partial<InstanceRow> = {};
    // 2.77: only an offloaded server may be unshelved into another zone (nova UnshelveInstanceInvalidState).
    if (opts.availabilityZone !== undefined) {
      if (row.vm_state !== VmState.SHELVED_OFFLOADED) {
        throw new Conflict(`Specifying an availability zone or a host when unshelving server ${row.uuid} with status SHELVED is not supported. The server status must be SHELVED_OFFLOADED.`);
      }
      if (opts.availabilityZone !== null) {
        const hosts = await this.d.db('compute_hosts').where({ availability_zone: opts.availabilityZone }).first();
        if (!hosts) throw new BadRequest('The requested availability zone is not available');
      }
      changes.availability_zone = opts.availabilityZone;
    }
    await beginTask(this.d, auth, requestId, row, { action: 'unshelve', taskState: TaskState.UNSHELVING, kind: UNSHELVE_TASK, changes });
  }
}
