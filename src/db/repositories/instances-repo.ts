// Servers (table `instances`). Rows are normalised here (SQLite gives 0/1 for booleans). The one
// way to change task_state is `updateWithExpectedTaskState`, a compare-and-swap in the WHERE clause
// that works on SQLite and PostgreSQL alike without row locks (nova instance.save(expected_task_state)).
import type { Knex } from 'knex';
import { isSqlite, type Db } from '../knex.js';
import { sql } from '../sql.js';
import { UnexpectedTaskState, InstanceNotFound } from '../../errors.js';

export interface InstanceRow {
  id: number;
  uuid: string;
  project_id: string;
  user_id: string;
  display_name: string;
  display_description: string | null;
  hostname: string;
  host_id: number | null;
  availability_zone: string | null;
  flavor_id: string;
  vcpus: number;
  memory_mb: number;
  root_gb: number;
  ephemeral_gb: number;
  swap_mb: number;
  flavor_json: string;
  image_ref: string;
  key_name: string | null;
  key_data: string | null;
  user_data: string | null;
  config_drive: string;
  access_ip_v4: string | null;
  access_ip_v6: string | null;
  vm_state: string;
  task_state: string | null;
  power_state: number;
  locked: boolean;
  locked_by: string | null;
  locked_reason: string | null;
  reservation_id: string;
  launch_index: number;
  launched_at: string | null;
  terminated_at: string | null;
  created_at: string;
  updated_at: string | null;
  deleted_at: string | null;
  deleted: boolean;
  progress: number;
  container_id: string | null;
  network: string | null;
  addresses_json: string | null;
  server_group_id: string | null;
  /** 2.63 trusted_image_certificates: JSON array text, or null */
  trusted_certs: string | null;
}

export type NewInstance = Omit<InstanceRow, 'id'>;

/** The flavor snapshot kept with a server (flavor_json). */
export interface FlavorSnapshot {
  id: string;
  name: string;
  memory_mb: number;
  vcpus: number;
  root_gb: number;
  ephemeral_gb: number;
  swap: number;
  extra_specs: Record<string, string>;
}

/** One address of the server's network info cache (Nova's): a port's fixed address or a floating one. */
export interface StoredAddress {
  network: string;
  version: 4 | 6;
  addr: string;
  mac: string | null;
  /** absent in caches written before the network service: fixed */
  type?: 'fixed' | 'floating';
}

export function flavorOf(row: Pick<InstanceRow, 'flavor_json'>): FlavorSnapshot {
  return JSON.parse(row.flavor_json) as FlavorSnapshot;
}
export function addressesOf(row: Pick<InstanceRow, 'addresses_json'>): StoredAddress[] {
  return row.addresses_json ? (JSON.parse(row.addresses_json) as StoredAddress[]) : [];
}

export function normalizeInstance(row: InstanceRow): InstanceRow {
  // a list may read only some columns (InstanceListQuery.columns): absent ones stay absent
  if (row.locked !== undefined) row.locked = Boolean(row.locked);
  if (row.deleted !== undefined) row.deleted = Boolean(row.deleted);
  return row;
}

/** Nova sort keys we can honour, mapped onto columns (others are accepted and ignored). */
export const INSTANCE_SORT_COLUMNS: Record<string, keyof InstanceRow> = {
  access_ip_v4: 'access_ip_v4',
  access_ip_v6: 'access_ip_v6',
  availability_zone: 'availability_zone',
  config_drive: 'config_drive',
  created_at: 'created_at',
  display_description: 'display_description',
  display_name: 'display_name',
  host: 'host_id',
  hostname: 'hostname',
  image_ref: 'image_ref',
  instance_type_id: 'flavor_id',
  key_name: 'key_name',
  launch_index: 'launch_index',
  launched_at: 'launched_at',
  locked_by: 'locked_by',
  node: 'host_id',
  power_state: 'power_state',
  progress: 'progress',
  project_id: 'project_id',
  task_state: 'task_state',
  terminated_at: 'terminated_at',
  updated_at: 'updated_at',
  user_id: 'user_id',
  uuid: 'uuid',
  vm_state: 'vm_state',
  deleted: 'deleted',
  deleted_at: 'deleted_at',
  ephemeral_gb: 'ephemeral_gb',
  id: 'id',
  key_data: 'key_data',
  locked: 'locked',
  memory_mb: 'memory_mb',
  reservation_id: 'reservation_id',
  root_gb: 'root_gb',
  user_data: 'user_data',
  vcpus: 'vcpus',
};

