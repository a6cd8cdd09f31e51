// GET /servers and /servers/detail: Nova's list filters, scoping, sorting and paging
// (nova api/openstack/compute/servers.py _get_servers, compute/api.py get_all), turned into one
// repository query. Who sees what: non-admins see their project only and lose admin-only filters
// silently; admins may ask for all_tenants, another tenant_id, deleted rows.
import { type AuthContext, isAdmin } from '../../identity/auth-context.js';
import { wantsAllTenants } from '../../identity/policy.js';
import { BadRequest, ChangesSinceAfterBefore, Forbidden, InvalidDateTimeQuery } from '../../errors.js';
import { statesFromStatus } from './states.js';
import type { HostsRepo } from '../../db/repositories/hosts-repo.js';
import { assertRegexParams, matchRows, regexMatcher, requiredLiterals } from './regex-filter.js';
import {
  INSTANCE_SORT_COLUMNS,
  addressesOf,
  type InstanceListQuery,
  type InstanceRow,
  type InstancesRepo,
} from '../../db/repositories/instances-repo.js';
import type { ApiVersion } from '../api-version.js';
import { TRUE_STRINGS, boolFromString } from '../../contract/parameter-types.js';
import {
  ADMIN_SORT_KEYS,
  USER_FILTERS,
  USER_FILTERS_226,
  USER_FILTERS_283,
  USER_FILTERS_290,
  VALID_SORT_KEYS,
} from './list-params.js';
import { parseIsoTime } from '../../db/time.js';

export const MAX_LIMIT = 1000;
/** Rows the regex filters read per statement while they fill a page. */
export const REGEX_CHUNK = 2000;
/** Text columns stored as the patterns read them (no rendering), which a LIKE can narrow. */
const LIKE_COLUMNS = new Set<keyof InstanceRow>([
  'display_name',
  'display_description',
  'hostname',
  'key_name',
  'reservation_id',
  'locked_by',
  'availability_zone',
  'access_ip_v4',
  'access_ip_v6',
]);

/**
 * Filters Nova matches as a regular expression (db api _regex_instance_filter: every instances
 * column outside exact_match_filter_names), mapped onto the column read here. Numbers match on
 * their decimal text (MySQL casts), timestamps as text (see timestampTexts). Nova's `description`
 * is no instances column (only display_description is), so Nova's DB ignores it: so do we.
 * kernel_id, ramdisk_id, root_device_name and auto_disk_config have no column here: accepted,
 * validated, not applied.
 */
const REGEX_COLUMNS: Record<string, keyof InstanceRow> = {
  hostname: 'hostname',
  key_name: 'key_name',
  reservation_id: 'reservation_id',
  availability_zone: 'availability_zone',
  config_drive: 'config_drive',
  progress: 'progress',
  power_state: 'power_state',
  locked_by: 'locked_by',
  launch_index: 'launch_index',
  display_description: 'display_description',
  access_ip_v4: 'access_ip_v4',
  access_ip_v6: 'access_ip_v6',
  created_at: 'created_at',
  launched_at: 'launched_at',
  terminated_at: 'terminated_at',
};
const TIMESTAMP_COLUMNS = new Set<keyof InstanceRow>(['created_at', 'launched_at', 'terminated_at']);

/** Nova's exact_match_filter_names that reach here as plain column equality (flavor → instance_type_id). */
const EQUALITY: Record<string, keyof InstanceRow> = {
  image: 'image_ref',
  image_ref: 'image_ref',
  flavor: 'flavor_id',
  user_id: 'user_id',
  vm_state: 'vm_state',
  task_state: 'task_state',
  uuid: 'uuid',
};

type Query = Record<string, string | string[] | undefined>;

export interface ListResult<K extends keyof InstanceRow = keyof InstanceRow> {
  rows: Pick<InstanceRow, K>[];
  more: boolean;
  limit: number | undefined;
}

function last(v: string | string[] | undefined): string | undefined {
  return v === undefined ? undefined : Array.isArray(v) ? v[v.length - 1] : v;
}
function all(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}
/** A true word (or empty) for `locked`, whose value is validated before. */
function truthy(v: string): boolean {
  return v === '' || TRUE_STRINGS.includes(v.toLowerCase());
}
/**
 * The texts a timestamp regex is matched against: Nova's DB rendering ('2026-11-27 22:03:11', what
 * MySQL's REGEXP sees) and the API rendering ('2026-11-27T22:03:11Z'), so either form of a prefix works.
 */
