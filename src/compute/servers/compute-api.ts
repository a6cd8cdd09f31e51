// The compute API (nova compute/api.py): the rules for servers. Each method begins with its guard
// (visibility → 404, policy → 403, state → 409), changes the database in one transaction (the
// task_state compare-and-swap is the lock), records an instance action and enqueues a task for
// the worker. It never waits for Docker: create and delete return as soon as the task is queued.
import type { AuthContext } from '../../identity/auth-context.js';
import { authorize, canSee, isAdmin } from '../../identity/policy.js';
import {
  ImageNotFound,
  InstanceNotFound,
  MetadataItemNotFound,
  PolicyForbids,
  ServerTagNotFound,
  TooManyTags,
} from '../../errors.js';
import { type InstanceRow } from '../../db/repositories/instances-repo.js';
import { DELETE_TASK } from '../tasks.js';
import { assertNotLocked, assertState } from './guards.js';
import { TaskState, VmState } from './states.js';
import { isUuidLike } from '../../contract/parameter-types.js';
import type { ComputeApiDeps } from './compute-api-deps.js';
import { createServers, type CreateServerInput, type CreateServerResult } from './create-server.js';
import { accessIp } from './access-ips.js';
import { PowerState } from '../../virt/power-state.js';
import type { ServerExtras } from './server-extras.js';

export interface UpdateServerInput {
  name?: string;
  description?: string | null;
  accessIPv4?: string | null;
  accessIPv6?: string | null;
  hostname?: string;
}

/** States in which metadata may change (nova compute/api.py update_instance_metadata). */
export const METADATA_VM_STATES = [VmState.ACTIVE, VmState.PAUSED, VmState.SUSPENDED, VmState.STOPPED];
/** States in which tags may change (nova api/openstack/compute/server_tags.py). */
export const TAG_VM_STATES = [VmState.ACTIVE, VmState.PAUSED, VmState.SUSPENDED, VmState.STOPPED];
export const MAX_TAGS = 50;

/** Deferred delete (compute/servers/actions/soft-delete.ts): true when it took the delete over. */
export interface SoftDeletePort {
  trySoftDelete(auth: AuthContext, requestId: string, row: InstanceRow): Promise<boolean>;
}

export type { ComputeApiDeps };

export class ComputeApi {
  private softDelete?: SoftDeletePort;
  constructor(private readonly d: ComputeApiDeps) {}

  /** Set by the server-actions composition (composition/server-actions.ts) to enable deferred delete. */
  useSoftDelete(port: SoftDeletePort): void {
    this.softDelete = port;
  }

  // ---- reading -----------------------------------------------------------------------------
  /** A live server the caller may see, else InstanceNotFound (also for malformed ids). */
  async get(auth: AuthContext, uuid: string): Promise<InstanceRow> {
    authorize(auth, 'read');
    const row = isUuidLike(uuid) ? await this.d.instances.findByUuid(uuid.toLowerCase()) : undefined;
    if (!row || row.deleted || !canSee(auth, row.project_id)) throw InstanceNotFound(uuid);
    return row;
  }

  /** `get` with what the server's view needs besides the row, read together (views/servers.ts). */
  async getForView(auth: AuthContext, uuid: string): Promise<{ row: InstanceRow; extras: ServerExtras }> {
    authorize(auth, 'read');
    const found = isUuidLike(uuid) ? await this.d.extras.findWithExtras(uuid.toLowerCase()) : undefined;
    if (!found || found.row.deleted || !canSee(auth, found.row.project_id)) throw InstanceNotFound(uuid);
    return found;
  }

  // ---- create ------------------------------------------------------------------------------
  /** The servers of one create request (min_count..max_count): create-server.ts. */
  create(auth: AuthContext, requestId: string, input: CreateServerInput): Promise<CreateServerResult> {
    return createServers(this.d, auth, requestId, input);
  }

