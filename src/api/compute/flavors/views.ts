// Flavor view builder (nova/api/openstack/compute/views/flavors.py): `basic` for GET /flavors,
// `show` for detail/show/create/update, the collection's next link, and per-microversion fields:
// description from 2.55, extra_specs from 2.61, swap as 0 (not "") from 2.75.
import type { FlavorRow } from '../../../db/repositories/flavors-repo.js';
import type { ApiVersion } from '../../../compute/api-version.js';

export const FLAVOR_DESCRIPTION_MICROVERSION = '2.55';
export const FLAVOR_EXTRA_SPECS_MICROVERSION = '2.61';
export const FLAVOR_SWAP_INT_MICROVERSION = '2.75';

export interface ViewContext {
  /** http://host:port (the service root; compute lives under /compute) */
  base: string;
  version: ApiVersion;
}

/** self (versioned) and bookmark (unversioned) links, as Nova's ViewBuilder._get_links. */
export function flavorLinks(base: string, id: string) {
  const encoded = encodeURIComponent(id);
  return [
    { rel: 'self', href: `${base}/compute/v2.1/flavors/${encoded}` },
    { rel: 'bookmark', href: `${base}/compute/flavors/${encoded}` },
  ];
}

export function renderFlavorBasic(ctx: ViewContext, f: FlavorRow): Record<string, unknown> {
  const out: Record<string, unknown> = { id: f.id, name: f.name, links: flavorLinks(ctx.base, f.id) };
  if (ctx.version.gte(FLAVOR_DESCRIPTION_MICROVERSION)) out.description = f.description;
  return out;
}

/** `extraSpecs` is embedded from 2.61 (pass undefined when the caller may not read them). */
export function renderFlavorShow(
  ctx: ViewContext,
  f: FlavorRow,
  extraSpecs?: Record<string, string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: f.id,
    name: f.name,
    ram: f.memory_mb,
    disk: f.root_gb,
    // Nova: `flavor["swap"] or ""` before 2.75, `or 0` from 2.75.
    swap: f.swap || (ctx.version.gte(FLAVOR_SWAP_INT_MICROVERSION) ? 0 : ''),
    'OS-FLV-EXT-DATA:ephemeral': f.ephemeral_gb,
    'OS-FLV-DISABLED:disabled': f.disabled,
    vcpus: f.vcpus,
    'os-flavor-access:is_public': f.is_public,
    rxtx_factor: f.rxtx_factor || '',
    links: flavorLinks(ctx.base, f.id),
  };
  if (ctx.version.gte(FLAVOR_DESCRIPTION_MICROVERSION)) out.description = f.description;
  if (ctx.version.gte(FLAVOR_EXTRA_SPECS_MICROVERSION) && extraSpecs !== undefined) out.extra_specs = extraSpecs;
  return out;
}

/**
 * `flavors_links` with a `next` link when the page is full (Nova's _get_collection_links): the
 * request's query, sorted by name, with `marker` set to the last flavor's id.
 */
export function flavorCollectionLinks(
  ctx: ViewContext,
  collection: 'flavors' | 'flavors/detail',
  query: [string, string][],
  items: FlavorRow[],
  pageLimit: number,
): { rel: string; href: string }[] {
  if (items.length === 0 || items.length !== pageLimit) return [];
  // Python: OrderedDict(sorted(params.items())) then params["marker"] = last id. Repeated names
  // collapse to their last value in first position; marker keeps its place or goes last.
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const sorted = [...query].sort((a, b) => cmp(a[0], b[0]) || cmp(a[1], b[1]));
  const params = new Map<string, string>(sorted);
  params.set('marker', items[items.length - 1].id);
  const withMarker = [...params.entries()];
  const qs = withMarker.map(([k, v]) => `${quotePlus(k)}=${quotePlus(v)}`).join('&');
  return [{ rel: 'next', href: `${ctx.base}/compute/v2.1/${collection}?${qs}` }];
}

/** Python's urllib.parse.quote_plus. */
function quotePlus(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}
