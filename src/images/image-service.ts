// Glance's rules: who sees which image (visibility and membership), who may change it, the status
// machine (queued → saving → active; deactivated; killed on a broken upload), and the operations
// the API and the compute side need (boot lookups, snapshots, uploads). Routes stay thin; view
// builders render the rows returned here.
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Database } from '../db/knex.js';
import { type AuthContext, isAdmin } from '../identity/auth-context.js';
import { authorize, projectOf } from '../identity/policy.js';
import type { Clock } from '../db/time.js';
import {
  type ImagesRepo,
  imageProperties,
  type ImageHostLoadRow,
  type ImageListQuery,
  type ImageRow,
  type ImageStatus,
  type RangeFilter,
  type TimeFilter,
} from '../db/repositories/images-repo.js';
import { ApiError, BadRequest, Conflict, Forbidden, ImageNotFound, NotFound } from '../errors.js';
import { type ImageStore, type StoredImage } from './image-store.js';
import { ImageMembers } from './image-members.js';
import { requestedRange, type ByteRange } from './byte-range.js';

type RangeHeaders = Parameters<typeof requestedRange>[0];
import { SORT_KEYS, WRITABLE_BASE, assertSettableKey, canonicalUuid, validateValue } from './image-rules.js';
import { isUuidLike } from '../contract/parameter-types.js';

/** Glance's "No image found with ID x" (404). */
export class GlanceImageNotFound extends NotFound {
  constructor(id: string) {
    super(`No image found with ID ${id}`);
  }
}

export interface CreateImageInput {
  [key: string]: unknown;
}

export interface ListImagesInput {
  /** a list is Glance's `in:` operator (any of these values) */
  filters: ImageListQuery['filters'];
  /** created_at / updated_at comparisons */
  times?: TimeFilter[];
  /** size_min / size_max (and virtual_size_…) bounds */
  ranges?: RangeFilter[];
  /** only protected (true) or unprotected (false) images */
  protected?: boolean | null;
  tags: string[];
  /** exact matches on custom properties */
  properties?: Record<string, string>;
  memberStatus?: string;
  osHidden?: boolean | null;
  sort: { key: string; dir: 'asc' | 'desc' }[];
  marker?: string;
  limit?: number;
}

export interface PatchOp {
  op: string;
  path: string;
  value?: unknown;
}

export interface SnapshotInput {
  name: string;
  instanceUuid: string;
  baseImageRef: string | null;
  metadata?: Record<string, string>;
  imageType?: 'snapshot' | 'backup';
  /** The server's project; the snapshot belongs to it (defaults to the caller's project). */
  ownerProjectId?: string;
  /** The server's root disk (GB): the snapshot needs at least that much (Nova's image_min_disk). */
  rootGb?: number;
}

const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 1000;
/** Properties a snapshot does not inherit from the image its server booted from. */
const NOT_INHERITED = new Set([
  'image_type',
  'instance_uuid',
  'base_image_ref',
  'owner_specified.openstack.md5',
  'owner_specified.openstack.sha256',
  'owner_specified.openstack.object',
  'image_location',
  'image_state',
  'user_id',
  'owner_user_name',
  'owner_project_name',
]);

export class ImageService {
  /** Sharing of `shared` images with other projects (Glance's members API). */
  readonly members: ImageMembers;

  constructor(
    private readonly db: Database,
    readonly repo: ImagesRepo,
    readonly store: ImageStore,
    private readonly clock: Clock,
  ) {
    this.members = new ImageMembers(this, repo, clock);
  }

  private now(): string {
    return this.clock.now().toISOString();
  }

  // ---- visibility ----------------------------------------------------------------------------
  /** May the caller see this image at all? (Glance: others get 404.) */
  async canView(auth: AuthContext, image: ImageRow): Promise<boolean> {
    if (isAdmin(auth)) return true;
    if (image.visibility === 'public' || image.visibility === 'community') return true;
    if (image.owner !== null && image.owner === auth.projectId) return true;
    if (image.visibility === 'shared' && auth.projectId)
      return (await this.repo.findMember(image.id, auth.projectId)) !== undefined;
    return false;
  }

