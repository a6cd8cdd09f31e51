// Glance's rules for an image's row, apart from storage: a new image's from its create body, a
// server snapshot's from the image the server booted, the changes a JSON patch makes, and whether
// an image can boot a container here.
import { randomUUID } from 'node:crypto';
import { type AuthContext, isAdmin } from '../identity/auth-context.js';
import { BadRequest, Forbidden, ImagePropertyNotFound, PublicizeImageForbidden } from '../errors.js';
import { WRITABLE_BASE, assertSettableKey, canonicalUuid, validateValue } from './image-rules.js';
import { isUuidLike } from '../contract/parameter-types.js';
import {
  imageProperties,
  type ImageListQuery,
  type ImageRow,
  type RangeFilter,
  type TimeFilter,
} from '../db/repositories/images-repo.js';

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

/** A new image's row and tags from Glance's create body (the caller checks the id is free). */
export function newImageRow(
  auth: AuthContext,
  body: CreateImageInput,
  now: string,
): { row: ImageRow; tags?: string[] } {
  const project = auth.projectId;
  const values: Record<string, unknown> = {};
  const custom: Record<string, string> = {};
  let id: string = randomUUID();
  for (const [key, value] of Object.entries(body)) {
    if (key === 'id') {
      if (typeof value !== 'string' || !isUuidLike(value))
        throw new BadRequest(`Provided object does not match schema 'image': ${JSON.stringify(value)} is not a 'uuid'`);
      id = canonicalUuid(value);
      continue;
    }
    assertSettableKey(key);
    const v = validateValue(key, value);
    if ((WRITABLE_BASE as readonly string[]).includes(key)) values[key] = v;
    else custom[key] = v as string;
  }
  const visibility = (values.visibility as string | undefined) ?? 'shared';
  if (visibility === 'public' && !isAdmin(auth)) throw PublicizeImageForbidden();
  const owner = values.owner === undefined ? project : (values.owner as string | null);
  if (owner !== project && !isAdmin(auth))
    throw new Forbidden(`You are not permitted to create images owned by '${owner}'.`);
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
  return { row, tags: values.tags as string[] | undefined };
}

/** A queued snapshot's row: `base` is the image the server booted from, when it still exists. */
export function snapshotRow(
  auth: AuthContext,
  input: SnapshotInput,
  owner: string,
  base: ImageRow | undefined,
  now: string,
): ImageRow {
  const inherited: Record<string, string> = {};
  if (base) for (const [k, v] of Object.entries(imageProperties(base))) if (!NOT_INHERITED.has(k)) inherited[k] = v;
  // nova compute/utils.py create_image + initialize_instance_snapshot_metadata: Nova's own keys
  // over the inherited ones, then the caller's metadata over both ("extra_properties have precedence")
  const properties: Record<string, string> = {
    ...inherited,
    ...(input.baseImageRef ? { base_image_ref: input.baseImageRef } : {}),
    image_type: input.imageType ?? 'snapshot',
    instance_uuid: input.instanceUuid,
    user_id: auth.userId,
    ...(input.metadata ?? {}),
  };
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
  return row;
}

/** What a JSON patch (application/openstack-images-v2.1-json-patch) changes: base fields, custom properties, tags. */
export function patchImage(
  auth: AuthContext,
  image: ImageRow,
  ops: unknown,
): { changes: Partial<ImageRow>; custom: Record<string, string>; tags: string[] | null } {
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
      if (!(key in custom)) throw ImagePropertyNotFound(key);
      delete custom[key];
      continue;
    }
    const value = validateValue(key, op.value);
    if (!isBase) {
      if (op.op === 'replace' && !(key in custom)) throw ImagePropertyNotFound(key);
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
      throw PublicizeImageForbidden();
    }
    if (key === 'owner' && value !== image.owner && !isAdmin(auth))
      throw new Forbidden('Attribute owner is read-only for non-admin users.');
    (changes as Record<string, unknown>)[key] = value;
  }
  return { changes, custom, tags };
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
