// A PostgreSQL database of its own for one test file (as test/api/quota-concurrency.test.ts does),
// made from TEST_PG_URL's server: runs never see each other's rows, not even concurrent ones.
import { randomBytes } from 'node:crypto';
import { createKnex } from '../../src/db/knex';

export interface PgDatabase { url: string; name: string; drop(): Promise<void> }

export async function freshPgDatabase(baseUrl: string, prefix: string): Promise<PgDatabase> {
  const name = `novadock_${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = createKnex(baseUrl);
  try { await admin.raw(`create database ${name}`); } finally { await admin.destroy(); }
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    name,
    drop: async () => {
      const a = createKnex(baseUrl);
      try { await a.raw(`drop database if exists ${name} with (force)`); } finally { await a.destroy(); }
    },
  };
}
