// Flavors, their extra specs and their project access list (tables from migration 20261127000500).
// Rows are normalised here (SQLite returns 0/1 for booleans), so callers see real booleans.
import type { Db } from '../knex.js';
import { sql } from '../sql.js';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

export interface FlavorRow {
  /** Nova's flavorid, e.g. "1" or a UUID. */
  id: string;
  name: string;
  memory_mb: number;
  vcpus: number;
  root_gb: number;
  ephemeral_gb: number;
  /** MB; 0 means no swap. */
  swap: number;
  rxtx_factor: number;
  is_public: boolean;
  disabled: boolean;
  description: string | null;
  created_at: string;
  deleted: boolean;
}

/** Columns a caller may sort by (Nova's VALID_SORT_KEYS mapped onto our columns; `flavorid` and `id` are our id). */
export const FLAVOR_SORT_COLUMNS: Record<string, keyof FlavorRow> = {
  created_at: 'created_at',
  description: 'description',
  disabled: 'disabled',
  ephemeral_gb: 'ephemeral_gb',
  flavorid: 'id',
  id: 'id',
  is_public: 'is_public',
  memory_mb: 'memory_mb',
  name: 'name',
  root_gb: 'root_gb',
  rxtx_factor: 'rxtx_factor',
  swap: 'swap',
  updated_at: 'created_at',
  vcpu_weight: 'id',
  vcpus: 'vcpus',
};

export interface FlavorListQuery {
  /** true: public (plus those shared with `accessProjectId`); false: private only; null: all. */
  isPublic: boolean | null;
  /** With isPublic true, also the private flavors shared with this project (Nova does this for every caller). */
  accessProjectId?: string | null;
  /** Hide disabled flavors (non-admin callers). */
  hideDisabled?: boolean;
  minMemoryMb?: number;
  minRootGb?: number;
  sortColumn: keyof FlavorRow;
  sortDir: 'asc' | 'desc';
  limit: number;
  /** Return rows strictly after this one in the sort order. */
  after?: FlavorRow;
}

type RawFlavor = Omit<FlavorRow, 'is_public' | 'disabled' | 'deleted'> & {
  is_public: boolean | number;
  disabled: boolean | number;
  deleted: boolean | number;
};

export function toFlavorRow(raw: RawFlavor): FlavorRow {
  return {
    ...raw,
    rxtx_factor: Number(raw.rxtx_factor),
    is_public: Boolean(raw.is_public),
    disabled: Boolean(raw.disabled),
    deleted: Boolean(raw.deleted),
  };
}

export class FlavorsRepo {
  constructor(private readonly db: Db) {}

  async findById(id: string, trx: Db = this.db): Promise<FlavorRow | undefined> {
    const raw = await sql(trx)<RawFlavor>('flavors').where({ id, deleted: false }).first();
    return raw ? toFlavorRow(raw) : undefined;
  }

  async findByName(name: string, trx: Db = this.db): Promise<FlavorRow | undefined> {
    const raw = await sql(trx)<RawFlavor>('flavors').where({ name, deleted: false }).first();
    return raw ? toFlavorRow(raw) : undefined;
  }

  async hasAccess(flavorId: string, projectId: string, trx: Db = this.db): Promise<boolean> {
    return (
      (await sql(trx)('flavor_projects').where({ flavor_id: flavorId, project_id: projectId }).first()) !== undefined
    );
  }

