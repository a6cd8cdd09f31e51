// GET /v2/images query parameters → the service's list input, with Glance's 400s, and the
// relative `first`/`next` links Glance builds from the same parameters.
import { BadRequest } from '../../errors.js';
import { STATUSES, VISIBILITIES } from '../../images/image-rules.js';
import { parseListFilter, parseRangeFilter, parseTimeFilter } from '../../images/list-filter-ops.js';
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
];
/** The fields Glance filters with an operator (`in:a,b`, `eq:a`); owner and visibility match as sent. */
const OPERATOR_FILTERS = new Set(['name', 'id', 'status', 'container_format', 'disk_format']);
const TIME_FILTERS = ['created_at', 'updated_at'];
const RANGE_FILTERS = ['size_min', 'size_max', 'virtual_size_min', 'virtual_size_max'];
const CONTROL = new Set([
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
const all = (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const one = (q, k) => {
    const v = all(q[k]);
    return v.length ? v[v.length - 1] : undefined;
};
function sortDir(d) {
    if (d !== 'asc' && d !== 'desc')
        throw new BadRequest(`Invalid sort direction: ${d}`);
    return d;
}
/** Glance takes exactly 'true' or 'false' for its boolean filters (os_hidden lower-cased first). */
function trueOrFalse(name, value) {
    if (value === undefined)
        return null;
    if (value !== 'true' && value !== 'false') {
        throw new BadRequest(`Invalid value '${value}' for '${name}' filter. Valid values are 'true' or 'false'.`);
    }
    return value === 'true';
}
export function parseListQuery(q) {
    const filters = {};
    for (const f of FILTERS) {
        const v = one(q, f);
        if (v !== undefined)
            filters[f] = OPERATOR_FILTERS.has(f) ? parseListFilter(v) : v;
    }
    if (filters.visibility !== undefined &&
        filters.visibility !== 'all' &&
        !VISIBILITIES.includes(String(filters.visibility))) {
        throw new BadRequest(`Invalid visibility value: ${filters.visibility}`);
    }
    for (const status of filters.status === undefined ? [] : [].concat(filters.status)) {
        if (!STATUSES.includes(status))
            throw new BadRequest(`Invalid status value: ${status}`);
    }
    const times = [];
    for (const key of TIME_FILTERS) {
        const v = one(q, key);
        if (v !== undefined)
            times.push(parseTimeFilter(key, v));
    }
    const ranges = [];
    for (const param of RANGE_FILTERS) {
        const v = one(q, param);
        if (v !== undefined)
            ranges.push(parseRangeFilter(param, v));
    }
    let limit;
    const rawLimit = one(q, 'limit');
    if (rawLimit !== undefined) {
        if (!/^-?\d+$/.test(rawLimit))
            throw new BadRequest('limit param must be an integer');
        limit = Number(rawLimit);
        if (limit < 0)
            throw new BadRequest('limit param must be positive');
    }
    const sort = [];
    const sortParam = one(q, 'sort');
    const keys = all(q.sort_key);
    const dirs = all(q.sort_dir);
    if (sortParam !== undefined) {
        if (keys.length || dirs.length)
            throw new BadRequest('Old and new sorting syntax cannot be combined');
        for (const part of sortParam.split(',')) {
            const [key, dir = 'desc'] = part.trim().split(':');
            sort.push({ key, dir: sortDir(dir) });
        }
    }
    else {
        if (dirs.length > 1 && dirs.length !== keys.length)
            throw new BadRequest('Number of sort dirs does not match the number of sort keys');
        keys.forEach((key, i) => sort.push({ key, dir: sortDir(dirs.length > 1 ? dirs[i] : (dirs[0] ?? 'desc')) }));
        if (keys.length === 0 && dirs.length === 1)
            sort.push({ key: 'created_at', dir: sortDir(dirs[0]) });
    }
    const memberStatus = one(q, 'member_status') ?? 'accepted';
    if (!['pending', 'accepted', 'rejected', 'all'].includes(memberStatus))
        throw new BadRequest(`Invalid status: ${memberStatus}`);
    const hidden = one(q, 'os_hidden');
    const osHidden = trueOrFalse('os_hidden', hidden === undefined ? 'false' : hidden.toLowerCase()) ?? false;
    const protectedOnly = trueOrFalse('protected', one(q, 'protected'));
    // Any other parameter filters on a custom property (Glance does the same).
    const properties = {};
    for (const [k, v] of Object.entries(q))
        if (!CONTROL.has(k) && v !== undefined)
            properties[k] = all(v)[all(v).length - 1];
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
export function listLinks(rawQuery, lastId) {
    const params = new URLSearchParams(rawQuery);
    params.delete('marker');
    const q = params.toString();
    const links = { first: q ? `/v2/images?${q}` : '/v2/images' };
    if (lastId) {
        params.append('marker', lastId);
        links.next = `/v2/images?${params.toString()}`;
    }
    return links;
}
//# sourceMappingURL=list-query.js.map