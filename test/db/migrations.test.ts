// Every migration goes up, down and up again on SQLite (and on PostgreSQL when TEST_PG_URL is set,
// in a database of its own per run: the rollback never meets another run's tables).
import { describe, expect, it } from 'vitest';
import { createKnex } from '../../src/db/connect.js';
import { migrateLatest, migrateRollbackAll, migrationStatus } from '../../src/db/migrate.js';
import { freshPgDatabase } from '../helpers/pg-database.js';

const engines: [string, string][] = [['sqlite', 'sqlite://:memory:']];
if (process.env.TEST_PG_URL) engines.push(['postgres', process.env.TEST_PG_URL]);

describe.each(engines)('migrations on %s', (_name, url) => {
  it('migrate up, down and up again', async () => {
    const pg = url.startsWith('postgres') ? await freshPgDatabase(url, 'migrations') : null;
    const db = createKnex(pg?.url ?? url);
    try {
      await migrateLatest(db);
      const up = await migrationStatus(db);
      expect(up.pending).toEqual([]);
      expect(up.completed.length).toBeGreaterThan(0);
      const tables = ['domains', 'projects', 'users', 'tokens', 'compute_hosts', 'images'];
      for (const t of tables) expect(await db.schema.hasTable(t)).toBe(true);

      await migrateRollbackAll(db);
      const down = await migrationStatus(db);
      expect(down.completed).toEqual([]);
      for (const t of tables) expect(await db.schema.hasTable(t)).toBe(false);

      await migrateLatest(db);
      expect((await migrationStatus(db)).pending).toEqual([]);
      for (const t of tables) expect(await db.schema.hasTable(t)).toBe(true);
    } finally {
      await db.destroy();
      await pg?.drop();
    }
  });

  it('SQLite runs with foreign keys on and WAL for files', async () => {
    if (!url.startsWith('sqlite')) return expect(url).toMatch(/^postgres/);
    const db = createKnex(url);
    try {
      const fk = await db.raw('PRAGMA foreign_keys');
      expect(fk[0].foreign_keys).toBe(1);
    } finally {
      await db.destroy();
    }
  });
});
