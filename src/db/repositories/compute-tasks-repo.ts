// Durable worker tasks. Claims are a compare-and-swap on (claimed_by, lease_until): a row is free
// when nobody holds it or the holder's lease has run out (it crashed), on SQLite and PostgreSQL alike.
import type { Db } from '../knex.js';
import { sql } from '../sql.js';

export interface ComputeTaskRow {
  id: number;
  instance_uuid: string;
  kind: string;
  payload: string | null;
  request_id: string | null;
  attempts: number;
  claimed_by: string | null;
  lease_until: string | null;
  last_error: string | null;
  created_at: string;
}

export class ComputeTasksRepo {
  constructor(private readonly db: Db) {}

  async insert(
    row: Omit<ComputeTaskRow, 'id' | 'attempts' | 'claimed_by' | 'lease_until' | 'last_error'>,
    trx: Db = this.db,
  ): Promise<number> {
    const [r] = await sql(trx)('compute_tasks')
      .insert({ ...row, attempts: 0 })
      .returning('id');
    return typeof r === 'object' ? (r as { id: number }).id : (r as number);
  }

  /** Tasks nobody holds (or whose lease ran out), oldest first. */
  async claimable(now: string, limit: number, trx: Db = this.db): Promise<ComputeTaskRow[]> {
    return sql(trx)<ComputeTaskRow>('compute_tasks')
      .where((w) => w.whereNull('claimed_by').orWhere('lease_until', '<', now))
      .orderBy('id')
      .limit(limit);
  }

  async findById(id: number, trx: Db = this.db): Promise<ComputeTaskRow | undefined> {
    return sql(trx)<ComputeTaskRow>('compute_tasks').where({ id }).first();
  }

  /** Compare-and-swap claim: true when this worker now holds the task. */
  async claim(
    task: ComputeTaskRow,
    workerId: string,
    leaseUntil: string,
    now: string,
    trx: Db = this.db,
  ): Promise<boolean> {
    const n = await sql(trx)('compute_tasks')
      .where({ id: task.id })
      .where((w) => w.whereNull('claimed_by').orWhere('lease_until', '<', now))
      .update({ claimed_by: workerId, lease_until: leaseUntil, attempts: task.attempts + 1 });
    return n === 1;
  }

  async renew(id: number, workerId: string, leaseUntil: string, trx: Db = this.db): Promise<boolean> {
    return (
      (await sql(trx)('compute_tasks').where({ id, claimed_by: workerId }).update({ lease_until: leaseUntil })) === 1
    );
  }

  /** Give a task back (shutdown): it becomes claimable at once. */
  async release(id: number, workerId: string, trx: Db = this.db): Promise<void> {
    await sql(trx)('compute_tasks').where({ id, claimed_by: workerId }).update({ claimed_by: null, lease_until: null });
  }

  async finish(id: number, trx: Db = this.db): Promise<void> {
    await sql(trx)('compute_tasks').where({ id }).delete();
  }

  async count(trx: Db = this.db): Promise<number> {
    const [r] = await sql(trx)('compute_tasks').count<{ n: number | string }[]>({ n: '*' });
    return Number(r.n);
  }
}
