// The knex connection for SQLite (embedded default) or PostgreSQL (several API replicas). The
// layers above open it as a Database (src/db/knex.ts openDatabase).
import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { CachingBetterSqlite3Client } from './sqlite-client.js';

export function createKnex(databaseUrl: string): Knex {
  if (databaseUrl.startsWith('sqlite:')) {
    const file = databaseUrl.replace(/^sqlite:(\/\/)?/, '');
    const inMemory = file === ':memory:' || file === '';
    if (!inMemory) fs.mkdirSync(path.dirname(file), { recursive: true });
    return knexFactory({
      // knex's better-sqlite3 client, keeping prepared statements (sqlite-client.ts)
      client: CachingBetterSqlite3Client as unknown as typeof knexFactory.Client,
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
