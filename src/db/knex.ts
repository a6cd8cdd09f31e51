// knex connection for SQLite (embedded default) or PostgreSQL (several API replicas).
import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';

/** The connection pool (one per process), and a transaction on it; the layers above name these types only. */
export type Database = Knex;
export type Transaction = Knex.Transaction;
export type Db = Database | Transaction;

export function isSqlite(db: Db): boolean {
  return db.client.config.client === 'better-sqlite3';
}

export function createKnex(databaseUrl: string): Knex {
  if (databaseUrl.startsWith('sqlite:')) {
    const file = databaseUrl.replace(/^sqlite:(\/\/)?/, '');
    const inMemory = file === ':memory:' || file === '';
    if (!inMemory) fs.mkdirSync(path.dirname(file), { recursive: true });
    return knexFactory({
      client: 'better-sqlite3',
      connection: { filename: inMemory ? ':memory:' : file },
      useNullAsDefault: true,
      // One connection: SQLite serialises writers anyway, and :memory: is per connection.
      pool: {
        min: 1,
        max: 1,
        afterCreate(conn: { pragma(s: string): unknown }, done: (err: Error | null, conn: unknown) => void) {
          conn.pragma('journal_mode = WAL');
          conn.pragma('foreign_keys = ON');
          conn.pragma('synchronous = NORMAL');
          conn.pragma('busy_timeout = 5000');
          done(null, conn);
        },
      },
    });
  }
  return knexFactory({ client: 'pg', connection: databaseUrl, pool: { min: 1, max: 10 } });
}
