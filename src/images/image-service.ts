// Glance's rules: who sees which image (visibility and membership), who may change it, the status
// machine (queued → saving → active; deactivated; killed on a broken upload), and the operations
// the API and the compute side need (boot lookups, snapshots, uploads). Routes stay thin; view
// builders render the rows returned here.
import type { Readable } from 'node:stream';
import type { Database } from '../db/knex.js';
import { type AuthContext, isAdmin } from '../identity/auth-context.js';
import { authorize, projectOf } from '../identity/policy.js';
import type { Clock } from '../db/time.js';
import {
  type ImagesRepo,
  imageProperties,
  type ImageHostLoadRow,
  type ImageRow,
  type ImageStatus,
} from '../db/repositories/images-repo.js';
import {
  ApiError,
  BadRequest,
  Conflict,
  Forbidden,
  ImageNotFound,
  NotFound,
  ImageTransitionNotAllowed,
} from '../errors.js';
import { type ImageStore, type StoredImage } from './image-store.js';
import { ImageMembers } from './image-members.js';
import { requestedRange, type ByteRange } from './byte-range.js';

type RangeHeaders = Parameters<typeof requestedRange>[0];
import { SORT_KEYS, WRITABLE_BASE, assertSettableKey, canonicalUuid, validateValue } from './image-rules.js';
import { isUuidLike } from '../contract/parameter-types.js';
import {
  assertBootable,
  newImageRow,
  patchImage,
  snapshotRow,
  type CreateImageInput,
  type ListImagesInput,
  type SnapshotInput,
} from './image-rows.js';

export { assertBootable } from './image-rows.js';
export type { CreateImageInput, ListImagesInput, PatchOp, SnapshotInput } from './image-rows.js';

/** Glance's "No image found with ID x" (404). */
export class GlanceImageNotFound extends NotFound {
  constructor(id: string) {
    super(`No image found with ID ${id}`);
  }
}

const DEFAULT_LIMIT = 25;
const MAX_LIMIT = 1000;

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
    const row = snapshotRow(auth, input, owner, base, this.now());
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
      throw ImageTransitionNotAllowed(image.status, 'saving');
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
    const { row, tags } = newImageRow(auth, body, this.now());
    if (await this.repo.find(row.id)) throw new Conflict(`An image with identifier ${row.id} already exists`);
    await this.db.transaction(async (trx) => {
      await this.repo.insert(row, trx);
      if (tags) await this.repo.setTags(row.id, tags, trx);
    });
    return (await this.repo.find(row.id))!;
  }

  /** JSON-patch update (application/openstack-images-v2.1-json-patch). */
  async update(auth: AuthContext, id: string, ops: unknown): Promise<ImageRow> {
    const image = await this.getOwned(auth, id, 'modify');
    const { changes, custom, tags } = patchImage(auth, image, ops);
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
      throw ImageTransitionNotAllowed(image.status, 'saving');
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
