// Applies the knex migrations in migrations/ (timestamped .js files with up and down).
// A custom source imports them with the runtime's own loader, so the same code path works
// under tsx, vitest and plain node.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { AdvisoryLock, withAdvisoryLock } from './advisory-lock.js';
const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');
const source = {
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
        return (await import(pathToFileURL(path.join(MIGRATIONS_DIR, name)).href));
    },
};
const options = { migrationSource: source, tableName: 'knex_migrations' };
export async function migrateLatest(knex) {
    // Replicas starting together on one empty PostgreSQL database would each create knex_migrations
    // (knex's own lock row lives in a table that does not exist yet) and all but one fail at boot:
    // the others wait here and then find nothing pending.
    await withAdvisoryLock(knex, AdvisoryLock.migrate, () => knex.migrate.latest(options));
}
export async function migrateRollbackAll(knex) {
    await knex.migrate.rollback(options, true);
}
export async function migrationStatus(knex) {
    const [completed, pending] = await knex.migrate.list(options);
    return {
        completed: completed.map((m) => m.name),
        pending: pending.map((m) => m.file),
    };
}
//# sourceMappingURL=migrate.js.map