function timestampTexts(iso: string | null): string[] {
  if (!iso) return [];
  const seconds = iso.slice(0, 19);
  return [seconds.replace('T', ' '), `${seconds}Z`];
}
/** Nova's 'date-time' query parameters: what oslo parse_isotime takes (db/time.ts parseIsoTime). */
function isoTime(name: string, v: string): string {
  const t = parseIsoTime(v);
  if (!t) throw InvalidDateTimeQuery(name, v);
  return t.date.toISOString();
}

export class ServerLister {
  constructor(
    private readonly repo: InstancesRepo,
    private readonly hosts?: HostsRepo,
  ) {}

  /** The page's rows; with `columns`, only those columns of each (what the caller's view reads). */
  async list<K extends keyof InstanceRow = keyof InstanceRow>(
    auth: AuthContext,
    version: ApiVersion,
    query: Query,
    columns?: readonly K[],
  ): Promise<ListResult<K>> {
    assertRegexParams(query, version.gte('2.26'));
    const admin = isAdmin(auth);
    const q = this.visibleFilters(query, version, admin);

    // Scope (nova servers.py _get_servers, common.is_all_tenants): all_tenants false ('0', 'no' …)
    // is allowed to anyone, true or empty is admin-only, junk is a 400. Without it the list is the
    // caller's project whatever project_id/tenant_id say (lp:#1185290); with it, an admin may
    // narrow it to one project.
    const allTenants = wantsAllTenants(auth, q.all_tenants);
    const projectId: string | null = allTenants ? (last(q.project_id) ?? last(q.tenant_id) ?? null) : auth.projectId;

    const filter: InstanceListQuery = { projectId, deleted: false, sort: [], limit: MAX_LIMIT + 1, equals: {} };
    const changesSince = last(q['changes-since']);
    const changesBefore = last(q['changes-before']);
    if (changesSince) {
      filter.changesSince = isoTime('changes-since', changesSince);
      filter.deleted = 'any';
    }
    if (changesBefore) {
      filter.changesBefore = isoTime('changes-before', changesBefore);
      filter.deleted = 'any';
    }
    if (filter.changesSince && filter.changesBefore && filter.changesSince > filter.changesBefore) {
      throw ChangesSinceAfterBefore();
    }
    // Status → vm_state/task_state (nova common.task_and_vm_state_from_status, every `status`
    // given). Nova then widens to deleted rows only when the states are exactly ['deleted']
    // (status=DELETED): for an admin that sets deleted=true, for anyone else it is a 403. Any other
    // mix (DELETED&status=ACTIVE, or vm_state=deleted) keeps deleted=false, as in Nova.
    const statuses = all(q.status);
    let onlyDeleted = false;
    if (statuses.length > 0) {
      const states = statuses.map((s) => statesFromStatus(s));
      const vmStates = [...new Set(states.flatMap((st) => st.vmStates))].sort();
      if (vmStates.length === 0) {
        if (version.gte('2.38')) throw new BadRequest(`Invalid status value`);
        return { rows: [], more: false, limit: undefined };
      }
      filter.vmStates = vmStates;
      // A status that covers every task state ('default' in Nova's map) drops the task_state filter.
      if (states.every((st) => st.vmStates.length === 0 || st.taskStates !== null)) {
        filter.taskStates = [...new Set(states.flatMap((st) => st.taskStates ?? []))];
      }
      if (vmStates.length === 1 && vmStates[0] === 'deleted') {
        if (!admin) throw new Forbidden('Only administrators may list deleted instances');
        onlyDeleted = true;
      }
    }

    // Nova: deleted=true lists deleted servers and, unless soft_deleted says otherwise, SOFT_DELETED
    // ones; the default (deleted=false) hides SOFT_DELETED servers unless soft_deleted=true. Both
    // are admin-only (visibleFilters drops them for others). soft_deleted is read as a boolean.
    if (admin && q.deleted !== undefined) filter.deleted = boolFromString(last(q.deleted)!);
    if (onlyDeleted) filter.deleted = true;
    const softDeleted = last(q.soft_deleted);
    if (filter.deleted === true) filter.softDeleted = softDeleted === undefined ? true : boolFromString(softDeleted);
    if (filter.deleted === false) filter.softDeleted = softDeleted !== undefined && boolFromString(softDeleted);

    // host: exact compute host name (OS-EXT-SRV-ATTR:host). node: a regex on the hypervisor
    // hostname, which is the compute host name here too (one Docker Engine per host).
    const host = last(q.host);
    if (host !== undefined) filter.hostNames = [host];
    const node = last(q.node);
    if (node !== undefined) {
      const hosts = await this.hostList();
      const hits = matchRows(hosts.length, [{ param: 'node', pattern: node, texts: hosts.map((h) => [h.name]) }]);
      filter.hostIds = hits.map((i) => hosts[i].id);
      if (filter.hostIds.length === 0) return { rows: [], more: false, limit: undefined };
    }

    for (const [param, column] of Object.entries(EQUALITY)) {
      // Nova puts status's states in place of the vm_state / task_state parameters.
      if ((param === 'vm_state' && filter.vmStates) || (param === 'task_state' && filter.taskStates)) continue;
      const v = last(q[param]);
      if (v !== undefined) filter.equals![column] = v;
    }
    const locked = last(q.locked);
    if (locked !== undefined && version.gte('2.73')) {
      if (!['true', 'false', '1', '0', 'yes', 'no', 't', 'f', 'on', 'off', 'y', 'n'].includes(locked.toLowerCase())) {
        throw new BadRequest(
          `Invalid input for query parameters locked. Value: ${locked}. '${locked}' is not one of ['true', 'false', 'True', 'False', '1', '0', 'yes', 'no', 'on', 'off', 't', 'f', 'y', 'n']`,
        );
      }
      filter.equals!.locked = truthy(locked);
    }
    if (version.gte('2.26')) {
      const split = (v: string | string[] | undefined) =>
        all(v)
          .flatMap((s) => s.split(','))
          .map((s) => s.trim())
          .filter(Boolean);
      filter.tagsAll = split(q.tags);
      filter.tagsAny = split(q['tags-any']);
      filter.notTagsAll = split(q['not-tags']);
      filter.notTagsAny = split(q['not-tags-any']);
    }

    // Regex filters (name, ip, ip6, the REGEX_COLUMNS) run in JS (SQLite has no REGEXP) over the rows
    // the other filters leave, read in the list's own order a chunk at a time until the page is
    // full; the list query then takes the matching uuids.
    const regex: { param: string; column: keyof InstanceRow | 'ip' | 'ip6'; pattern: string }[] = [];
    const name = last(q.name) ?? last(q.display_name);
    if (name !== undefined)
      regex.push({ param: q.name !== undefined ? 'name' : 'display_name', column: 'display_name', pattern: name });
    for (const [param, column] of Object.entries(REGEX_COLUMNS)) {
      const v = last(q[param]);
      if (v !== undefined) regex.push({ param, column, pattern: v });
    }
    for (const param of ['ip', 'ip6'] as const) {
      const v = last(q[param]);
      if (v !== undefined) regex.push({ param, column: param, pattern: v });
    }
    filter.sort = this.sortOrder(q, admin);
    const rawLimit = last(q.limit);
    let limit: number | undefined;
    if (rawLimit !== undefined) {
      if (!/^[0-9]+$/.test(rawLimit))
        throw new BadRequest(
          `Invalid input for query parameters limit. Value: ${rawLimit}. '${rawLimit}' does not match '^[0-9]*$'`,
        );
      limit = Math.min(Number(rawLimit), MAX_LIMIT);
    }
    const pageSize = limit ?? MAX_LIMIT;
    filter.limit = pageSize + 1;
    const marker = last(q.marker);
    if (marker !== undefined) {
      const m = await this.repo.findByUuid(marker);
      if (!m || (projectId !== null && m.project_id !== projectId))
        throw new BadRequest(`marker [${marker}] not found`);
      filter.marker = m;
    }
    if (regex.length > 0) {
      filter.uuids = await this.regexMatches(filter, regex, pageSize + 1);
      if (filter.uuids.length === 0) return { rows: [], more: false, limit: undefined };
    }
    const rows: Pick<InstanceRow, K>[] = await this.repo.list(columns ? { ...filter, columns } : filter);
    const more = rows.length > pageSize;
    return { rows: rows.slice(0, pageSize), more, limit: pageSize };
  }