/** vm_state of a soft-deleted server (compute/states VmState.SOFT_DELETED). */
const SOFT_DELETED_VM_STATE = 'soft-delete';

export interface InstanceListQuery {
  /** null: every project */
  projectId: string | null;
  /** true: only deleted rows; false: only live rows; 'any': both (changes-since) */
  deleted: boolean | 'any';
  /**
   * Nova's soft_deleted modifier (db api instance_get_all_by_filters_sort): with deleted=true,
   * true also returns SOFT_DELETED servers; with deleted=false, false hides them. Unset: no clause.
   */
  softDeleted?: boolean;
  /** compute host names (exact): host_id IN (SELECT id FROM compute_hosts WHERE name IN …) */
  hostNames?: string[];
  /** compute host ids (from a regex over host names, e.g. `node`) */
  hostIds?: number[];
  uuids?: string[];
  /**
   * Rows whose column contains the texts in this order, ASCII case-insensitively (SQLite LIKE;
   * PostgreSQL ILIKE, which folds more): a cheap superset for a regex that requires them (regex-filter.ts).
   */
  containing?: { column: keyof InstanceRow; parts: string[] }[];
  vmStates?: string[];
  taskStates?: string[];
  equals?: Partial<Record<keyof InstanceRow, string | number | boolean | null>>;
  changesSince?: string;
  changesBefore?: string;
  tagsAll?: string[];
  tagsAny?: string[];
  notTagsAll?: string[];
  notTagsAny?: string[];
  sort: { column: keyof InstanceRow; dir: 'asc' | 'desc' }[];
  /** uuid of the last row of the previous page */
  marker?: InstanceRow;
  limit: number;
  /** Only these columns (the regex pre-pass, the list views: fewer values to read per row); default: all. */
  columns?: readonly (keyof InstanceRow)[];
}

export class InstancesRepo {
  constructor(private readonly db: Db) {}

  async insert(row: NewInstance, trx: Db = this.db): Promise<void> {
    await sql(trx)('instances').insert(row);
  }

  async findByUuid(uuid: string, trx: Db = this.db): Promise<InstanceRow | undefined> {
    const row = await sql(trx)<InstanceRow>('instances').where({ uuid }).first();
    return row ? normalizeInstance(row) : undefined;
  }

  /** A live (not deleted) server, or InstanceNotFound. */
  /** The rows of these uuids (lower case), deleted ones included, in batches the drivers accept. */
  async findManyByUuid(uuids: readonly string[], trx: Db = this.db): Promise<InstanceRow[]> {
    const rows: InstanceRow[] = [];
    for (let i = 0; i < uuids.length; i += 500) {
      const batch = await sql(trx)<InstanceRow>('instances').whereIn('uuid', uuids.slice(i, i + 500));
      rows.push(...batch.map(normalizeInstance));
    }
    return rows;
  }

  async getLive(uuid: string, trx: Db = this.db): Promise<InstanceRow> {
    const row = await this.findByUuid(uuid, trx);
    if (!row || row.deleted) throw InstanceNotFound(uuid);
    return row;
  }

  async update(uuid: string, changes: Partial<InstanceRow>, trx: Db = this.db): Promise<void> {
    await sql(trx)('instances').where({ uuid }).update(changes);
  }

  /**
   * UPDATE … WHERE uuid = ? AND task_state IN (expected) — the task_state lock. `expected` may
   * contain null (idle). Throws UnexpectedTaskState (409) when another task got there first.
   */
  async updateWithExpectedTaskState(
    uuid: string,
    changes: Partial<InstanceRow>,
    expected: readonly (string | null)[],
    trx: Db = this.db,
  ): Promise<void> {
    const n = await sql(trx)('instances')
      .where({ uuid, deleted: false })
      .where((q) => {
        const values = expected.filter((e): e is string => e !== null);
        if (values.length) q.whereIn('task_state', values);
        if (expected.includes(null)) q.orWhereNull('task_state');
      })
      .update(changes);
    if (n === 0) {
      const row = await this.findByUuid(uuid, trx);
      if (!row || row.deleted) throw InstanceNotFound(uuid);
      throw new UnexpectedTaskState(uuid, expected, row.task_state);
    }
  }

  async list(q: InstanceListQuery, trx: Db = this.db): Promise<InstanceRow[]> {
    return ((await this.listQuery(q, trx)) as InstanceRow[]).map(normalizeInstance);
  }

