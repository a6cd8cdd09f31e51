// Nova's migrations records (nova db migration_create / migration_update /
// migration_get_all_by_filters): written by the resize path, listed by GET /os-migrations.
import { randomUUID } from 'node:crypto';
import type { Db } from '../knex.js';
import { sql } from '../sql.js';

export interface MigrationRow {
  id: number;
  uuid: string;
  instance_uuid: string | null;
  migration_type: string;
  status: string | null;
  source_compute: string | null;
  source_node: string | null;
  dest_compute: string | null;
  dest_node: string | null;
  dest_host: string | null;
  old_instance_type_id: number | null;
  new_instance_type_id: number | null;
  old_flavor_id: string | null;
  new_flavor_id: string | null;
  hidden: boolean | number;
  user_id: string | null;
  project_id: string | null;
  created_at: string;
  updated_at: string | null;
  deleted_at: string | null;
  deleted: boolean | number;
}

export interface NewMigration {
  instanceUuid: string;
  migrationType: string;
  status: string;
  hostId: number | null;
  oldFlavorId: string;
  newFlavorId: string;
  userId: string | null;
  projectId: string | null;
  now: string;
}

/** GET /os-migrations filters, already read from the query (Nova's search_opts). */
export interface MigrationFilters {
  hidden?: boolean;
  host?: string;
  sourceCompute?: string;
  instanceUuid?: string;
  status?: string;
  migrationType?: string;
  userId?: string;
  projectId?: string;
  /** ISO timestamps: updated_at >= since, updated_at <= before */
  changesSince?: string;
  changesBefore?: string;
}

export interface MigrationPage {
  /** sorted newest first (created_at, id descending) and paged, as from 2.59; else by id */
  sorted: boolean;
  limit?: number;
  markerUuid?: string;
}

export class UnknownMarker extends Error {}

/** Nova's flavor internal id: novadock's string flavor id when it is an integer, else unknown. */
export function instanceTypeIdOf(flavorId: string): number | null {
  return /^[0-9]{1,9}$/.test(flavorId) ? Number(flavorId) : null;
}

export class MigrationsRepo {
  constructor(private readonly db: Db) {}

  /** A new record at the source (Nova's conductor _preallocate_migration): no destination yet. */
  async create(m: NewMigration, trx: Db = this.db): Promise<MigrationRow> {
    const host: { name: string } | undefined =
      m.hostId === null ? undefined : await sql(trx)('compute_hosts').where('id', m.hostId).first('name');
    const row = {
      uuid: randomUUID(),
      instance_uuid: m.instanceUuid,
      migration_type: m.migrationType,
      status: m.status,
      source_compute: host?.name ?? null,
      source_node: host?.name ?? null,
      dest_compute: null,
      dest_node: null,
      dest_host: null,
      old_instance_type_id: instanceTypeIdOf(m.oldFlavorId),
      new_instance_type_id: instanceTypeIdOf(m.newFlavorId),
      old_flavor_id: m.oldFlavorId,
      new_flavor_id: m.newFlavorId,
      hidden: false,
      user_id: m.userId,
      project_id: m.projectId,
      created_at: m.now,
      updated_at: null,
      deleted_at: null,
      deleted: false,
    };
    const [r] = await sql(trx)('migrations').insert(row).returning('id');
    return { ...row, id: typeof r === 'object' ? r.id : r };
  }

  /** The instance's newest live record of a type in one of `statuses` (get_by_instance_and_status). */
  latestFor(
    instanceUuid: string,
    migrationType: string,
    statuses: readonly string[],
    trx: Db = this.db,
  ): Promise<MigrationRow | undefined> {
    return sql(trx)<MigrationRow>('migrations')
      .where({ instance_uuid: instanceUuid, migration_type: migrationType, deleted: false })
      .whereIn('status', statuses as string[])
      .orderBy('id', 'desc')
      .first();
  }

  /** The instance's newest live record of a type, whatever its status. */
  latest(instanceUuid: string, migrationType: string, trx: Db = this.db): Promise<MigrationRow | undefined> {
    return sql(trx)<MigrationRow>('migrations')
      .where({ instance_uuid: instanceUuid, migration_type: migrationType, deleted: false })
      .orderBy('id', 'desc')
      .first();
  }

  async update(
    id: number,
    changes: Partial<Pick<MigrationRow, 'status' | 'dest_compute' | 'dest_node' | 'dest_host'>>,
    now: string,
    trx: Db = this.db,
  ): Promise<void> {
    await sql(trx)('migrations')
      .where({ id })
      .update({ ...changes, updated_at: now });
  }

  findByUuid(uuid: string, trx: Db = this.db): Promise<MigrationRow | undefined> {
    return sql(trx)<MigrationRow>('migrations').where({ uuid }).first();
  }

  /**
   * migration_get_all_by_filters: the records not deleted (a deleted server's records are gone
   * with it, as Nova's instance_destroy soft-deletes them), filtered, then sorted and paged.
   * An unknown marker (looked up among all records, deleted too) throws UnknownMarker.
   */
  async list(f: MigrationFilters, page: MigrationPage, trx: Db = this.db): Promise<MigrationRow[]> {
    if (page.limit === 0) return [];
    const q = sql(trx)<MigrationRow>('migrations')
      .where('migrations.deleted', false)
      .whereExists(
        sql(trx)('instances')
          .whereRaw('instances.uuid = migrations.instance_uuid')
          .andWhere('instances.deleted', false),
      );
    if (f.changesSince !== undefined) q.where('updated_at', '>=', f.changesSince);
    if (f.changesBefore !== undefined) q.where('updated_at', '<=', f.changesBefore);
    if (f.status !== undefined) q.where('status', f.status);
    // `host` is either end of the move; `source_compute` counts only without `host` (as Nova).
    if (f.host !== undefined) {
      const h = f.host;
      q.where((w) => {
        w.where('source_compute', h).orWhere('dest_compute', h);
      });
    } else if (f.sourceCompute !== undefined) q.where('source_compute', f.sourceCompute);
    if (f.migrationType !== undefined) q.where('migration_type', f.migrationType);
    if (f.hidden !== undefined) q.where('hidden', f.hidden);
    if (f.instanceUuid !== undefined) q.where('instance_uuid', f.instanceUuid);
    if (f.userId !== undefined) q.where('user_id', f.userId);
    if (f.projectId !== undefined) q.where('project_id', f.projectId);
    if (!page.sorted) return q.orderBy('id', 'asc');
    if (page.markerUuid !== undefined) {
      const marker = await this.findByUuid(page.markerUuid, trx);
      if (!marker) throw new UnknownMarker(page.markerUuid);
      // After the marker in (created_at desc, id desc) order.
      q.where((w) => {
        w.where('created_at', '<', marker.created_at).orWhere((x) => {
          x.where('created_at', marker.created_at).andWhere('id', '<', marker.id);
        });
      });
    }
    q.orderBy([
      { column: 'created_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ]);
    if (page.limit !== undefined) q.limit(page.limit);
    return q;
  }
}
