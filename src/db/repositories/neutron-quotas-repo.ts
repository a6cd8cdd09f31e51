// Network quotas: per-project limits, usage counted from the records, the project lock row.
import { sql } from '../sql.js';
import { isSqlite, type Database, type Db } from '../knex.js';

const TABLE: Record<string, string> = {
  network: 'neutron_networks',
  subnet: 'neutron_subnets',
  port: 'neutron_ports',
  router: 'neutron_routers',
  floatingip: 'neutron_floating_ips',
  security_group: 'neutron_security_groups',
  security_group_rule: 'neutron_security_group_rules',
};

export class NeutronQuotasRepo {
  constructor(readonly db: Database) {}
  async limits(projectId: string, trx: Db = this.db): Promise<Record<string, number>> {
    const rows = await sql(trx)('neutron_quotas').where({ project_id: projectId });
    return Object.fromEntries(rows.map((r) => [r.resource, Number(r.hard_limit)]));
  }
  async count(resource: string, projectId: string, trx: Db = this.db): Promise<number> {
    const row = await sql(trx)(TABLE[resource]).where({ project_id: projectId }).count({ n: '*' }).first();
    return Number((row as { n: number | string }).n);
  }
  /** PostgreSQL: holds the project's lock row until the transaction ends (SQLite: one writer). */
  async lockProject(projectId: string, trx: Db): Promise<void> {
    if (isSqlite(trx)) return;
    await sql(trx)('quota_locks').insert({ project_id: projectId }).onConflict('project_id').ignore();
    await sql(trx)('quota_locks').where({ project_id: projectId }).forUpdate().first();
  }
  async set(projectId: string, resource: string, hardLimit: number, trx: Db = this.db): Promise<void> {
    await sql(trx)('neutron_quotas')
      .insert({ project_id: projectId, resource, hard_limit: hardLimit })
      .onConflict(['project_id', 'resource'])
      .merge({ hard_limit: hardLimit });
  }
  async reset(projectId: string, trx: Db = this.db): Promise<void> {
    await sql(trx)('neutron_quotas').where({ project_id: projectId }).delete();
  }
  async projects(trx: Db = this.db): Promise<string[]> {
    return (await sql(trx)('neutron_quotas').distinct('project_id').orderBy('project_id')).map((r) => r.project_id);
  }
}