  /** The list's one statement, unexecuted (tests read its plan: test/db/instance-list-plans.test.ts). */
  listQuery(q: InstanceListQuery, trx: Db = this.db) {
    const query = sql(trx)<InstanceRow>('instances').select(
      q.columns ? q.columns.map((c) => `instances.${c}`) : 'instances.*',
    );
    if (q.projectId !== null) query.where('project_id', q.projectId);
    if (q.deleted === true && q.softDeleted === true) {
      query.where((w) => w.where('deleted', true).orWhere('vm_state', SOFT_DELETED_VM_STATE));
    } else if (q.deleted !== 'any') {
      query.where('deleted', q.deleted);
      if (q.deleted === false && q.softDeleted === false) query.whereNot('vm_state', SOFT_DELETED_VM_STATE);
    }
    // A subquery, not a second round trip: the list stays one statement. One name (the `host`
    // filter) is a scalar subquery (names are unique): `host_id = (…)` lets SQLite's planner take
    // the host list index (host_id, deleted, created_at, id) for the page in order; with IN (…) it
    // walked the whole project in order instead (100,000 servers, one host of 100: 155 ms to 2 ms).
    if (q.hostNames?.length === 1)
      query.where('host_id', sql(trx)('compute_hosts').select('id').where('name', q.hostNames[0]));
    else if (q.hostNames) query.whereIn('host_id', sql(trx)('compute_hosts').select('id').whereIn('name', q.hostNames));
    if (q.hostIds) query.whereIn('host_id', q.hostIds);
    if (q.uuids) query.whereIn('uuid', q.uuids);
    for (const c of q.containing ?? []) {
      const like = `%${c.parts.map((t) => t.replace(/[\\%_]/g, (ch) => `\\${ch}`)).join('%')}%`;
      query.whereRaw(`?? ${isSqlite(trx) ? 'like' : 'ilike'} ? escape '\\'`, [c.column, like]);
    }
    if (q.vmStates) query.whereIn('vm_state', q.vmStates);
    if (q.taskStates) query.whereIn('task_state', q.taskStates);
    for (const [col, v] of Object.entries(q.equals ?? {})) {
      if (v === null) query.whereNull(col);
      else query.where(col, v as string);
    }
    if (q.changesSince)
      query.where((w) =>
        w
          .where('updated_at', '>=', q.changesSince!)
          .orWhere((x) => x.whereNull('updated_at').where('created_at', '>=', q.changesSince!)),
      );
    if (q.changesBefore)
      query.where((w) =>
        w
          .where('updated_at', '<=', q.changesBefore!)
          .orWhere((x) => x.whereNull('updated_at').where('created_at', '<=', q.changesBefore!)),
      );
    const tagSub = (tags: string[]) =>
      sql(trx)('instance_tags')
        .select('instance_uuid')
        .whereIn('tag', tags)
        .groupBy('instance_uuid')
        .havingRaw('count(distinct tag) = ?', [tags.length]);
    const anyTagSub = (tags: string[]) => sql(trx)('instance_tags').select('instance_uuid').whereIn('tag', tags);
    if (q.tagsAll?.length) query.whereIn('uuid', tagSub(q.tagsAll));
    if (q.tagsAny?.length) query.whereIn('uuid', anyTagSub(q.tagsAny));
    if (q.notTagsAll?.length) query.whereNotIn('uuid', tagSub(q.notTagsAll));
    if (q.notTagsAny?.length) query.whereNotIn('uuid', anyTagSub(q.notTagsAny));
    const sort = [...q.sort];
    if (!sort.some((s) => s.column === 'id')) sort.push({ column: 'id', dir: sort[0]?.dir ?? 'desc' });
    if (q.marker) {
      const bound = seekBound(sort[0], q.marker);
      if (bound) query.where(bound.column, bound.op, bound.value);
      query.where((w) => keysetAfter(w, sort, q.marker!));
    }
    // NULL is the smallest value on both engines (PostgreSQL would put it last ascending by default).
    for (const s of sort) query.orderByRaw(`?? ${s.dir} nulls ${s.dir === 'asc' ? 'first' : 'last'}`, [s.column]);
    query.limit(q.limit);
    return query;
  }

  /** Puts the servers in a server group. */
  async setServerGroup(uuids: string[], groupUuid: string, trx: Db = this.db): Promise<void> {
    await sql(trx)('instances').whereIn('uuid', uuids).update({ server_group_id: groupUuid });
  }

