// The compute API (nova compute/api.py): the rules for servers. Each method begins with its guard
// (visibility → 404, policy → 403, state → 409), changes the database in one transaction (the
// task_state compare-and-swap is the lock), records an instance action and enqueues a task for
// the worker. It never waits for Docker: create and delete return as soon as the task is queued.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Database } from '../../db/knex.js';
import type { Clock } from '../../db/time.js';
import type { AuthContext } from '../../identity/auth-context.js';
import { authorize, canSee, isAdmin } from '../../identity/policy.js';
import { BadRequest, Forbidden, InstanceNotFound, ImageNotFound, NotFound } from '../../errors.js';
import {
  type InstancesRepo,
  type FlavorSnapshot,
  type InstanceRow,
  type NewInstance,
} from '../../db/repositories/instances-repo.js';
import type { InstanceMetadataRepo } from '../../db/repositories/instance-metadata-repo.js';
import type { InstanceTagsRepo } from '../../db/repositories/instance-tags-repo.js';
import type { HostsRepo } from '../../db/repositories/hosts-repo.js';
import { type TaskQueue, BUILD_TASK, DELETE_TASK, type BuildPayload } from '../tasks.js';
import type { InstanceActions } from './instance-actions.js';
import type { FlavorPort, ImagePort, KeypairPort, QuotaPort, ImageRow, ServerGroupPort } from '../ports.js';
import { assertNotLocked, assertState } from './guards.js';
import { TaskState, VmState } from './states.js';
import { PRIVATE_NETWORK, PRIVATE_NETWORK_ID } from './networks.js';
import {
  assertInjectedFileQuota,
  assertSecurityGroups,
  bdmImageNotFound,
  noBlockStorage,
  resolveBlockDeviceMappings,
  type BdmV2,
  type LegacyBdm,
  type PersonalityFile,
} from './create-options.js';
import { parseAvailabilityZone, zoneForForcedHost } from './zone-request.js';
import { PowerState } from '../../virt/power-state.js';
import { defaultGroupId } from './security-groups.js';
import { isUuidLike } from '../../contract/parameter-types.js';

export type NetworksRequest =
  'auto' | 'none' | { uuid?: string; port?: string; fixed_ip?: string; tag?: string }[] | undefined;

export interface CreateServerInput {
  name: string;
  imageRef: string | undefined;
  flavorRef: string;
  minCount: number;
  maxCount: number;
  networks: NetworksRequest;
  metadata: Record<string, string>;
  userData: string | null;
  keyName: string | null;
  availabilityZone: string | null;
  accessIPv4: string | null;
  accessIPv6: string | null;
  description: string | null;
  tags: string[];
  hostname: string | null;
  adminPass: string | null;
  configDrive: boolean;
  /** 2.74: host and/or hypervisor_hostname (admin only); both name a compute host here */
  requestedHost: string | null;
  /** 2.63 trusted_image_certificates (kept and shown; signature verification is not done here) */
  trustedCerts: string[] | null;
  /** the `group` scheduler hint: a server group uuid */
  serverGroup?: string | null;
  /** below 2.57: files to inject (base64 contents) */
  personality?: PersonalityFile[];
  blockDeviceMapping?: LegacyBdm[];
  blockDeviceMappingV2?: BdmV2[];
  /** security group names or ids; only the project's default group exists */
  securityGroups?: string[];
}

export interface CreateServerResult {
  instances: InstanceRow[];
  reservationId: string;
  adminPass: string;
}

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

