// The queries of start-up recovery and reconciliation (worker/recovery.ts, worker/reconcile.ts):
// what a crash left behind, read across servers and their task rows.
import type { Db } from '../knex.js';
import { sql } from '../sql.js';

export interface ServerState {
  uuid: string;
  vm_state: string;
  task_state: string | null;
}

export class RecoveryQueries {
  constructor(private readonly db: Db) {}

  /** Task rows someone holds a lease on. */
  claimedTasks(trx: Db = this.db): Promise<{ id: number; claimed_by: string }[]> {
    return sql(trx)('compute_tasks').whereNotNull('claimed_by').select('id', 'claimed_by');
  }

  /** Frees a task's lease if `claimedBy` still holds it; the number of rows freed (0 or 1). */
  async releaseLease(id: number, claimedBy: string, trx: Db = this.db): Promise<number> {
    return sql(trx)('compute_tasks')
      .where({ id, claimed_by: claimedBy })
      .update({ claimed_by: null, lease_until: null });
  }

  /** The servers that have a task row. */
  async serversWithTasks(trx: Db = this.db): Promise<Set<string>> {
    const rows = await sql(trx)<{ instance_uuid: string }>('compute_tasks').distinct('instance_uuid');
    return new Set(rows.map((r) => r.instance_uuid));
  }

  /** Live servers with a task_state, other than those in `except.vmState` or `except.taskState`. */
  busyServers(except: { vmState: string; taskState: string }, trx: Db = this.db): Promise<ServerState[]> {
    return sql(trx)('instances')
      .where({ deleted: false })
      .whereNotNull('task_state')
      .whereNot('vm_state', except.vmState)
      .whereNot('task_state', except.taskState)
      .select('uuid', 'task_state');
  }

  /** The live servers placed on a host. */
  liveOnHost(hostId: number, trx: Db = this.db): Promise<ServerState[]> {
    return sql(trx)('instances').where({ deleted: false, host_id: hostId }).select('uuid', 'vm_state', 'task_state');
  }

  /** Live servers in `states.vmState` or `states.taskState` that have no task row. */
  withoutTask(states: { vmState: string; taskState: string }, trx: Db = this.db): Promise<ServerState[]> {
    return sql(trx)('instances')
      .where({ deleted: false })
      .where((w) => w.where('vm_state', states.vmState).orWhere('task_state', states.taskState))
      .whereNotExists(sql(trx)('compute_tasks').whereRaw('compute_tasks.instance_uuid = instances.uuid'))
      .select('uuid', 'vm_state', 'task_state');
  }

  /** Writes `changes` while the live server is still in `vmState`; whether it was written. */
  async updateInVmState(
    uuid: string,
    vmState: string,
    changes: Record<string, unknown>,
    trx: Db = this.db,
  ): Promise<boolean> {
    return (await sql(trx)('instances').where({ uuid, vm_state: vmState, deleted: false }).update(changes)) > 0;
  }
}
