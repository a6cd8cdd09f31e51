// knex's better-sqlite3 client, keeping each connection's prepared statements. knex prepares every
// statement anew: on GET /servers/{id} that was a fifth of the request's CPU time (profile in
// bench/read.ts with BENCH_CPU_PROF). A statement is prepared once per distinct SQL text and kept in
// a bounded per-connection map; SQLite re-prepares a kept statement by itself after a schema change.
// better-sqlite3 runs a statement synchronously to the end (knex only calls all() and run()), so
// one statement object is never in use twice at once.
import { createRequire } from 'node:module';

interface Statement {
  readonly reader: boolean;
  all(bindings: unknown[]): unknown[];
  run(bindings: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  safeIntegers(on: boolean): Statement;
}
interface Connection {
  prepare(sql: string): Statement;
}
interface QueryObject {
  sql: string;
  bindings?: unknown[];
  options?: { safeIntegers?: unknown };
  response?: unknown;
  context?: { lastID: number | bigint; changes: number };
}
interface BetterSqlite3Client {
  _formatBindings(bindings: unknown[] | undefined): unknown[];
}
type ClientClass = new (config: object) => BetterSqlite3Client;

/** Distinct statements kept per connection; past this the map starts over (IN-lists vary in length). */
export const STATEMENT_CACHE_SIZE = 1000;

const require = createRequire(import.meta.url);
const Base = require('knex/lib/dialects/better-sqlite3/index.js') as ClientClass;

const caches = new WeakMap<Connection, Map<string, Statement>>();

/** How many statements were prepared (tests: the second run of a query prepares nothing). */
export const statementStats = { prepared: 0 };

function statementFor(connection: Connection, sql: string): Statement {
  let cache = caches.get(connection);
  if (!cache) {
    cache = new Map();
    caches.set(connection, cache);
  }
  let statement = cache.get(sql);
  if (!statement) {
    statement = connection.prepare(sql);
    statementStats.prepared++;
    if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear();
    cache.set(sql, statement);
  }
  return statement;
}

export class CachingBetterSqlite3Client extends Base {
  // The same steps as knex's own _query (lib/dialects/better-sqlite3), with the statement kept.
  async _query(connection: Connection | undefined, obj: QueryObject): Promise<QueryObject> {
    if (!obj.sql) throw new Error('The query is empty');
    if (!connection) throw new Error('No connection provided');
    const safeIntegers = obj.options?.safeIntegers;
    // A statement with its own integer mode is not shared (the mode sticks to the statement).
    const statement =
      typeof safeIntegers === 'boolean'
        ? connection.prepare(obj.sql).safeIntegers(safeIntegers)
        : statementFor(connection, obj.sql);
    const bindings = this._formatBindings(obj.bindings);
    if (statement.reader) {
      obj.response = await Promise.resolve(statement.all(bindings));
      return obj;
    }
    const response = await Promise.resolve(statement.run(bindings));
    obj.response = response;
    obj.context = { lastID: response.lastInsertRowid, changes: response.changes };
    return obj;
  }
}