  /** Admin, or the image belongs to the caller's project. */
  isOwner(auth: AuthContext, image: ImageRow): boolean {
    return isAdmin(auth) || (image.owner !== null && image.owner === auth.projectId);
  }

  /** The image, if the caller may see it; Glance's 404 otherwise (also for ids that are not UUIDs). */
  async get(auth: AuthContext, id: string): Promise<ImageRow> {
    const image = isUuidLike(id) ? await this.repo.find(canonicalUuid(id)) : undefined;
    if (!image || !(await this.canView(auth, image))) throw new GlanceImageNotFound(id);
    return image;
  }

  /** For changes: visible (else 404), and owned by the caller's project or admin (else 403). */
  async getOwned(auth: AuthContext, id: string, verb: string): Promise<ImageRow> {
    const image = await this.get(auth, id);
    authorize(auth, 'write', `${verb}_image`);
    if (!this.isOwner(auth, image)) throw new Forbidden(`You are not permitted to ${verb} this image.`);
    return image;
  }

  async tags(id: string): Promise<string[]> {
    return this.repo.tags(id);
  }
  async tagsFor(ids: string[]): Promise<Map<string, string[]>> {
    return this.repo.tagsFor(ids);
  }

  // ---- what compute needs --------------------------------------------------------------------
  /**
   * The image a server boots from, as the caller sees it. Throws ImageNotFound (Nova's wording)
   * when it does not exist or is invisible; the servers API turns that into its 400.
   */
  async getForBoot(auth: AuthContext, imageRef: string): Promise<ImageRow> {
    const image = isUuidLike(imageRef) ? await this.repo.find(canonicalUuid(imageRef)) : undefined;
    if (!image || !(await this.canView(auth, image))) throw ImageNotFound(imageRef);
    return image;
  }

  /** Throws 400 unless the image can boot a container here: active, container_format docker. */
  assertBootable(image: ImageRow): void {
    assertBootable(image);
  }

  /** A queued image for a server snapshot (createImage), owned by the server's project. */
  async createSnapshot(auth: AuthContext, input: SnapshotInput): Promise<ImageRow> {
    const owner = input.ownerProjectId ?? projectOf(auth);
    const base =
      input.baseImageRef && isUuidLike(input.baseImageRef)
        ? await this.repo.find(canonicalUuid(input.baseImageRef))
        : undefined;
    const inherited: Record<string, string> = {};
    if (base) for (const [k, v] of Object.entries(imageProperties(base))) if (!NOT_INHERITED.has(k)) inherited[k] = v;
    const properties: Record<string, string> = {
      ...inherited,
      ...(input.metadata ?? {}),
      image_type: input.imageType ?? 'snapshot',
      instance_uuid: input.instanceUuid,
      user_id: auth.userId,
    };
    if (input.baseImageRef) properties.base_image_ref = input.baseImageRef;
    const now = this.now();
    const row: ImageRow = {
      id: randomUUID(),
      name: input.name,
      status: 'queued',
      visibility: 'private',
      owner,
      container_format: 'docker',
      disk_format: 'raw',
      size: null,
      virtual_size: null,
      checksum: null,
      os_hash_algo: null,
      os_hash_value: null,
      // nova utils.get_system_metadata_from_image: min_disk is the larger of the base image's and
      // the flavor's root disk, so the snapshot never boots on a disk too small for what it holds
      min_disk: Math.max(base?.min_disk ?? 0, input.rootGb ?? 0),
      min_ram: base?.min_ram ?? 0,
      protected: false,
      os_hidden: false,
      properties: JSON.stringify(properties),
      created_at: now,
      updated_at: now,
    };
    await this.repo.insert(row);
    return (await this.repo.find(row.id))!;
  }