  // ---- update ------------------------------------------------------------------------------
  async update(auth: AuthContext, uuid: string, input: UpdateServerInput): Promise<InstanceRow> {
    const row = await this.get(auth, uuid);
    authorize(auth, 'write', 'os_compute_api:servers:update');
    const changes: Partial<InstanceRow> = { updated_at: this.d.clock.now().toISOString() };
    if (input.name !== undefined) changes.display_name = input.name;
    if (input.description !== undefined) changes.display_description = input.description;
    if (input.accessIPv4 !== undefined) changes.access_ip_v4 = accessIp(input.accessIPv4, 'ipv4');
    if (input.accessIPv6 !== undefined) changes.access_ip_v6 = accessIp(input.accessIPv6, 'ipv6');
    if (input.hostname !== undefined) changes.hostname = input.hostname;
    await this.d.instances.update(row.uuid, changes);
    return this.d.instances.getLive(row.uuid);
  }

  // ---- delete ------------------------------------------------------------------------------
  /** Delete from any state, a build in progress included (nova: delete has no state check). */
  async delete(auth: AuthContext, requestId: string, uuid: string, opts: { force?: boolean } = {}): Promise<void> {
    const row = await this.get(auth, uuid);
    authorize(auth, 'write', 'os_compute_api:servers:delete');
    assertNotLocked(row, auth);
    if (row.host_id === null && row.vm_state === VmState.ERROR) return this.deleteLocally(auth, requestId, row);
    // Deferred delete (reclaim interval > 0) turns this into a soft delete; forceDelete skips it.
    if (!opts.force && this.softDelete && (await this.softDelete.trySoftDelete(auth, requestId, row))) return;
    await this.d.db.transaction(async (trx) => {
      await this.d.instances.update(
        row.uuid,
        { task_state: TaskState.DELETING, updated_at: this.d.clock.now().toISOString() },
        trx,
      );
      await this.d.actions.start(trx, {
        instanceUuid: row.uuid,
        action: 'delete',
        requestId,
        userId: auth.userId,
        projectId: auth.projectId,
      });
      await this.d.worker.enqueue(trx, { instanceUuid: row.uuid, kind: DELETE_TASK, requestId });
    });
  }

  /**
   * A server that went to ERROR without ever getting a host has nothing on any engine: Nova deletes
   * it in the API itself (compute/api.py _delete: no host → instance.destroy() / _local_delete, soft
   * delete included), so the next GET is a 404. Through the worker, `openstack server delete --wait`
   * read it still in ERROR right after the DELETE and gave up. Such a server may still have ports
   * (one shelve-offloaded, then set to ERROR): they are released first, as _local_delete's
   * deallocate_for_instance does (Nova's deleted, the user's unbound and kept).
   */
  private async deleteLocally(auth: AuthContext, requestId: string, row: InstanceRow): Promise<void> {
    await this.d.ports.deallocate(row);
    const now = this.d.clock.now().toISOString();
    await this.d.db.transaction(async (trx) => {
      await this.d.instances.update(
        row.uuid,
        {
          vm_state: VmState.DELETED,
          task_state: null,
          power_state: PowerState.NOSTATE,
          deleted: true,
          deleted_at: now,
          terminated_at: now,
          updated_at: now,
          addresses_json: null,
        },
        trx,
      );
      await this.d.actions.start(trx, {
        instanceUuid: row.uuid,
        action: 'delete',
        requestId,
        userId: auth.userId,
        projectId: auth.projectId,
      });
    });
  }

  // ---- metadata ----------------------------------------------------------------------------
  async getMetadata(auth: AuthContext, uuid: string): Promise<Record<string, string>> {
    const row = await this.get(auth, uuid);
    return this.d.metadata.get(row.uuid);
  }

  async setMetadata(
    auth: AuthContext,
    uuid: string,
    items: Record<string, string>,
    replace: boolean,
  ): Promise<Record<string, string>> {
    const row = await this.get(auth, uuid);
    authorize(auth, 'write', 'os_compute_api:server-metadata:update');
    assertNotLocked(row, auth);
    assertState(row, { vmState: METADATA_VM_STATES }, 'update_metadata');
    // nova update_instance_metadata: the quota holds for what the server will have (PUT replaces, POST merges)
    const after = replace ? items : { ...(await this.d.metadata.get(row.uuid)), ...items };
    await this.d.quotas.assertMetadataItems(row.project_id, Object.keys(after).length, auth.userId);
    await this.d.db.transaction(async (trx) => {
      await this.d.metadata.set(row.uuid, items, replace, trx);
      await this.d.instances.update(row.uuid, { updated_at: this.d.clock.now().toISOString() }, trx);
    });
    return this.d.metadata.get(row.uuid);
  }

