// A PostgreSQL database of its own for one test file (as test/api/quota-concurrency.test.ts does),
// made from TEST_PG_URL's server: runs never see each other's rows, not even concurrent ones.
import { randomBytes } from 'node:crypto';
import { createKnex } from '../../src/db/connect.js';

export interface PgDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export async function freshPgDatabase(baseUrl: string, prefix: string): Promise<PgDatabase> {
  const name = `novadock_${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = createKnex(baseUrl);
  try {
    await admin.raw(`create database ${name}`);
  } finally {
    await admin.destroy();
  }
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    name,
    drop: () => dropPgDatabase(baseUrl, name),
  };
}

/**
 * Drops a per-run database, retrying briefly: `with (force)` must end every session on it, and an
 * autovacuum worker busy there at that moment is one the test role may not end ("must be a member
 * of ... pg_signal_backend"). Cleanup is not what a test asserts, so a database that still will
 * not go is left behind with a warning rather than failing the file.
 */
export async function dropPgDatabase(baseUrl: string, name: string): Promise<void> {
  const a = createKnex(baseUrl);
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await a.raw(`drop database if exists ${name} with (force)`);
        return;
      } catch (err) {
        if (attempt >= 10) {
          console.warn(`[pg] could not drop ${name}: ${(err as Error).message}`);
          return;
        }
        await new Promise((r) => setTimeout(r, 300));
      }
    }
  } finally {
    await a.destroy();
  }
}
