// Servers that ran during a period (Nova InstanceList.get_active_by_window_joined): launched before
// the period's end and not terminated before its start, deleted ones included.
import type { Db } from '../knex.js';
import { sql } from '../sql.js';

export interface UsageInstanceRow {
  uuid: string;
  project_id: string;
  display_name: string;
  vcpus: number;
  memory_mb: number;
  root_gb: number;
  ephemeral_gb: number;
  flavor_json: string;
  vm_state: string;
  launched_at: string;
  terminated_at: string | null;
  id: number;
}

export class UsageRepo {
  constructor(private readonly db: Db) {}

  activeInWindow(
    startIso: string,
    stopIso: string,
    opts: { projectId?: string; limit?: number; afterId?: number } = {},
    trx: Db = this.db,
  ): Promise<UsageInstanceRow[]> {
    const q = sql(trx)<UsageInstanceRow>('instances')
      .whereNotNull('launched_at')
      .where('launched_at', '<', stopIso)
      .where((w) => w.whereNull('terminated_at').orWhere('terminated_at', '>', startIso))
      .orderBy('id')
      .select(
        'id',
        'uuid',
        'project_id',
        'display_name',
        'vcpus',
        'memory_mb',
        'root_gb',
        'ephemeral_gb',
        'flavor_json',
        'vm_state',
        'launched_at',
        'terminated_at',
      );
    if (opts.projectId !== undefined) q.where('project_id', opts.projectId);
    if (opts.afterId !== undefined) q.where('id', '>', opts.afterId);
    if (opts.limit !== undefined) q.limit(opts.limit);
    return q;
  }

  async idOf(uuid: string, trx: Db = this.db): Promise<number | undefined> {
    const r = await sql(trx)('instances').where({ uuid }).first('id');
    return r ? Number(r.id) : undefined;
  }
}
