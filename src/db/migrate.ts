// Applies the knex migrations in migrations/ (timestamped .js files with up and down).
// A custom source imports them with the runtime's own loader, so the same code path works
// under tsx, vitest and plain node.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import { AdvisoryLock, withAdvisoryLock } from './advisory-lock.js';
import type { Database } from './knex.js';
import { pool } from './sql.js';

/** The nearest directory above this module holding package.json: the checkout (src/db/, dist/db/)
 * or the install (the bundled dist/server.js), wherever the code runs from. */
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

const MIGRATIONS_DIR = path.join(packageRoot(), 'migrations');

interface MigrationModule {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

const source: Knex.MigrationSource<string> = {
  async getMigrations() {
    return fs
      .readdirSync(MIGRATIONS_DIR)
      .filter((f) => /^\d+_.*\.js$/.test(f))
      .sort();
  },
  getMigrationName(name) {
    return name;
  },
  async getMigration(name) {
    return (await import(pathToFileURL(path.join(MIGRATIONS_DIR, name)).href)) as MigrationModule;
  },
};

const options = { migrationSource: source, tableName: 'knex_migrations' };

export async function migrateLatest(db: Database): Promise<void> {
  const knex = pool(db);
  // Replicas starting together on one empty PostgreSQL database would each create knex_migrations
  // (knex's own lock row lives in a table that does not exist yet) and all but one fail at boot:
  // the others wait here and then find nothing pending.
  await withAdvisoryLock(db, AdvisoryLock.migrate, () => knex.migrate.latest(options));
}

export async function migrateRollbackAll(db: Database): Promise<void> {
  await pool(db).migrate.rollback(options, true);
}

export async function migrationStatus(db: Database): Promise<{ completed: string[]; pending: string[] }> {
  const [completed, pending] = await pool(db).migrate.list(options);
  return {
    completed: completed.map((m: { name: string }) => m.name),
    pending: pending.map((m: { file: string }) => m.file),
  };
}