  async list(q: FlavorListQuery, trx: Db = this.db): Promise<FlavorRow[]> {
    const query = sql(trx)<RawFlavor>('flavors').where('deleted', false);
    if (q.isPublic === false) query.where('is_public', false);
    if (q.isPublic === true) {
      query.where((w) => {
        w.where('is_public', true);
        if (q.accessProjectId) {
          w.orWhereIn('id', sql(trx)('flavor_projects').select('flavor_id').where('project_id', q.accessProjectId));
        }
      });
    }
    if (q.hideDisabled) query.where('disabled', false);
    // The columns are 32-bit integers: PostgreSQL refuses a bound outside that range (Nova's MySQL
    // compares any integer), so a bound below it is no condition and one above it matches nothing.
    for (const [column, min] of [['memory_mb', q.minMemoryMb] as const, ['root_gb', q.minRootGb] as const]) {
      if (min === undefined || min <= INT32_MIN) continue;
      if (min > INT32_MAX) query.whereRaw('1 = 0');
      else query.where(column, '>=', min);
    }
    // description is the one nullable sort key; NULL sorts as '' so the order is the same on every
    // engine. The column name comes from the FLAVOR_SORT_COLUMNS allow-list, never from the caller.
    const colSql = q.sortColumn === 'description' ? "coalesce(description, '')" : q.sortColumn;
    if (q.after) {
      // Keyset pagination on (sort column, id), the id breaking ties as Nova's paginate_query does.
      const op = q.sortDir === 'asc' ? '>' : '<';
      const mv = q.after[q.sortColumn] ?? '';
      const afterId = q.after.id;
      query.where((w) => {
        w.whereRaw(`${colSql} ${op} ?`, [mv]).orWhere((x) =>
          x.whereRaw(`${colSql} = ?`, [mv]).where('id', op, afterId),
        );
      });
    }
    if (q.sortColumn === 'description') query.orderByRaw(`coalesce(description, '') ${q.sortDir}`);
    else query.orderBy(q.sortColumn, q.sortDir);
    query.orderBy('id', q.sortDir).limit(q.limit);
    return (await query).map(toFlavorRow);
  }

  async insert(row: FlavorRow, trx: Db = this.db): Promise<void> {
    await sql(trx)('flavors').insert(row);
  }

  async update(id: string, changes: Partial<Pick<FlavorRow, 'description'>>, trx: Db = this.db): Promise<void> {
    await sql(trx)('flavors').where({ id }).update(changes);
  }

  /** Hard delete; extra specs and access rows go with it (ON DELETE CASCADE, also done explicitly for safety). */
  async delete(id: string, trx: Db = this.db): Promise<number> {
    await sql(trx)('flavor_extra_specs').where({ flavor_id: id }).delete();
    await sql(trx)('flavor_projects').where({ flavor_id: id }).delete();
    return sql(trx)('flavors').where({ id }).delete();
  }

  // ---- extra specs ----
  async extraSpecs(flavorId: string, trx: Db = this.db): Promise<Record<string, string>> {
    const rows = await sql(trx)<{ flavor_id: string; key: string; value: string }>('flavor_extra_specs')
      .where({ flavor_id: flavorId })
      .orderBy('key');
    return Object.fromEntries(rows.map((r) => [r.key, r.value]));
  }

  async extraSpecsFor(flavorIds: string[], trx: Db = this.db): Promise<Map<string, Record<string, string>>> {
    const out = new Map<string, Record<string, string>>(flavorIds.map((id) => [id, {}]));
    if (flavorIds.length === 0) return out;
    const rows = await sql(trx)<{ flavor_id: string; key: string; value: string }>('flavor_extra_specs')
      .whereIn('flavor_id', flavorIds)
      .orderBy(['flavor_id', 'key']);
    for (const r of rows) out.get(r.flavor_id)![r.key] = r.value;
    return out;
  }

  async upsertExtraSpecs(flavorId: string, specs: Record<string, string>, trx: Db = this.db): Promise<void> {
    const rows = Object.entries(specs).map(([key, value]) => ({ flavor_id: flavorId, key, value }));
    if (rows.length === 0) return;
    await sql(trx)('flavor_extra_specs').insert(rows).onConflict(['flavor_id', 'key']).merge(['value']);
  }

  async deleteExtraSpec(flavorId: string, key: string, trx: Db = this.db): Promise<number> {
    return sql(trx)('flavor_extra_specs').where({ flavor_id: flavorId, key }).delete();
  }

  // ---- access ----
  async projects(flavorId: string, trx: Db = this.db): Promise<string[]> {
    const rows = await sql(trx)<{ flavor_id: string; project_id: string }>('flavor_projects')
      .where({ flavor_id: flavorId })
      .orderBy('project_id');
    return rows.map((r) => r.project_id);
  }

  /** false when the pair already existed. */
  async addProject(flavorId: string, projectId: string, trx: Db = this.db): Promise<boolean> {
    const rows = await sql(trx)('flavor_projects')
      .insert({ flavor_id: flavorId, project_id: projectId })
      .onConflict(['flavor_id', 'project_id'])
      .ignore()
      .returning('flavor_id');
    return rows.length > 0;
  }

  async removeProject(flavorId: string, projectId: string, trx: Db = this.db): Promise<number> {
    return sql(trx)('flavor_projects').where({ flavor_id: flavorId, project_id: projectId }).delete();
  }
}