  /**
   * Stores `stream` as the data of a queued image (no caller checks: compute uses it for
   * snapshots). queued → saving → active; on failure the image goes to killed (internal errors)
   * or back to queued (client-side failures: too large, disk full, aborted), as Glance does.
   */
  async uploadFromStream(imageId: string, stream: Readable, opts: { maxBytes?: number } = {}): Promise<ImageRow> {
    // The body may break while we talk to the database; the pipeline below sees that as a
    // destroyed source. Without a listener, an early 'error' would be an uncaught exception.
    stream.on('error', ignore);
    const claimed = await this.repo.update(imageId, { status: 'saving', updated_at: this.now() }, ['queued']);
    if (claimed === 0) {
      const image = await this.repo.find(imageId);
      stream.resume();
      if (!image) throw new GlanceImageNotFound(imageId);
      throw new Conflict(`Image status transition from ${image.status} to saving is not allowed`);
    }
    let stored: StoredImage;
    try {
      stored = await this.store.write(imageId, stream, opts.maxBytes);
    } catch (err) {
      const back: ImageStatus = err instanceof ApiError ? 'queued' : 'killed';
      await this.repo.update(imageId, { status: back, updated_at: this.now() }, ['saving']);
      throw err;
    }
    const done = await this.repo.update(
      imageId,
      {
        status: 'active',
        size: stored.size,
        virtual_size: null,
        checksum: stored.checksum,
        os_hash_algo: 'sha512',
        os_hash_value: stored.sha512,
        updated_at: this.now(),
      },
      ['saving'],
    );
    if (done === 0) {
      // Deleted (or killed) while the data arrived: drop the data, report the image gone.
      await this.store.remove(imageId);
      throw new GlanceImageNotFound(imageId);
    }
    return (await this.repo.find(imageId))!;
  }

  /** Status change for compute's snapshot flow (e.g. killed when docker save fails). */
  async setStatus(imageId: string, status: ImageStatus, expected?: ImageStatus[]): Promise<boolean> {
    return (await this.repo.update(imageId, { status, updated_at: this.now() }, expected)) > 0;
  }

  /** Removes an image record and its data without caller checks (compute: a failed snapshot). */
  async deleteInternal(imageId: string): Promise<void> {
    await this.repo.delete(imageId);
    await this.store.remove(imageId);
  }

  // ---- Glance API ----------------------------------------------------------------------------
  async list(auth: AuthContext, input: ListImagesInput): Promise<{ images: ImageRow[]; more: boolean }> {
    const limit = input.limit ?? DEFAULT_LIMIT;
    if (!Number.isInteger(limit) || limit < 0) throw new BadRequest('limit param must be positive');
    for (const s of input.sort) {
      if (!(SORT_KEYS as readonly string[]).includes(s.key))
        throw new BadRequest(`Invalid sort key: ${s.key}. It must be one of the following: ${SORT_KEYS.join(', ')}.`);
    }
    const sort = input.sort.length > 0 ? input.sort : [{ key: 'created_at', dir: 'desc' as const }];
    let marker: ImageRow | null = null;
    if (input.marker !== undefined) {
      const m = isUuidLike(input.marker) ? await this.repo.find(canonicalUuid(input.marker)) : undefined;
      if (!m || !(await this.canView(auth, m)))
        throw new BadRequest(`Invalid marker. Image ${input.marker} could not be found.`);
      marker = m;
    }
    const filters = { ...input.filters };
    const includeCommunity = filters.visibility === 'all';
    if (filters.visibility === 'all') delete filters.visibility;
    const effectiveLimit = Math.min(limit, MAX_LIMIT);
    const rows = await this.repo.list(
      {
        visibleTo: { admin: isAdmin(auth), projectId: auth.projectId },
        filters,
        times: input.times ?? [],
        ranges: input.ranges ?? [],
        protected: input.protected ?? null,
        tags: input.tags,
        properties: input.properties ?? {},
        memberStatus: input.memberStatus ?? 'accepted',
        includeCommunity,
        osHidden: input.osHidden === undefined ? false : input.osHidden,
        sort,
        marker,
        limit: effectiveLimit + 1,
      },
      this.db,
    );
    return { images: rows.slice(0, effectiveLimit), more: rows.length > effectiveLimit };
  }