  /** Idle soft-deleted servers deleted at or before `cutoff` (nova _reclaim_queued_deletes). */
  softDeletedBefore(
    cutoff: string,
    trx: Db = this.db,
  ): Promise<Pick<InstanceRow, 'uuid' | 'project_id' | 'user_id'>[]> {
    return sql(trx)<InstanceRow>('instances')
      .where({ vm_state: SOFT_DELETED_VM_STATE, deleted: false })
      .whereNull('task_state')
      .where('deleted_at', '<=', cutoff)
      .select('uuid', 'project_id', 'user_id');
  }

  /** How many live servers the named hosts have (nova InstanceList.get_count_by_hosts). */
  async countLiveOnHosts(hostNames: string[], trx: Db = this.db): Promise<number> {
    if (!hostNames.length) return 0;
    const r = await sql(trx)('instances')
      .where({ deleted: false })
      .whereIn('host_id', sql(trx)('compute_hosts').select('id').whereIn('name', hostNames))
      .count({ n: '*' })
      .first();
    return Number((r as { n: number | string } | undefined)?.n ?? 0);
  }

  /**
   * Live servers on a host (deleted = false, host_id set), for the scheduler's resource accounting:
   * the rows the database's triggers keep (migration compute_host_usage), one per host.
   */
  async usageByHost(trx: Db = this.db): Promise<Map<number, { vcpus: number; memoryMb: number; count: number }>> {
    const rows = await sql(trx)('compute_host_usage')
      .where('instances', '>', 0)
      .select('host_id', 'vcpus', 'memory_mb', 'instances');
    return new Map(
      rows.map(
        (r: { host_id: number; vcpus: number | string; memory_mb: number | string; instances: number | string }) => [
          Number(r.host_id),
          { vcpus: Number(r.vcpus), memoryMb: Number(r.memory_mb), count: Number(r.instances) },
        ],
      ),
    );
  }
}

/**
 * Keyset pagination: rows strictly after `marker` in the given order. For keys (a, b, id):
 * (a > ma) OR (a = ma AND b > mb) OR (a = ma AND b = mb AND id > mid), with < for desc.
 * NULLs sort first ascending on both SQLite and here (treated as the smallest value).
 */
function keysetAfter(
  w: Knex.QueryBuilder,
  sort: { column: keyof InstanceRow; dir: 'asc' | 'desc' }[],
  marker: InstanceRow,
): void {
  sort.forEach((s, i) => {
    w.orWhere((branch) => {
      for (const prev of sort.slice(0, i)) {
        const v = marker[prev.column];
        if (v === null || v === undefined) branch.whereNull(prev.column);
        else branch.where(prev.column, normalizeValue(v));
      }
      const v = marker[s.column];
      if (s.dir === 'asc') {
        if (v === null || v === undefined) branch.whereNotNull(s.column);
        else branch.where(s.column, '>', normalizeValue(v));
      } else if (v === null || v === undefined) {
        branch.whereRaw('1 = 0');
      } else {
        branch.where((x) => x.where(s.column, '<', normalizeValue(v)).orWhereNull(s.column));
      }
    });
  });
}

/** Sort columns that are never NULL (instances migration: notNullable, or the primary key). */
const NOT_NULL_SORT_COLUMNS = new Set<keyof InstanceRow>(['id', 'created_at']);

/**
 * keysetAfter's bound on its first column, `a >= ma` ascending (NULLs sort first) or `a <= ma`
 * descending when `a` is never NULL: a range the planner seeks to in the list index, where the OR
 * alone made every page scan from the index's start (a chunk of 2,000 at 100,000 servers: 25 ms, not 10).
 */
function seekBound(
  first: { column: keyof InstanceRow; dir: 'asc' | 'desc' },
  marker: InstanceRow,
): { column: string; op: '>=' | '<='; value: string | number | boolean } | null {
  const v = marker[first.column];
  if (v === null || v === undefined) return null;
  if (first.dir === 'asc') return { column: first.column, op: '>=', value: normalizeValue(v) };
  return NOT_NULL_SORT_COLUMNS.has(first.column) ? { column: first.column, op: '<=', value: normalizeValue(v) } : null;
}

/** knex binds booleans per dialect (0/1 on SQLite, true/false on PostgreSQL): pass them through. */
function normalizeValue(v: unknown): string | number | boolean {
  return v as string | number | boolean;
}
