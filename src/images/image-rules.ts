// Glance's vocabulary: formats, base and read-only properties, and the validation of the values a
// client may set (glance/api/v2/images.py, glance/schema). Kept apart so that the service reads as
// the sequence of decisions and the routes' schemas can reuse the same lists.
import { BadRequest, Forbidden } from '../errors.js';

export const CONTAINER_FORMATS = ['ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker', 'compressed'] as const;
export const DISK_FORMATS = [
  'ami',
  'ari',
  'aki',
  'vhd',
  'vhdx',
  'vmdk',
  'raw',
  'qcow2',
  'vdi',
  'iso',
  'ploop',
  // Not in Glance's default disk_formats, but in a Glance configured for Docker images: Horizon offers
  // "Docker" in Create Image only when the image schema's disk_format enum has it (it then sends
  // container_format docker, disk_format raw).
  'docker',
] as const;
export const VISIBILITIES = ['public', 'private', 'shared', 'community'] as const;
export const STATUSES = [
  'queued',
  'saving',
  'active',
  'killed',
  'deleted',
  'pending_delete',
  'deactivated',
  'uploading',
  'importing',
] as const;

/** Base properties a client may set. */
export const WRITABLE_BASE = [
  'name',
  'visibility',
  'container_format',
  'disk_format',
  'min_disk',
  'min_ram',
  'protected',
  'os_hidden',
  'tags',
  'owner',
] as const;
/** Properties the service owns (Glance: "Attribute 'x' is read-only."). */
export const READ_ONLY = [
  'created_at',
  'updated_at',
  'status',
  'checksum',
  'os_hash_algo',
  'os_hash_value',
  'size',
  'virtual_size',
  'direct_url',
  'self',
  'file',
  'schema',
  'id',
  'stores',
] as const;
/** Properties Glance reserves (Glance: "Attribute 'x' is reserved."). */
export const RESERVED = ['location', 'locations', 'deleted', 'deleted_at'] as const;

/** Sort keys Glance accepts. */
export const SORT_KEYS = [
  'name',
  'status',
  'container_format',
  'disk_format',
  'size',
  'id',
  'created_at',
  'updated_at',
  'visibility',
  'owner',
  'min_disk',
  'min_ram',
  'virtual_size',
] as const;

/** Glance stores ids in the canonical dashed lower-case form. */
export function canonicalUuid(s: string): string {
  const hex = s.replace(/-/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const schemaError = (detail: string) => new BadRequest(`Provided object does not match schema 'image': ${detail}`);

/** Checks a key the client wants to set; throws Glance's 403 for read-only and reserved ones. */
export function assertSettableKey(key: string): void {
  if ((READ_ONLY as readonly string[]).includes(key) || key.startsWith('os_glance'))
    throw new Forbidden(`Attribute '${key}' is read-only.`);
  if ((RESERVED as readonly string[]).includes(key)) throw new Forbidden(`Attribute '${key}' is reserved.`);
  if (key.length > 255)
    throw schemaError(`'${key.slice(0, 40)}…' is too long: property names are limited to 255 characters`);
}

/** Validates one base or custom property value (the served schema's rules); returns it normalised. */
export function validateValue(key: string, value: unknown): unknown {
  const pyType = (v: unknown) => (v === null ? 'None' : typeof v === 'string' ? `'${v}'` : JSON.stringify(v));
  switch (key) {
    case 'name':
      if (value !== null && typeof value !== 'string')
        throw schemaError(`${pyType(value)} is not of type 'null', 'string'`);
      if (typeof value === 'string' && value.length > 255) throw schemaError(`'${value.slice(0, 40)}…' is too long`);
      return value;
    case 'visibility':
      if (!(VISIBILITIES as readonly unknown[]).includes(value))
        throw schemaError(`${pyType(value)} is not one of ['community', 'public', 'private', 'shared']`);
      return value;
    case 'container_format':
      if (value !== null && !(CONTAINER_FORMATS as readonly unknown[]).includes(value))
        throw schemaError(
          `${pyType(value)} is not one of [None, ${CONTAINER_FORMATS.map((f) => `'${f}'`).join(', ')}]`,
        );
      return value;
    case 'disk_format':
      if (value !== null && !(DISK_FORMATS as readonly unknown[]).includes(value))
        throw schemaError(`${pyType(value)} is not one of [None, ${DISK_FORMATS.map((f) => `'${f}'`).join(', ')}]`);
      return value;
    case 'min_disk':
    case 'min_ram':
      if (typeof value !== 'number' || !Number.isInteger(value))
        throw schemaError(`${pyType(value)} is not of type 'integer'`);
      if (value < 0) throw schemaError(`${value} is less than the minimum of 0`);
      if (value > 2 ** 31 - 1) throw schemaError(`${value} is greater than the maximum of 2147483647`);
      return value;
    case 'protected':
    case 'os_hidden':
      if (typeof value !== 'boolean') throw schemaError(`${pyType(value)} is not of type 'boolean'`);
      return value;
    case 'owner':
      if (value !== null && typeof value !== 'string')
        throw schemaError(`${pyType(value)} is not of type 'null', 'string'`);
      if (typeof value === 'string' && value.length > 255) throw schemaError(`'${value.slice(0, 40)}…' is too long`);
      return value;
    case 'tags':
      if (!Array.isArray(value) || value.some((t) => typeof t !== 'string'))
        throw schemaError(`${pyType(value)} is not of type 'array' of 'string'`);
      for (const t of value as string[]) if (t.length > 255) throw schemaError(`'${t.slice(0, 40)}…' is too long`);
      return value;
    default:
      // additionalProperties: {type: string}
      if (typeof value !== 'string') throw schemaError(`${pyType(value)} is not of type 'string'`);
      return value;
  }
}