export interface ComputeApiDeps {
  db: Database;
  clock: Clock;
  instances: InstancesRepo;
  metadata: InstanceMetadataRepo;
  tags: InstanceTagsRepo;
  hostsRepo: HostsRepo;
  worker: TaskQueue;
  actions: InstanceActions;
  flavors: FlavorPort;
  images: ImagePort;
  quotas: QuotaPort;
  keypairs: KeypairPort;
  serverGroups?: ServerGroupPort;
}

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

  // ---- create ------------------------------------------------------------------------------
  async create(auth: AuthContext, requestId: string, input: CreateServerInput): Promise<CreateServerResult> {
    authorize(auth, 'write', 'os_compute_api:servers:create');
    const projectId = auth.projectId!;
    if (input.minCount > input.maxCount) throw new BadRequest('min_count must be <= max_count');
    // "zone:host[:node]" forces a host (admins only), before anything else as in Nova's API
    const zoneRequest = parseAvailabilityZone(input.availabilityZone);
    const forcedHostName = zoneRequest.forcedHost ?? zoneRequest.forcedNode;
    if (forcedHostName !== null) {
      if (!isAdmin(auth))
        throw new Forbidden("Policy doesn't allow os_compute_api:servers:create:forced_host to be performed.");
      if (input.requestedHost) {
        throw new BadRequest(
          'One mechanism with host and/or hypervisor_hostname and another mechanism with zone:host:node are mutually exclusive.',
        );
      }
    }
    // Block device mappings first, as Nova's API does: they decide whether imageRef may be missing.
    const mapped = resolveBlockDeviceMappings(input.imageRef, input.blockDeviceMapping, input.blockDeviceMappingV2);

    const flavorId = lastPathSegment(input.flavorRef);
    const flavor = await this.d.flavors.find(flavorId, auth);
    if (!flavor) throw new BadRequest(`Flavor ${flavorId} could not be found.`);
    if (flavor.disabled) throw new BadRequest('Flavor is disabled.');
    // 2.90: one hostname cannot name several servers (nova compute/api.py create,
    // AmbiguousHostnameForMultipleInstances), checked before the image as there.
    if (input.hostname && input.maxCount > 1)
      throw new BadRequest('Unable to allocate a single hostname to multiple instances');
    for (const id of mapped.imagesToCheck) {
      await this.d.images.getForBoot(auth, id).catch((err) => {
        throw err instanceof NotFound ? bdmImageNotFound(id) : err;
      });
    }
    if (mapped.needsBlockStorage) throw noBlockStorage();
    const image = await this.bootImage(auth, lastPathSegment(mapped.imageRef));
    if (image.min_ram && flavor.memory_mb < Number(image.min_ram))
      throw new BadRequest("Flavor's memory is too small for requested image.");

    const keypair = input.keyName ? await this.d.keypairs.findForUser(auth.userId, input.keyName) : undefined;
    if (input.keyName && !keypair) throw new BadRequest('Invalid key_name provided.');
    const personality = input.personality ?? [];
    if (personality.length) {
      assertInjectedFileQuota(
        personality,
        await this.d.quotas.limitsFor(projectId),
        await this.d.quotas.limitsForUser(projectId, auth.userId),
      );
    }
    if (input.securityGroups) assertSecurityGroups(input.securityGroups, defaultGroupId(projectId));
    // A forced host skips the zone check (Nova checks the zone only without one) and decides the zone.
    let zone = zoneRequest.zone;
    let requestedHostId: number | null;
    if (forcedHostName !== null) {
      const host = await this.d.hostsRepo.findByName(forcedHostName);
      if (!host) throw new BadRequest(`Compute host ${forcedHostName} could not be found.`);
      zone = zoneForForcedHost(zone, host.availability_zone);
      requestedHostId = host.id;
    } else {
      if (zone) await this.assertZone(zone);
      requestedHostId = input.requestedHost ? await this.requestedHost(auth, input.requestedHost) : null;
    }
    const network = this.networkFor(input.networks);
    const extraSpecs = await this.d.flavors.extraSpecs(flavor.id);
    const snapshot: FlavorSnapshot = {
      id: flavor.id,
      name: flavor.name,
      memory_mb: flavor.memory_mb,
      vcpus: flavor.vcpus,
      root_gb: flavor.root_gb,
      ephemeral_gb: flavor.ephemeral_gb,
      swap: flavor.swap,
      extra_specs: extraSpecs,
    };
    const reservationId = `r-${randomToken(8)}`;
    const adminPass = input.adminPass ?? randomPassword(12);
    const now = this.d.clock.now().toISOString();

    const rows = await this.d.db.transaction(async (trx) => {
      const count = await this.d.quotas.allowedInstances(trx, projectId, {
        min: input.minCount,
        max: input.maxCount,
        vcpus: flavor.vcpus,
        memoryMb: flavor.memory_mb,
        userId: auth.userId,
      });
      const created: InstanceRow[] = [];
      for (let i = 0; i < count; i++) {
        const uuid = randomUUID();
        const name = count > 1 ? `${input.name}-${i + 1}` : input.name;
        const row: NewInstance = {
          uuid,
          project_id: projectId,
          user_id: auth.userId,
          display_name: name,
          display_description: input.description,
          hostname: input.hostname ?? sanitizeHostname(name, uuid),
          host_id: null,
          availability_zone: zone,
          flavor_id: flavor.id,
          vcpus: flavor.vcpus,
          memory_mb: flavor.memory_mb,
          root_gb: flavor.root_gb,
          ephemeral_gb: flavor.ephemeral_gb,
          swap_mb: flavor.swap,
          flavor_json: JSON.stringify(snapshot),
          image_ref: image.id,
          key_name: keypair?.name ?? null,
          key_data: keypair?.public_key ?? null,
          user_data: input.userData,
          config_drive: input.configDrive ? 'True' : '',
          access_ip_v4: input.accessIPv4,
          access_ip_v6: input.accessIPv6,
          vm_state: VmState.BUILDING,
          task_state: TaskState.SCHEDULING,
          power_state: PowerState.NOSTATE,
          locked: false,
          locked_by: null,
          locked_reason: null,
          reservation_id: reservationId,
          launch_index: i,
          launched_at: null,
          terminated_at: null,
          created_at: now,
          updated_at: now,
          deleted_at: null,
          deleted: false,
          progress: 0,
          container_id: null,
          network,
          addresses_json: null,
          server_group_id: null,
          trusted_certs: input.trustedCerts ? JSON.stringify(input.trustedCerts) : null,
        };
        await this.d.instances.insert(row, trx);
        await this.d.metadata.set(uuid, input.metadata, false, trx);
        if (input.tags.length) await this.d.tags.replace(uuid, input.tags, trx);
        await this.d.actions.start(trx, {
          instanceUuid: uuid,
          action: 'create',
          requestId,
          userId: auth.userId,
          projectId,
        });
        await this.d.worker.enqueue(trx, {
          instanceUuid: uuid,
          kind: BUILD_TASK,
          payload: {
            image,
            hostId: requestedHostId,
            ...(personality.length ? { files: personality } : {}),
          } satisfies BuildPayload,
          requestId,
        });
        created.push({ ...row, id: 0 });
      }
      // The `group` scheduler hint: membership (and its quota) is decided with the rows, so the
      // scheduler sees the group when the build task runs after this commit.
      if (input.serverGroup) {
        if (!this.d.serverGroups) throw new BadRequest('Server groups are not available.');
        const group = await this.d.serverGroups
          .addMembers(
            trx,
            auth,
            input.serverGroup,
            created.map((c) => c.uuid),
          )
          .catch((err) => {
            if (err instanceof NotFound)
              throw new BadRequest(`Invalid server group ${input.serverGroup}: it could not be found.`);
            throw err;
          });
        await this.d.instances.setServerGroup(
          created.map((c) => c.uuid),
          group.row.uuid,
          trx,
        );
        for (const c of created) c.server_group_id = group.row.uuid;
      }
      return created;
    });
    return { instances: rows, reservationId, adminPass };
  }

  private async bootImage(auth: AuthContext, ref: string): Promise<ImageRow> {
    let image: ImageRow;
    try {
      image = await this.d.images.getForBoot(auth, ref);
    } catch (err) {
      if (err instanceof NotFound) throw new BadRequest('Can not find requested image');
      throw err;
    }
    this.d.images.assertBootable?.(image);
    return image;
  }

  /** 2.74 requested destination: admins only; the host must exist. */
  private async requestedHost(auth: AuthContext, name: string): Promise<number> {
    if (!isAdmin(auth))
      throw new Forbidden("Policy doesn't allow compute:servers:create:requested_destination to be performed.");
    const host = await this.d.hostsRepo.findByName(name);
    if (!host) throw new BadRequest(`Compute host ${name} could not be found.`);
    return host.id;
  }

  private async assertZone(zone: string): Promise<void> {
    const hosts = await this.d.hostsRepo.list();
    if (!hosts.some((h) => h.availability_zone === zone && !h.disabled)) {
      throw new BadRequest('The requested availability zone is not available');
    }
  }

  /** networks → the Docker network to attach ("private") or null (nova's rules per microversion are in the schema). */
  private networkFor(networks: NetworksRequest): string | null {
    if (networks === 'none') return null;
    if (networks === undefined || networks === 'auto') return PRIVATE_NETWORK;
    if (networks.length === 0) return PRIVATE_NETWORK;
    for (const n of networks) {
      if (n.port) throw new BadRequest(`Port ${n.port} could not be found.`);
      if (n.uuid && n.uuid !== PRIVATE_NETWORK_ID && n.uuid !== PRIVATE_NETWORK)
        throw new BadRequest(`Network ${n.uuid} could not be found.`);
    }
    return PRIVATE_NETWORK;
  }

  // ---- update ------------------------------------------------------------------------------
  async update(auth: AuthContext, uuid: string, input: UpdateServerInput): Promise<InstanceRow> {
    const row = await this.get(auth, uuid);
    authorize(auth, 'write', 'os_compute_api:servers:update');
    const changes: Partial<InstanceRow> = { updated_at: this.d.clock.now().toISOString() };
    if (input.name !== undefined) changes.display_name = input.name;
    if (input.description !== undefined) changes.display_description = input.description;
    if (input.accessIPv4 !== undefined) changes.access_ip_v4 = input.accessIPv4 || null;
    if (input.accessIPv6 !== undefined) changes.access_ip_v6 = input.accessIPv6 || null;
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
    if (!(key in meta)) throw new NotFound('Metadata item was not found');
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
    if (!(await this.d.tags.has(row.uuid, tag))) throw new NotFound(`Server ${row.uuid} has no tag '${tag}'`);
  }

  async replaceTags(auth: AuthContext, uuid: string, tags: string[]): Promise<string[]> {
    const row = await this.writableForTags(auth, uuid, 'update tags');
    if (new Set(tags).size > MAX_TAGS)
      throw new BadRequest(`The number of tags exceeded the per-server limit ${MAX_TAGS}`);
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
    if ((await this.d.tags.count(row.uuid)) >= MAX_TAGS)
      throw new BadRequest(`The number of tags exceeded the per-server limit ${MAX_TAGS}`);
    await this.d.tags.add(row.uuid, tag);
    await this.d.instances.update(row.uuid, { updated_at: this.d.clock.now().toISOString() });
    return true;
  }

  async deleteTag(auth: AuthContext, uuid: string, tag: string): Promise<void> {
    const row = await this.writableForTags(auth, uuid, 'delete tag');
    if (!(await this.d.tags.remove(row.uuid, tag))) throw new NotFound(`Server ${row.uuid} has no tag '${tag}'`);
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
    if (!isAdmin(auth)) throw new Forbidden(`Policy doesn't allow ${what} to be performed.`);
  }
}

/** imageRef and flavorRef may be ids or links (".../flavors/1"). */
export function lastPathSegment(ref: string): string {
  const trimmed = ref.replace(/\/+$/, '');
  return trimmed.includes('/') ? trimmed.slice(trimmed.lastIndexOf('/') + 1) : trimmed;
}

/** nova utils.sanitize_hostname: a DNS label from a display name. */
export function sanitizeHostname(name: string, uuid: string): string {
  let h = name.normalize('NFKD').replace(/[^\x00-\x7f]/g, '');
  h = h
    .replace(/[ _.]/g, '-')
    .replace(/[^\w.-]+/g, '')
    .toLowerCase();
  h = h
    .replace(/^[.-]+|[.-]+$/g, '')
    .slice(0, 63)
    .replace(/[.-]+$/g, '');
  return h || `server-${uuid}`;
}

function randomToken(n: number): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(n), (b) => alphabet[b % alphabet.length]).join('');
}

/** nova utils.generate_password: letters and digits without look-alikes. */
function randomPassword(n: number): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  return Array.from(randomBytes(n), (b) => alphabet[b % alphabet.length]).join('');
}

export { ImageNotFound };
