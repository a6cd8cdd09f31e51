// Neutron list semantics (neutron/api/api_common.py, pecan hooks): fields=, multi-valued filters
// (OR within a key, AND across keys), sort_key/sort_dir pairs, limit/marker/page_reverse paging and
// the `<collection>_links`. Works on rendered items (plain objects). Pure.
import { HTTPBadRequest, BadRequest } from '../../network/errors.js';

export type AttrType = 'string' | 'bool' | 'int';
export interface AttrSpec {
  filter?: boolean;
  sort?: boolean;
  type?: AttrType;
}
export type ResourceSpec = Record<string, AttrSpec>;
/** A filter the resource handles itself (ports' fixed_ips=ip_address=…): returns a predicate. */
export type CustomFilter = (values: string[]) => (item: Record<string, unknown>) => boolean;

export type Query = Record<string, string | string[] | undefined>;
const CONTROL = new Set(['fields', 'sort_key', 'sort_dir', 'limit', 'marker', 'page_reverse']);

export interface ListRequest {
  fields: string[] | null;
  predicates: ((item: Record<string, unknown>) => boolean)[];
  sorts: [string, boolean][];
  limit: number | null;
  marker: string | null;
  pageReverse: boolean;
}

const all = (q: Query, k: string): string[] => {
  const v = q[k];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
};

const pyList = (xs: string[]) => `[${xs.map((x) => `'${x}'`).join(', ')}]`;

/** neutron_lib converters.convert_to_boolean */
export function toBool(v: string): boolean | null {
  const s = v.toLowerCase();
  if (['true', '1', 't', 'yes', 'y', 'on'].includes(s)) return true;
  if (['false', '0', 'f', 'no', 'n', 'off'].includes(s)) return false;
  return null;
}

export function parseListQuery(q: Query, spec: ResourceSpec, custom: Record<string, CustomFilter> = {}): ListRequest {
  const predicates: ListRequest['predicates'] = [];
  const invalid: string[] = [];
  for (const key of Object.keys(q)) {
    if (CONTROL.has(key)) continue;
    // Neutron keeps "" only with empty-string-filtering (not listed): drop empty values
    const values = all(q, key).filter((v) => v !== '');
    if (custom[key]) {
      if (values.length) predicates.push(custom[key](values));
      continue;
    }
    const attr = key === 'tenant_id' || key === 'project_id' ? { filter: true } : spec[key];
    if (!attr?.filter) {
      invalid.push(key);
      continue;
    }
    if (!values.length) continue;
    const type = attr.type ?? 'string';
    const wanted = values.map((v) => {
      if (type === 'bool') {
        const b = toBool(v);
        if (b === null)
          throw HTTPBadRequest(`Invalid input for ${key}. Reason: '${v}' cannot be converted to boolean.`);
        return b;
      }
      if (type === 'int') {
        if (!/^-?\d+$/.test(v)) throw HTTPBadRequest(`Invalid input for ${key}. Reason: '${v}' is not an integer.`);
        return Number(v);
      }
      return v;
    });
    const field = key === 'tenant_id' ? 'project_id' : key;
    predicates.push((item) => wanted.some((w) => item[field] === w));
  }
  if (invalid.length) throw HTTPBadRequest(`${pyList(invalid)} is invalid attribute for filtering`);

  const keys = all(q, 'sort_key').filter(Boolean);
  const dirs = all(q, 'sort_dir').filter(Boolean);
  if (keys.length !== dirs.length) throw HTTPBadRequest('The number of sort_keys and sort_dirs must be same');
  const absent = keys.filter((k) => !(k === 'tenant_id' || k === 'project_id' || spec[k]?.sort));
  if (absent.length) throw HTTPBadRequest(`${pyList(absent)} is invalid attribute for sort_keys`);
  const badDirs = dirs.filter((d) => d !== 'asc' && d !== 'desc');
  if (badDirs.length)
    throw HTTPBadRequest(`${pyList(badDirs)} is invalid value for sort_dirs, valid value is 'asc' and 'desc'`);

  const limitText = all(q, 'limit')[0] ?? '0';
  if (!/^\d+$/.test(limitText.trim()))
    throw BadRequest('limit', `Limit must be an integer 0 or greater and not '${limitText}'`);
  const limit = Number(limitText) || null;
  const fields = all(q, 'fields').filter(Boolean);
  return {
    fields: fields.length ? fields : null,
    predicates,
    sorts: keys.map((k, i) => [k === 'tenant_id' ? 'project_id' : k, dirs[i] === 'asc']),
    limit,
    marker: limit ? (all(q, 'marker')[0] ?? null) : null,
    pageReverse: (all(q, 'page_reverse')[0] ?? 'False').toLowerCase() === 'true',
  };
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1; // NULLs first, as SQL ASC on SQLite/Neutron's sqlalchemy
  if (b === null || b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  return String(a) < String(b) ? -1 : 1;
}

export interface Page<T> {
  items: T[];
  links: { rel: 'next' | 'previous'; href: string }[];
}

/**
 * Filter, sort (then by id, as Neutron's pager adds the primary key), page. `notFound(marker)` is the
 * resource's NotFound for an unknown marker. `selfUrl` is the collection URL without query.
 */
export function applyList<T extends Record<string, unknown>>(
  items: T[],
  req: ListRequest,
  q: Query,
  selfUrl: string,
  notFound: (id: string) => Error,
): Page<T> {
  let out = items.filter((it) => req.predicates.every((p) => p(it)));
  const sorts = [...req.sorts];
  if (!sorts.some(([k]) => k === 'id')) sorts.push(['id', true]);
  out.sort((a, b) => {
    for (const [k, asc] of sorts) {
      const c = compare(a[k], b[k]);
      if (c) return asc ? c : -c;
    }
    return 0;
  });
  if (!req.limit) return { items: out, links: [] };
  if (req.marker) {
    const at = out.findIndex((it) => it.id === req.marker);
    if (at < 0) {
      if (!items.some((it) => it.id === req.marker)) throw notFound(req.marker);
      out = []; // the marker exists but is filtered out: nothing after it in this view
    } else {
      out = req.pageReverse ? out.slice(0, at) : out.slice(at + 1);
    }
  }
  const page = req.pageReverse ? out.slice(Math.max(0, out.length - req.limit)) : out.slice(0, req.limit);
  const links: Page<T>['links'] = [];
  const params = (marker: string | undefined, reverse: boolean) => {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(q)) {
      if (k === 'marker' || k === 'page_reverse' || v === undefined) continue;
      for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
    }
    if (marker) p.append('marker', marker);
    if (reverse) p.append('page_reverse', 'True');
    return `${selfUrl}?${p.toString()}`;
  };
  if (!(page.length < req.limit && !req.pageReverse))
    links.push({ rel: 'next', href: params(page.at(-1)?.id as string | undefined, false) });
  if (!(page.length < req.limit && req.pageReverse))
    links.push({ rel: 'previous', href: params(page[0]?.id as string | undefined, true) });
  return { items: page, links };
}

/** fields=: exactly the requested keys (unknown ones are dropped, as Neutron's policy hook does). */
export function selectFields<T extends Record<string, unknown>>(
  item: T,
  fields: string[] | null,
): Record<string, unknown> {
  if (!fields) return item;
  const out: Record<string, unknown> = {};
  for (const f of fields) if (f in item) out[f] = item[f];
  return out;
}
