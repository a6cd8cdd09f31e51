// One process at a time through a piece of start-up work, across every replica on one PostgreSQL
// database: a transaction-scoped advisory lock, held on a connection of its own while `fn` runs on
// the pool's others, released when that transaction ends (also when the process dies). On SQLite
// (one process, one connection) `fn` just runs.
import { type Database, isSqlite } from './knex.js';
import { pool } from './sql.js';

/** Fixed keys, one per piece of start-up work (any numbers; only their distinctness matters). */
export const AdvisoryLock = {
  migrate: 7_261_127,
  seed: 7_261_128,
  /** one server placement at a time (compute/hosts/scheduler.ts claimHost) */
  schedule: 7_261_129,
} as const;

export async function withAdvisoryLock<T>(db: Database, key: number, fn: () => Promise<T>): Promise<T> {
  if (isSqlite(db)) return fn();
  return pool(db).transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(?)', [key]);
    return fn();
  });
}