  async create(auth: AuthContext, body: CreateImageInput): Promise<ImageRow> {
    authorize(auth, 'write', 'add_image');
    const project = auth.projectId;
    const values: Record<string, unknown> = {};
    const custom: Record<string, string> = {};
    let id: string = randomUUID();
    for (const [key, value] of Object.entries(body)) {
      if (key === 'id') {
        if (typeof value !== 'string' || !isUuidLike(value))
          throw new BadRequest(
            `Provided object does not match schema 'image': ${JSON.stringify(value)} is not a 'uuid'`,
          );
        id = canonicalUuid(value);
        continue;
      }
      assertSettableKey(key);
      const v = validateValue(key, value);
      if ((WRITABLE_BASE as readonly string[]).includes(key)) values[key] = v;
      else custom[key] = v as string;
    }
    const visibility = (values.visibility as string | undefined) ?? 'shared';
    if (visibility === 'public' && !isAdmin(auth))
      throw new Forbidden('You are not authorized to complete publicize_image action.');
    const owner = values.owner === undefined ? project : (values.owner as string | null);
    if (owner !== project && !isAdmin(auth))
      throw new Forbidden(`You are not permitted to create images owned by '${owner}'.`);
    if (await this.repo.find(id)) throw new Conflict(`An image with identifier ${id} already exists`);
    const now = this.now();
    const row: ImageRow = {
      id,
      name: (values.name as string | null | undefined) ?? null,
      status: 'queued',
      visibility: visibility as ImageRow['visibility'],
      owner,
      container_format: (values.container_format as string | null | undefined) ?? null,
      disk_format: (values.disk_format as string | null | undefined) ?? null,
      size: null,
      virtual_size: null,
      checksum: null,
      os_hash_algo: null,
      os_hash_value: null,
      min_disk: (values.min_disk as number | undefined) ?? 0,
      min_ram: (values.min_ram as number | undefined) ?? 0,
      protected: (values.protected as boolean | undefined) ?? false,
      os_hidden: (values.os_hidden as boolean | undefined) ?? false,
      properties: JSON.stringify(custom),
      created_at: now,
      updated_at: now,
    };
    await this.db.transaction(async (trx) => {
      await this.repo.insert(row, trx);
      if (values.tags) await this.repo.setTags(id, values.tags as string[], trx);
    });
    return (await this.repo.find(id))!;
  }

  /** JSON-patch update (application/openstack-images-v2.1-json-patch). */
  async update(auth: AuthContext, id: string, ops: unknown): Promise<ImageRow> {
    const image = await this.getOwned(auth, id, 'modify');
    if (!Array.isArray(ops)) throw new BadRequest('Request body must be a JSON array of operation objects.');
    const changes: Partial<ImageRow> = {};
    const custom = imageProperties(image);
    let tags: string[] | null = null;
    for (const raw of ops) {
      const op = parseOp(raw);
      const key = op.path;
      assertSettableKey(key);
      const isBase = (WRITABLE_BASE as readonly string[]).includes(key);
      if (op.op === 'remove') {
        if (isBase) throw new Forbidden(`Properties ${key} cannot be removed.`);
        if (!(key in custom)) throw new Conflict(`Property ${key} does not exist.`);
        delete custom[key];
        continue;
      }
      const value = validateValue(key, op.value);
      if (!isBase) {
        if (op.op === 'replace' && !(key in custom)) throw new Conflict(`Property ${key} does not exist.`);
        custom[key] = value as string;
        continue;
      }
      if (key === 'tags') {
        tags = value as string[];
        continue;
      }
      if ((key === 'container_format' || key === 'disk_format') && image.status !== 'queued' && value !== image[key]) {
        throw new Forbidden(`Attribute ${key} can be only replaced for a queued image.`);
      }
      if (key === 'visibility' && value === 'public' && image.visibility !== 'public' && !isAdmin(auth)) {
        throw new Forbidden('You are not authorized to complete publicize_image action.');
      }
      if (key === 'owner' && value !== image.owner && !isAdmin(auth))
        throw new Forbidden('Attribute owner is read-only for non-admin users.');
      (changes as Record<string, unknown>)[key] = value;
    }
    await this.db.transaction(async (trx) => {
      await this.repo.update(
        image.id,
        { ...changes, properties: JSON.stringify(custom), updated_at: this.now() },
        undefined,
        trx,
      );
      if (tags) await this.repo.setTags(image.id, tags, trx);
    });
    return (await this.repo.find(image.id))!;
  }

