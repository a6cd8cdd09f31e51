// What the live servers on each compute host add up to (hypervisor views, statistics), and which
// servers those are (with_servers). Reads the servers area's `instances` table.
import type { Db } from '../knex.js';
import { sql } from '../sql.js';

export interface HostUsage {
  vcpus: number;
  memoryMb: number;
  localGb: number;
  count: number;
  busy: number;
}

export class HostUsageRepo {
  constructor(private readonly db: Db) {}

  async byHost(trx: Db = this.db): Promise<Map<number, HostUsage>> {
    const rows = await sql(trx)('instances')
      .where({ deleted: false })
      .whereNotNull('host_id')
      .groupBy('host_id')
      .select(
        'host_id',
        sql(trx).raw('coalesce(sum(vcpus), 0) as vcpus'),
        sql(trx).raw('coalesce(sum(memory_mb), 0) as mem'),
        sql(trx).raw('coalesce(sum(root_gb + ephemeral_gb), 0) as disk'),
        sql(trx).raw('count(*) as n'),
        sql(trx).raw('sum(case when task_state is not null then 1 else 0 end) as busy'),
      );
    return new Map(
      rows.map((r: Record<string, unknown>) => [
        Number(r.host_id),
        {
          vcpus: Number(r.vcpus),
          memoryMb: Number(r.mem),
          localGb: Number(r.disk),
          count: Number(r.n),
          busy: Number(r.busy ?? 0),
        },
      ]),
    );
  }

  /** What each project's live servers on a host add up to (os-hosts show), by project id. */
  async byProjectOn(
    hostId: number,
    trx: Db = this.db,
  ): Promise<{ projectId: string; vcpus: number; memoryMb: number; localGb: number }[]> {
    const rows = await sql(trx)('instances')
      .where({ deleted: false, host_id: hostId })
      .groupBy('project_id')
      .orderBy('project_id')
      .select(
        'project_id',
        sql(trx).raw('coalesce(sum(vcpus), 0) as vcpus'),
        sql(trx).raw('coalesce(sum(memory_mb), 0) as mem'),
        sql(trx).raw('coalesce(sum(root_gb + ephemeral_gb), 0) as disk'),
      );
    return rows.map((r: Record<string, unknown>) => ({
      projectId: String(r.project_id),
      vcpus: Number(r.vcpus),
      memoryMb: Number(r.mem),
      localGb: Number(r.disk),
    }));
  }

  /** Live servers on a host, oldest first: name and uuid. */
  serversOn(hostId: number, trx: Db = this.db): Promise<{ display_name: string; uuid: string }[]> {
    return sql(trx)('instances')
      .where({ deleted: false, host_id: hostId })
      .orderBy('id')
      .select('display_name', 'uuid');
  }

  /**
   * Removes a compute host record (os-services delete). Deleted servers keep their history but
   * lose the reference; the caller has checked that no live server is there.
   */
  async deleteHost(hostId: number): Promise<void> {
    await sql(this.db).transaction(async (trx) => {
      await trx('instances').where({ host_id: hostId, deleted: true }).update({ host_id: null });
      await trx('compute_hosts').where({ id: hostId }).delete();
    });
  }

  async liveCountOn(hostId: number, trx: Db = this.db): Promise<number> {
    const [r] = await sql(trx)('instances')
      .where({ deleted: false, host_id: hostId })
      .count<{ n: number | string }[]>({ n: '*' });
    return Number(r.n);
  }
}