  /** Drops the filters the caller may not use (silently, as Nova does). */
  private visibleFilters(query: Query, version: ApiVersion, admin: boolean): Query {
    if (admin) return query;
    const allowed = new Set([...USER_FILTERS, 'limit', 'marker', 'sort_key', 'sort_dir', 'display_name']);
    if (version.gte('2.5')) allowed.add('ip6');
    if (version.gte('2.26')) USER_FILTERS_226.forEach((f) => allowed.add(f));
    if (version.gte('2.66')) allowed.add('changes-before');
    if (version.gte('2.73')) allowed.add('locked');
    if (version.gte('2.83')) USER_FILTERS_283.forEach((f) => allowed.add(f));
    if (version.gte('2.90')) USER_FILTERS_290.forEach((f) => allowed.add(f));
    return Object.fromEntries(Object.entries(query).filter(([k]) => allowed.has(k)));
  }

  private sortOrder(q: Query, admin: boolean): InstanceListQuery['sort'] {
    const keys = all(q.sort_key);
    const dirs = all(q.sort_dir);
    for (const k of keys) {
      if (!VALID_SORT_KEYS.includes(k)) {
        throw new BadRequest(
          `Invalid input for query parameters sort_key. Value: ${k}. '${k}' is not one of [${VALID_SORT_KEYS.map((x) => `'${x}'`).join(', ')}]`,
        );
      }
    }
    for (const d of dirs) {
      if (d !== 'asc' && d !== 'desc')
        throw new BadRequest(
          `Invalid input for query parameters sort_dir. Value: ${d}. '${d}' is not one of ['asc', 'desc']`,
        );
    }
    const sort: InstanceListQuery['sort'] = [];
    keys.forEach((k, i) => {
      if (!admin && ADMIN_SORT_KEYS.includes(k)) return;
      const column = INSTANCE_SORT_COLUMNS[k];
      const dir = (dirs[i] ?? dirs[0] ?? 'desc') as 'asc' | 'desc';
      if (column && !sort.some((s) => s.column === column)) sort.push({ column, dir });
    });
    if (sort.length === 0) sort.push({ column: 'created_at', dir: (dirs[0] as 'asc' | 'desc') ?? 'desc' });
    return sort;
  }

