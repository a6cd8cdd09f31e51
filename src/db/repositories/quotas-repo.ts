// Quota limits: per project (`quotas`) and per quota class (`quota_classes`, the 'default' class
// gives the defaults), plus the per-project lock row used on PostgreSQL.
import type { Db } from '../knex';

export interface QuotaRow { project_id: string; resource: string; hard_limit: number; created_at: string; updated_at: string | null }
export interface QuotaClassRow { class_name: string; resource: string; hard_limit: number }

export class QuotasRepo {
  constructor(private readonly db: Db) {}

  async projectLimits(projectId: string, trx: Db = this.db): Promise<Record<string, number>> {
    const rows = await trx<QuotaRow>('quotas').where({ project_id: projectId });
    return Object.fromEntries(rows.map((r) => [r.resource, Number(r.hard_limit)]));
  }

  async classLimits(className: string, trx: Db = this.db): Promise<Record<string, number>> {
    const rows = await trx<QuotaClassRow>('quota_classes').where({ class_name: className });
    return Object.fromEntries(rows.map((r) => [r.resource, Number(r.hard_limit)]));
  }

  async setProjectLimit(projectId: string, resource: string, hardLimit: number, now: string, trx: Db = this.db): Promise<void> {
    await trx('quotas')
      .insert({ project_id: projectId, resource, hard_limit: hardLimit, created_at: now, updated_at: null })
      .onConflict(['project_id', 'resource'])
      .merge({ hard_limit: hardLimit, updated_at: now });
  }

  async deleteProjectLimits(projectId: string, trx: Db = this.db): Promise<void> {
    await trx('quotas').where({ project_id: projectId }).delete();
  }

  async setClassLimit(className: string, resource: string, hardLimit: number, trx: Db = this.db): Promise<void> {
    await trx('quota_classes')
      .insert({ class_name: className, resource, hard_limit: hardLimit })
      .onConflict(['class_name', 'resource'])
      .merge({ hard_limit: hardLimit });
  }

  /** PostgreSQL: holds the project's lock row until the caller's transaction ends. */
  async lockProject(projectId: string, trx: Db): Promise<void> {
    await trx('quota_locks').insert({ project_id: projectId }).onConflict('project_id').ignore();
    await trx('quota_locks').where({ project_id: projectId }).forUpdate().first();
  }
}