  async deleteMetadataItem(auth: AuthContext, uuid: string, key: string): Promise<void> {
    const row = await this.get(auth, uuid);
    authorize(auth, 'write', 'os_compute_api:server-metadata:delete');
    const meta = await this.d.metadata.get(row.uuid);
    if (!(key in meta)) throw MetadataItemNotFound();
    assertNotLocked(row, auth);
    assertState(row, { vmState: METADATA_VM_STATES }, 'delete_metadata');
    await this.d.metadata.deleteKey(row.uuid, key);
    await this.d.instances.update(row.uuid, { updated_at: this.d.clock.now().toISOString() });
  }

  // ---- tags ----------------------------------------------------------------------------------
  async getTags(auth: AuthContext, uuid: string): Promise<string[]> {
    const row = await this.get(auth, uuid);
    return this.d.tags.get(row.uuid);
  }

  async hasTag(auth: AuthContext, uuid: string, tag: string): Promise<void> {
    const row = await this.get(auth, uuid);
    if (!(await this.d.tags.has(row.uuid, tag))) throw ServerTagNotFound(row.uuid, tag);
  }

  async replaceTags(auth: AuthContext, uuid: string, tags: string[]): Promise<string[]> {
    const row = await this.writableForTags(auth, uuid, 'update tags');
    if (new Set(tags).size > MAX_TAGS) throw TooManyTags(MAX_TAGS);
    await this.d.db.transaction(async (trx) => {
      await this.d.tags.replace(row.uuid, tags, trx);
      await this.d.instances.update(row.uuid, { updated_at: this.d.clock.now().toISOString() }, trx);
    });
    return this.d.tags.get(row.uuid);
  }

  /** true when the tag was new (201), false when it was already there (204). */
  async addTag(auth: AuthContext, uuid: string, tag: string): Promise<boolean> {
    const row = await this.writableForTags(auth, uuid, 'update tag');
    if (await this.d.tags.has(row.uuid, tag)) return false;
    if ((await this.d.tags.count(row.uuid)) >= MAX_TAGS) throw TooManyTags(MAX_TAGS);
    await this.d.tags.add(row.uuid, tag);
    await this.d.instances.update(row.uuid, { updated_at: this.d.clock.now().toISOString() });
    return true;
  }

  async deleteTag(auth: AuthContext, uuid: string, tag: string): Promise<void> {
    const row = await this.writableForTags(auth, uuid, 'delete tag');
    if (!(await this.d.tags.remove(row.uuid, tag))) throw ServerTagNotFound(row.uuid, tag);
    await this.d.instances.update(row.uuid, { updated_at: this.d.clock.now().toISOString() });
  }

  async deleteAllTags(auth: AuthContext, uuid: string): Promise<void> {
    const row = await this.writableForTags(auth, uuid, 'delete tags');
    await this.d.tags.replace(row.uuid, []);
    await this.d.instances.update(row.uuid, { updated_at: this.d.clock.now().toISOString() });
  }

  private async writableForTags(auth: AuthContext, uuid: string, method: string): Promise<InstanceRow> {
    const row = await this.get(auth, uuid);
    authorize(auth, 'write', `os_compute_api:os-server-tags:${method.replace(' ', '_')}`);
    assertState(row, { vmState: TAG_VM_STATES }, method);
    return row;
  }

  /** Admin-only guard helper for list filters and the like. */
  static assertAdmin(auth: AuthContext, what: string): void {
    if (!isAdmin(auth)) throw PolicyForbids(what);
  }
}

/** imageRef and flavorRef may be ids or links (".../flavors/1"). */
export { ImageNotFound };
export { lastPathSegment, sanitizeHostname } from './create-server.js';
export type { CreateServerInput, CreateServerResult, NetworksRequest } from './create-server.js';
