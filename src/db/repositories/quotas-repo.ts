// Quota limits: per project (`quotas`), per user inside a project (`project_user_quotas`), per quota class (`quota_classes`, the 'default' class
// gives the defaults), plus the per-project lock row used on PostgreSQL.
import { type Db, isSqlite } from '../knex.js';
import { sql } from '../sql.js';

export interface QuotaRow {
  project_id: string;
  resource: string;
  hard_limit: number;
  created_at: string;
  updated_at: string | null;
}
export interface QuotaClassRow {
  class_name: string;
  resource: string;
  hard_limit: number;
}

/** What a project (or one user in it) uses now, counted from the live records. */
export interface UsageCounts {
  instances: number;
  cores: number;
  ram: number;
  server_groups: number;
}

export class QuotasRepo {
  constructor(private readonly db: Db) {}

  /** Live servers (their count, vCPUs and RAM) and server groups of the project, or of one user in it. */
  async usage(projectId: string, userId?: string, trx: Db = this.db): Promise<UsageCounts> {
    const scope = userId === undefined ? { project_id: projectId } : { project_id: projectId, user_id: userId };
    const [inst] = await sql(trx)('instances')
      .where({ ...scope, deleted: false })
      .select(
        sql(trx).raw('count(*) as n'),
        sql(trx).raw('coalesce(sum(vcpus), 0) as cores'),
        sql(trx).raw('coalesce(sum(memory_mb), 0) as ram'),
      );
    const [groups] = await sql(trx)('server_groups').where(scope).count<{ n: number | string }[]>({ n: '*' });
    return {
      instances: Number(inst.n),
      cores: Number(inst.cores),
      ram: Number(inst.ram),
      server_groups: Number(groups.n),
    };
  }

  async projectLimits(projectId: string, trx: Db = this.db): Promise<Record<string, number>> {
    const rows = await sql(trx)<QuotaRow>('quotas').where({ project_id: projectId });
    return Object.fromEntries(rows.map((r) => [r.resource, Number(r.hard_limit)]));
  }

  async classLimits(className: string, trx: Db = this.db): Promise<Record<string, number>> {
    const rows = await sql(trx)<QuotaClassRow>('quota_classes').where({ class_name: className });
    return Object.fromEntries(rows.map((r) => [r.resource, Number(r.hard_limit)]));
  }

  async setProjectLimit(
    projectId: string,
    resource: string,
    hardLimit: number,
    now: string,
    trx: Db = this.db,
  ): Promise<void> {
    await sql(trx)('quotas')
      .insert({ project_id: projectId, resource, hard_limit: hardLimit, created_at: now, updated_at: null })
      .onConflict(['project_id', 'resource'])
      .merge({ hard_limit: hardLimit, updated_at: now });
  }

  /** Nova's quota_destroy_all_by_project: the project's limits and its users' limits. */
  async deleteProjectLimits(projectId: string, trx: Db = this.db): Promise<void> {
    await sql(trx)('quotas').where({ project_id: projectId }).delete();
    await sql(trx)('project_user_quotas').where({ project_id: projectId }).delete();
  }

  /** The user's own limits inside the project (no fallback). */
  async userLimits(projectId: string, userId: string, trx: Db = this.db): Promise<Record<string, number>> {
    const rows = await sql(trx)('project_user_quotas').where({ project_id: projectId, user_id: userId });
    return Object.fromEntries(
      rows.map((r: { resource: string; hard_limit: number }) => [r.resource, Number(r.hard_limit)]),
    );
  }

  /** Every user limit of the project, for the sum that a project limit may not go below. */
  async allUserLimits(
    projectId: string,
    trx: Db = this.db,
  ): Promise<{ user_id: string; resource: string; hard_limit: number }[]> {
    const rows = await sql(trx)('project_user_quotas')
      .where({ project_id: projectId })
      .select('user_id', 'resource', 'hard_limit');
    return rows.map((r: { user_id: string; resource: string; hard_limit: number }) => ({
      ...r,
      hard_limit: Number(r.hard_limit),
    }));
  }

  async setUserLimit(
    projectId: string,
    userId: string,
    resource: string,
    hardLimit: number,
    now: string,
    trx: Db = this.db,
  ): Promise<void> {
    await sql(trx)('project_user_quotas')
      .insert({
        project_id: projectId,
        user_id: userId,
        resource,
        hard_limit: hardLimit,
        created_at: now,
        updated_at: null,
      })
      .onConflict(['project_id', 'user_id', 'resource'])
      .merge({ hard_limit: hardLimit, updated_at: now });
  }

  async deleteUserLimits(projectId: string, userId: string, trx: Db = this.db): Promise<void> {
    await sql(trx)('project_user_quotas').where({ project_id: projectId, user_id: userId }).delete();
  }

  async setClassLimit(className: string, resource: string, hardLimit: number, trx: Db = this.db): Promise<void> {
    await sql(trx)('quota_classes')
      .insert({ class_name: className, resource, hard_limit: hardLimit })
      .onConflict(['class_name', 'resource'])
      .merge({ hard_limit: hardLimit });
  }

  /**
   * PostgreSQL: holds the project's lock row until the caller's transaction ends. SQLite: nothing,
   * the caller's transaction already owns the only connection.
   */
  async lockProject(projectId: string, trx: Db): Promise<void> {
    if (isSqlite(this.db)) return;
    await sql(trx)('quota_locks').insert({ project_id: projectId }).onConflict('project_id').ignore();
    await sql(trx)('quota_locks').where({ project_id: projectId }).forUpdate().first();
  }
}