  /**
   * Changes custom properties in one step (Nova's image metadata API): `change` gets a copy of the
   * current properties and returns the new set. Keys and values are checked as on create.
   */
  async changeProperties(
    auth: AuthContext,
    id: string,
    change: (props: Record<string, string>) => Record<string, string>,
  ): Promise<ImageRow> {
    const image = await this.getOwned(auth, id, 'modify');
    const next = change({ ...imageProperties(image) });
    for (const [k, v] of Object.entries(next)) {
      if ((WRITABLE_BASE as readonly string[]).includes(k))
        throw new BadRequest(`Metadata key ${k} is an image attribute, not metadata.`);
      assertSettableKey(k);
      validateValue(k, v);
    }
    await this.repo.update(image.id, { properties: JSON.stringify(next), updated_at: this.now() });
    return (await this.repo.find(image.id))!;
  }

  async delete(auth: AuthContext, id: string): Promise<void> {
    const image = await this.getOwned(auth, id, 'delete');
    if (image.protected) throw new Forbidden(`Image ${image.id} is protected and cannot be deleted.`);
    const loads = await this.repo.hostLoads(image.id);
    await this.repo.delete(image.id);
    await this.store.remove(image.id);
    for (const listener of this.deleteListeners) await listener(image.id, loads).catch(() => undefined);
  }

  private readonly deleteListeners: ((imageId: string, loads: ImageHostLoadRow[]) => Promise<void>)[] = [];

  /** Called after an image is deleted through the API, with the hosts it had been loaded on. */
  onDeleted(listener: (imageId: string, loads: ImageHostLoadRow[]) => Promise<void>): void {
    this.deleteListeners.push(listener);
  }

  /** Upload through the API: the caller must own the image; then as uploadFromStream. */
  async upload(auth: AuthContext, id: string, stream: Readable, declaredLength: number | null): Promise<ImageRow> {
    stream.on('error', ignore);
    let image: ImageRow;
    try {
      image = await this.getOwned(auth, id, 'upload data to');
    } catch (err) {
      stream.resume();
      throw err;
    }
    if (image.status !== 'queued') {
      stream.resume();
      if (image.status === 'deactivated')
        throw new Forbidden(
          'Not allowed to upload image data for image ' + image.id + ' due to its deactivated status.',
        );
      throw new Conflict(`Image status transition from ${image.status} to saving is not allowed`);
    }
    const missing = (['container_format', 'disk_format'] as const).filter((k) => !image[k]);
    if (missing.length > 0) {
      stream.resume();
      throw new BadRequest(`Properties ${missing.join(', ')} must be set prior to saving data.`);
    }
    const max = this.store.maxBytes;
    if (declaredLength !== null && declaredLength > max) {
      stream.resume();
      throw new ApiError(
        413,
        `The incoming image is too large: The provided image is too large (the limit is ${max} bytes).`,
      );
    }
    return this.uploadFromStream(image.id, stream);
  }

