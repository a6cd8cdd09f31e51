// shelve, shelveOffload, unshelve (nova compute/api.py). Shelve stops the server and snapshots it
// into an image "<name>-shelved" (created here, before the 202, as Nova does); with Nova's
// default shelved_offload_time = 0 the server is then offloaded at once: its container is removed
// and its host cleared (SHELVED_OFFLOADED). Unshelve boots a new container from that image
// (ACTIVE) and deletes the image afterwards. An offloaded server may be unshelved into another
// zone (2.77; a null zone unpins it, 2.91) or, by an admin, onto a named host (2.91), which the
// scheduler then must choose.
import type { AuthContext } from '../../../identity/auth-context.js';
import { authorize } from '../../../identity/policy.js';
import type { InstanceRow } from '../../../db/repositories/instances-repo.js';
import type { ComputeHostRow } from '../../../db/repositories/hosts-repo.js';
import { SysMetaKey } from '../../../db/repositories/instance-system-metadata-repo.js';
import { BadRequest, Conflict, computeHostNotFound, AvailabilityZoneNotAvailable } from '../../../errors.js';
import { assertNotLocked, assertState } from '../guards.js';
import { TaskState, VmState } from '../states.js';
import { beginTask } from './begin-task.js';
import type { ActionApiDeps } from './deps.js';
import { ZonedHostsRepo } from '../../hosts/host-zones.js';
import {
  SHELVE_OFFLOAD_TASK,
  SHELVE_TASK,
  UNSHELVE_TASK,
  type ShelvePayload,
  type UnshelvePayload,
} from '../../tasks.js';

/** nova: @check_instance_state(vm_state=[ACTIVE, STOPPED, PAUSED, SUSPENDED]) on shelve. */
export const SHELVE_VM_STATES: readonly string[] = [VmState.ACTIVE, VmState.STOPPED, VmState.PAUSED, VmState.SUSPENDED];
export const UNSHELVE_VM_STATES: readonly string[] = [VmState.SHELVED, VmState.SHELVED_OFFLOADED];

export class ServerShelves {
  /**
   * Nova's shelved_offload_time: 0 (Nova's default) offloads right after shelving; -1 never
   * (shelveOffload does it). Other values behave as -1 here: there is no periodic offloader.
   */
  offloadTimeSeconds = 0;

  /** host rows with the zone each host is in (aggregates first, compute/hosts/host-zones.ts) */
  private readonly hostsRepo: ZonedHostsRepo;

  constructor(private readonly d: ActionApiDeps) {
    this.hostsRepo = new ZonedHostsRepo(d.db);
  }

  async shelve(auth: AuthContext, requestId: string, row: InstanceRow): Promise<void> {
    authorize(auth, 'write', 'os_compute_api:os-shelve:shelve');
    assertNotLocked(row, auth);
    assertState(row, { vmState: SHELVE_VM_STATES, taskState: [null] }, 'shelve');
    const image = await this.d.images.createSnapshot(auth, {
      name: `${row.display_name}-shelved`,
      instanceUuid: row.uuid,
      baseImageRef: row.image_ref || null,
      imageType: 'snapshot',
      ownerProjectId: row.project_id,
      rootGb: Number(row.root_gb),
    });
    const payload: ShelvePayload = { imageId: image.id, offload: this.offloadTimeSeconds === 0 };
    try {
      await beginTask(this.d, auth, requestId, row, {
        action: 'shelve',
        taskState: TaskState.SHELVING,
        kind: SHELVE_TASK,
        payload,
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
    await beginTask(this.d, auth, requestId, row, {
      action: 'shelveOffload',
      taskState: TaskState.SHELVING_OFFLOADING,
      kind: SHELVE_OFFLOAD_TASK,
    });
  }

  /**
   * nova compute api unshelve. `availabilityZone` undefined keeps the server's zone, null unpins
   * it; `host` (2.91) needs the unshelve_to_host policy. The checks run in Nova's order: lock and
   * state, offloaded (409), the zone is available (400), policy (403), the host exists (400), the
   * host is in the zone the server will have (409).
   */
  async unshelve(
    auth: AuthContext,
    requestId: string,
    row: InstanceRow,
    opts: { availabilityZone?: string | null; host?: string } = {},
  ): Promise<void> {
    authorize(auth, 'write', 'os_compute_api:os-shelve:unshelve');
    assertNotLocked(row, auth);
    assertState(row, { vmState: UNSHELVE_VM_STATES, taskState: [null] }, 'unshelve');
    const zonePassed = opts.availabilityZone !== undefined;
    const hostName = opts.host || undefined; // nova tests `if host:`, so "" asks for no host
    // Only an offloaded server goes through the scheduler (nova UnshelveInstanceInvalidState).
    if ((zonePassed || hostName) && row.vm_state !== VmState.SHELVED_OFFLOADED) {
      throw new Conflict(
        `Specifying an availability zone or a host when unshelving server "${row.uuid}" with status "${row.vm_state}" is not supported. ` +
          'The server status must be SHELVED_OFFLOADED.',
      );
    }
    if (zonePassed && opts.availabilityZone) await this.assertZoneAvailable(opts.availabilityZone);
    // novadock keeps the zone a server is pinned to in instances.availability_zone (Nova: its request spec).
    const zoneAfter = zonePassed ? (opts.availabilityZone ?? null) : row.availability_zone;
    const host = hostName ? await this.requestedHost(auth, hostName, zoneAfter) : undefined;
    const changes: Partial<InstanceRow> = zonePassed ? { availability_zone: zoneAfter } : {};
    const payload: UnshelvePayload = host ? { hostId: host.id } : {};
    await beginTask(this.d, auth, requestId, row, {
      action: 'unshelve',
      taskState: TaskState.UNSHELVING,
      kind: UNSHELVE_TASK,
      changes,
      payload,
    });
  }

  /** nova _validate_unshelve_az: a zone some enabled compute host serves. */
  private async assertZoneAvailable(zone: string): Promise<void> {
    const hosts = await this.hostsRepo.list();
    if (!hosts.some((h) => h.availability_zone === zone && !h.disabled)) throw AvailabilityZoneNotAvailable();
  }

  /** 2.91 host: admins only, it must exist, and it must lie in the server's zone after the unshelve (if any). */
  private async requestedHost(auth: AuthContext, name: string, zone: string | null): Promise<ComputeHostRow> {
    authorize(auth, 'admin', 'os_compute_api:os-shelve:unshelve_to_host');
    const host = await this.hostsRepo.findByName(name);
    if (!host) throw new BadRequest(computeHostNotFound(name));
    if (zone !== null && host.availability_zone !== zone) {
      throw new Conflict(`Host "${name}" is not in the availability zone "${zone}".`);
    }
    return host;
  }
}
