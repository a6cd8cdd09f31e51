// GET /v2/images query parameters → the service's list input, with Glance's 400s, and the
// relative `first`/`next` links Glance builds from the same parameters.
import { BadRequest } from '../../errors.js';
import type { ListImagesInput } from '../../images/image-service.js';
import { STATUSES, VISIBILITIES } from '../../images/image-rules.js';
import { parseListFilter, parseRangeFilter, parseTimeFilter } from '../../images/list-filter-ops.js';
import type { RangeFilter, TimeFilter } from '../../db/repositories/images-repo.js';

type Query = Record<string, string | string[] | undefined>;

const FILTERS = [
  'name',
  'status',
  'visibility',
  'owner',
  'container_format',
  'disk_format',
  'id',
  'checksum',
  'os_hash_value',
] as const;
/** The fields Glance filters with an operator (`in:a,b`, `eq:a`); owner and visibility match as sent. */
const OPERATOR_FILTERS = new Set<string>(['name', 'id', 'status', 'container_format', 'disk_format']);
const TIME_FILTERS = ['created_at', 'updated_at'] as const;
const RANGE_FILTERS = ['size_min', 'size_max', 'virtual_size_min', 'virtual_size_max'] as const;
const CONTROL = new Set<string>([
  'limit',
  'marker',
  'sort_key',
  'sort_dir',
  'sort',
  'tag',
  'member_status',
  'os_hidden',
  'protected',
  ...FILTERS,
  ...TIME_FILTERS,
  ...RANGE_FILTERS,
]);

const all = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const one = (q: Query, k: string): string | undefined => {
  const v = all(q[k]);
  return v.length ? v[v.length - 1] : undefined;
};

function sortDir(d: string): 'asc' | 'desc' {
  if (d !== 'asc' && d !== 'desc') throw new BadRequest(`Invalid sort direction: ${d}`);
  return d;
}

/** Glance takes exactly 'true' or 'false' for its boolean filters (os_hidden lower-cased first). */
function trueOrFalse(name: 'os_hidden' | 'protected', value: string | undefined): boolean | null {
  if (value === undefined) return null;
  if (value !== 'true' && value !== 'false') {
    throw new BadRequest(`Invalid value '${value}' for '${name}' filter. Valid values are 'true' or 'false'.`);
  }
  return value === 'true';
}

export function parseListQuery(q: Query): ListImagesInput & { properties: Record<string, string> } {
  const filters: ListImagesInput['filters'] = {};
  for (const f of FILTERS) {
    const v = one(q, f);
    if (v !== undefined) filters[f] = OPERATOR_FILTERS.has(f) ? parseListFilter(v) : v;
  }
  if (
    filters.visibility !== undefined &&
    filters.visibility !== 'all' &&
    !(VISIBILITIES as readonly string[]).includes(String(filters.visibility))
  ) {
    throw new BadRequest(`Invalid visibility value: ${filters.visibility}`);
  }
  for (const status of filters.status === undefined ? [] : ([] as string[]).concat(filters.status)) {
    if (!(STATUSES as readonly string[]).includes(status)) throw new BadRequest(`Invalid status value: ${status}`);
  }
  const times: TimeFilter[] = [];
  for (const key of TIME_FILTERS) {
    const v = one(q, key);
    if (v !== undefined) times.push(parseTimeFilter(key, v));
  }
  const ranges: RangeFilter[] = [];
  for (const param of RANGE_FILTERS) {
    const v = one(q, param);
    if (v !== undefined) ranges.push(parseRangeFilter(param, v));
  }
  let limit: number | undefined;
  const rawLimit = one(q, 'limit');
  if (rawLimit !== undefined) {
    if (!/^-?\d+$/.test(rawLimit)) throw new BadRequest('limit param must be an integer');
    limit = Number(rawLimit);
    if (limit < 0) throw new BadRequest('limit param must be positive');
  }
  const sort: ListImagesInput['sort'] = [];
  const sortParam = one(q, 'sort');
  const keys = all(q.sort_key);
  const dirs = all(q.sort_dir);
  if (sortParam !== undefined) {
    if (keys.length || dirs.length) throw new BadRequest('Old and new sorting syntax cannot be combined');
    for (const part of sortParam.split(',')) {
      const [key, dir = 'desc'] = part.trim().split(':');
      sort.push({ key, dir: sortDir(dir) });
    }
  } else {
    if (dirs.length > 1 && dirs.length !== keys.length)
      throw new BadRequest('Number of sort dirs does not match the number of sort keys');
    keys.forEach((key, i) => sort.push({ key, dir: sortDir(dirs.length > 1 ? dirs[i] : (dirs[0] ?? 'desc')) }));
    if (keys.length === 0 && dirs.length === 1) sort.push({ key: 'created_at', dir: sortDir(dirs[0]) });
  }
  const memberStatus = one(q, 'member_status') ?? 'accepted';
  if (!['pending', 'accepted', 'rejected', 'all'].includes(memberStatus))
    throw new BadRequest(`Invalid status: ${memberStatus}`);
  const hidden = one(q, 'os_hidden');
  const osHidden = trueOrFalse('os_hidden', hidden === undefined ? 'false' : hidden.toLowerCase()) ?? false;
  const protectedOnly = trueOrFalse('protected', one(q, 'protected'));
  // Any other parameter filters on a custom property (Glance does the same).
  const properties: Record<string, string> = {};
  for (const [k, v] of Object.entries(q))
    if (!CONTROL.has(k) && v !== undefined) properties[k] = all(v)[all(v).length - 1];
  return {
    filters,
    times,
    ranges,
    protected: protectedOnly,
    tags: all(q.tag),
    memberStatus,
    osHidden,
    sort,
    marker: one(q, 'marker'),
    limit,
    properties,
  };
}

/** Glance's links: `first` is the query without marker; `next` the same with the last id as marker. */
export function listLinks(rawQuery: string, lastId: string | null): { first: string; next?: string } {
  const params = new URLSearchParams(rawQuery);
  params.delete('marker');
  const q = params.toString();
  const links: { first: string; next?: string } = { first: q ? `/v2/images?${q}` : '/v2/images' };
  if (lastId) {
    params.append('marker', lastId);
    links.next = `/v2/images?${params.toString()}`;
  }
  return links;
}