  /**
   * The image data for download; null when the image has none yet (Glance answers 204). With
   * `rangeHeaders` (the request's Range / Content-Range), only the requested bytes: `range` is
   * then set, and `size` stays the size of the whole image.
   */
  async download(
    auth: AuthContext,
    id: string,
    rangeHeaders: RangeHeaders = {},
  ): Promise<{ image: ImageRow; stream: Readable; size: number; range: ByteRange | null } | null> {
    const image = await this.get(auth, id);
    if (image.status === 'deactivated' && !isAdmin(auth))
      throw new Forbidden('The requested image has been deactivated. Image data download is forbidden.');
    if (image.status !== 'active' && image.status !== 'deactivated') return null;
    try {
      const { stream, size, range } = await this.store.open(image.id, (total) => requestedRange(rangeHeaders, total));
      return { image, stream, size, range };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        throw new NotFound(`Image ${image.id} has no data in the store.`);
      throw err;
    }
  }

  async deactivate(auth: AuthContext, id: string): Promise<void> {
    const image = await this.get(auth, id);
    if (!isAdmin(auth)) throw new Forbidden('You are not authorized to complete deactivate action.');
    if (image.status === 'deactivated') return;
    if (image.status !== 'active') throw new Forbidden(`Not allowed to deactivate image in status '${image.status}'`);
    await this.repo.update(image.id, { status: 'deactivated', updated_at: this.now() }, ['active']);
  }

  async reactivate(auth: AuthContext, id: string): Promise<void> {
    const image = await this.get(auth, id);
    if (!isAdmin(auth)) throw new Forbidden('You are not authorized to complete reactivate action.');
    if (image.status === 'active') return;
    if (image.status !== 'deactivated')
      throw new Forbidden(`Not allowed to reactivate image in status '${image.status}'`);
    await this.repo.update(image.id, { status: 'active', updated_at: this.now() }, ['deactivated']);
  }

  // ---- tags ----------------------------------------------------------------------------------
  async addTag(auth: AuthContext, id: string, tag: string): Promise<void> {
    const image = await this.getOwned(auth, id, 'modify');
    validateValue('tags', [tag]);
    await this.repo.addTag(image.id, tag);
    await this.repo.update(image.id, { updated_at: this.now() });
  }

  async removeTag(auth: AuthContext, id: string, tag: string): Promise<void> {
    const image = await this.getOwned(auth, id, 'modify');
    if ((await this.repo.removeTag(image.id, tag)) === 0) throw new NotFound(`Tag ${tag} not found`);
    await this.repo.update(image.id, { updated_at: this.now() });
  }
}

function ignore(): void {
  /* handled where the stream is consumed */
}

/** Bootability check shared by the image service and the servers API. */
export function assertBootable(image: ImageRow): void {
  if (image.status !== 'active') throw new BadRequest(`Image ${image.id} is not active.`);
  if (image.container_format !== 'docker') {
    throw new BadRequest(
      `Image ${image.id} has container_format '${image.container_format ?? 'None'}', which cannot boot here: ` +
        "only container_format 'docker' images (a docker save archive or a root filesystem tarball) can boot.",
    );
  }
}

function parseOp(raw: unknown): { op: 'add' | 'replace' | 'remove'; path: string; value?: unknown } {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new BadRequest('Operations must be JSON objects.');
  const r = raw as Record<string, unknown>;
  const op = r.op;
  if (op !== 'add' && op !== 'replace' && op !== 'remove') {
    throw new BadRequest(`Operation objects must contain exactly one member named "add", "remove", or "replace".`);
  }
  if (typeof r.path !== 'string' || !r.path.startsWith('/') || r.path.length < 2)
    throw new BadRequest(`Unable to find '/' in JSON Schema change`);
  // JSON pointer: /a~1b → a/b; only top-level keys are patchable on images
  const segments = r.path.slice(1).split('/');
  if (segments.length !== 1) throw new BadRequest(`Invalid JSON pointer for this resource: '${r.path}'`);
  const path = segments[0].replace(/~1/g, '/').replace(/~0/g, '~');
  if (op !== 'remove' && !('value' in r)) throw new BadRequest('Operation objects must contain a "value" member.');
  return { op, path, value: r.value };
}
