// The queries of the power-state sync (drift), kept apart from the servers' own repository.
// Every write is a compare-and-swap: it lands only while the server is idle (task_state IS NULL)
// and still in the vm_state and power_state the sync decided on, so a user action that started in
// between always wins (nova: instance.save() in _sync_instance_power_state re-checks the same).
import type { Db } from '../knex.js';
import { sql } from '../sql.js';

export interface SyncRow {
  uuid: string;
  host_id: number | null;
  vm_state: string;
  task_state: string | null;
  power_state: number;
  project_id: string;
}

const COLUMNS: string[] = ['uuid', 'host_id', 'vm_state', 'task_state', 'power_state', 'project_id'];

export class PowerSyncQueries {
  constructor(readonly db: Db) {}

  /** Live servers placed on `hostId` with no task in progress (the ones the sync may touch). */
  listIdleOnHost(hostId: number, trx: Db = this.db): Promise<SyncRow[]> {
    return sql(trx)('instances')
      .select(COLUMNS)
      .where({ host_id: hostId, deleted: false })
      .whereNull('task_state')
      .orderBy('id') as Promise<SyncRow[]>;
  }

  findLive(uuid: string, trx: Db = this.db): Promise<SyncRow | undefined> {
    return sql(trx)('instances').select(COLUMNS).where({ uuid, deleted: false }).first() as Promise<
      SyncRow | undefined
    >;
  }

  /**
   * UPDATE … WHERE uuid = ? AND NOT deleted AND task_state IS NULL AND vm_state = ? AND power_state = ?.
   * Returns whether the row was written.
   */
  async casIdle(
    uuid: string,
    expected: { vmState: string; powerState: number },
    changes: Record<string, unknown>,
    trx: Db = this.db,
  ): Promise<boolean> {
    const n = await sql(trx)('instances')
      .where({ uuid, deleted: false, vm_state: expected.vmState, power_state: expected.powerState })
      .whereNull('task_state')
      .update(changes);
    return n > 0;
  }

  /** Ends the sync's own task (task_state back to None), only if it still holds it. */
  async releaseTask(
    uuid: string,
    taskState: string,
    changes: Record<string, unknown>,
    trx: Db = this.db,
  ): Promise<boolean> {
    const n = await sql(trx)('instances')
      .where({ uuid, deleted: false, task_state: taskState })
      .update({ ...changes, task_state: null });
    return n > 0;
  }
}