  /** The compute hosts, for `node` (a handful of rows; one query, only when the filter is used). */
  private async hostList(): Promise<{ id: number; name: string }[]> {
    if (!this.hosts) return [];
    return (await this.hosts.list()).map((h) => ({ id: h.id, name: h.name }));
  }

  /**
   * The uuids of the first `want` rows (in the list's order, after its marker) that pass every
   * regex: the rows the other filters leave are read REGEX_CHUNK at a time, with only the columns
   * the patterns and the order read, and matched under one time budget (regex-filter.ts); the walk
   * stops as soon as the page is full, so a page never reads more rows than it must.
   */
  private async regexMatches(
    filter: InstanceListQuery,
    regex: { param: string; column: keyof InstanceRow | 'ip' | 'ip6'; pattern: string }[],
    want: number,
  ): Promise<string[]> {
    const columns = new Set<keyof InstanceRow>(['uuid', 'id']);
    for (const s of filter.sort) columns.add(s.column);
    for (const r of regex) columns.add(r.column === 'ip' || r.column === 'ip6' ? 'addresses_json' : r.column);
    const match = regexMatcher(
      regex.map(({ param, column, pattern }) => ({ param, pattern, mysql: column !== 'ip' && column !== 'ip6' })),
    );
    // Only rows that contain what a pattern requires, in its order (a LIKE in SQL), are read and matched.
    const containing = regex.flatMap(({ column, pattern }) => {
      const parts = LIKE_COLUMNS.has(column as keyof InstanceRow) ? requiredLiterals(pattern) : [];
      return parts.length ? [{ column: column as keyof InstanceRow, parts }] : [];
    });
    const out: string[] = [];
    let marker = filter.marker;
    for (;;) {
      const rows = await this.repo.list({ ...filter, containing, marker, columns: [...columns], limit: REGEX_CHUNK });
      const texts = regex.map(({ column }) => {
        if (column === 'ip' || column === 'ip6') {
          // Nova runs ip/ip6 in Python over the port addresses: no MySQL rewriting.
          const version = column === 'ip' ? 4 : 6;
          return rows.map((r) =>
            addressesOf(r)
              .filter((a) => a.version === version)
              .map((a) => a.addr),
          );
        }
        // A NULL column never matches (SQL: NULL REGEXP x is not true).
        return rows.map((r) => {
          const value = r[column] as string | number | null | undefined;
          if (value === null || value === undefined) return [];
          return TIMESTAMP_COLUMNS.has(column) ? timestampTexts(String(value)) : [String(value)];
        });
      });
      for (const i of match(rows.length, texts)) {
        out.push(rows[i].uuid);
        if (out.length >= want) return out;
      }
      if (rows.length < REGEX_CHUNK) return out;
      marker = rows[rows.length - 1];
    }
  }
}
