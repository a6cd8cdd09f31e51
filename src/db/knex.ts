// The database handle every layer names, and the connection it opens: SQLite (embedded default)
// or PostgreSQL (several API replicas).
//
// Only src/db runs SQL, by construction: above it the handle is opaque (no call signature, no
// query builder), so a query written outside src/db does not type-check. Repositories reach the
// knex object behind a handle with `sql()` (src/db/sql.ts, which .dependency-cruiser.cjs lets only
// src/db import). knex's own objects are these handles: nothing is wrapped at run time.
import type { Knex } from 'knex';
import { createKnex } from './connect.js';

/** The pool or a transaction on it: what repositories take as their optional last argument. */
export interface Db {
  readonly client: unknown;
}

/** A transaction, as `Database.transaction` hands it to its callback. */
export interface Transaction extends Db {
  isCompleted(): boolean;
}

/** The connection pool (one per process). */
export interface Database extends Db {
  transaction<T>(scope: (trx: Transaction) => Promise<T>): Promise<T>;
  destroy(): Promise<void>;
}

export function openDatabase(databaseUrl: string): Database {
  return createKnex(databaseUrl);
}

export function isSqlite(db: Db): boolean {
  return ((db as Knex).client as { driverName?: string }).driverName === 'better-sqlite3';
}

/**
 * Runs `fn` once `db` has committed: at once when `db` is the pool, never when the transaction
 * rolls back (the task runner starts a task only once its row is visible).
 */
export function afterCommit(db: Db, fn: () => void): void {
  const trx = db as Partial<Knex.Transaction>;
  if (trx.executionPromise !== undefined && typeof trx.commit === 'function')
    trx.executionPromise.then(fn, () => undefined);
  else fn();
}
