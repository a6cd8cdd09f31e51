// knex's better-sqlite3 client, keeping each connection's prepared statements. knex prepares every
// statement anew: on GET /servers/{id} that was a fifth of the request's CPU time (profile in
// bench/read.ts with BENCH_CPU_PROF). A statement is prepared once per distinct SQL text and kept in
// a bounded per-connection map; SQLite re-prepares a kept statement by itself after a schema change.
// better-sqlite3 runs a statement synchronously to the end (knex only calls all() and run()), so
// one statement object is never in use twice at once.
//
// Rows are read as arrays (better-sqlite3's raw mode) and made into objects by a function compiled
// once per statement from its column names: an object literal of one fixed shape. better-sqlite3's
// own objects, built a property at a time, cost 2.7 times as much (1000 server rows: 11.2 against
// 4.2 ms of CPU) and are slower to read afterwards. Same keys in the same order, the last of two
// equal names winning, as better-sqlite3's objects have them.
//
// For a database file it also offers a second, read-only connection for the hottest reads
// (`readConnection`): a statement run on it directly costs a third of the same read through knex's
// runner and pool (22 µs against 64 µs of CPU for GET /servers/{id}'s one statement). WAL lets it
// read while the pool's connection writes, and each statement sees what was committed when it
// began, so a read after a write in this process sees the write. Never inside a transaction (that
// read must see the transaction's own writes), never for an in-memory database (private to its
// connection).
import { createRequire } from 'node:module';
import type { Knex } from 'knex';
// a static import, so that a bundle holds one copy of knex (its dialect and its core together)
import knexBetterSqlite3 from 'knex/lib/dialects/better-sqlite3/index.js';

interface Statement {
  readonly reader: boolean;
  all(bindings: unknown[]): unknown[];
  run(bindings: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  safeIntegers(on: boolean): Statement;
  raw(on: boolean): Statement;
  columns(): { name: string }[];
}

/** A kept statement; a reader's rows come as arrays and `make` turns each into an object. */
interface Kept {
  statement: Statement;
  make: ((row: unknown[]) => Record<string, unknown>) | null;
  width: number;
}
interface Connection {
  prepare(sql: string): Statement;
  pragma(s: string): unknown;
  close(): void;
}
type DatabaseClass = new (file: string, opts: { readonly: boolean; fileMustExist: boolean }) => Connection;
interface QueryObject {
  sql: string;
  bindings?: unknown[];
  options?: { safeIntegers?: unknown };
  response?: unknown;
  context?: { lastID: number | bigint; changes: number };
}
interface BetterSqlite3Client {
  _formatBindings(bindings: unknown[] | undefined): unknown[];
  destroy(callback?: unknown): Promise<void>;
  config: { connection?: { filename?: string } };
}

export interface ReadConnection {
  /** The rows of a SELECT (`?` placeholders, bindings as better-sqlite3 takes them), prepared once per SQL text. */
  all<T>(sql: string, bindings: readonly unknown[]): T[];
}
type ClientClass = new (config: object) => BetterSqlite3Client;

/** Distinct statements kept per connection; past this the map starts over (IN-lists vary in length). */
export const STATEMENT_CACHE_SIZE = 1000;

const Base = knexBetterSqlite3 as ClientClass;
const require = createRequire(import.meta.url);

let caches = new WeakMap<Connection, Map<string, Kept>>();

/** How many statements were prepared (tests: the second run of a query prepares nothing). */
export const statementStats = { prepared: 0 };

/** The function that makes a row object of these columns (a literal of one shape). */
function rowMaker(statement: Statement): Kept['make'] {
  const names = statement.columns().map((c) => c.name);
  const fields = names.map((n, i) => `${JSON.stringify(n)}: r[${i}]`).join(', ');
  return new Function('r', `return { ${fields} };`) as Kept['make'];
}

function keptFor(connection: Connection, sql: string): Kept {
  let cache = caches.get(connection);
  if (!cache) {
    cache = new Map();
    caches.set(connection, cache);
  }
  let kept = cache.get(sql);
  if (!kept) {
    const statement = connection.prepare(sql);
    statementStats.prepared++;
    kept = { statement, make: null, width: 0 };
    if (statement.reader) {
      statement.raw(true);
      kept.make = rowMaker(statement);
      kept.width = statement.columns().length;
    }
    if (cache.size >= STATEMENT_CACHE_SIZE) cache.clear();
    cache.set(sql, kept);
  }
  return kept;
}

/** The rows of a kept reader, as objects. */
function rowsOf(kept: Kept, bindings: unknown[]): Record<string, unknown>[] {
  const rows = kept.statement.all(bindings) as unknown[][];
  // SQLite re-prepares a statement after a schema change: `select *` may have other columns now.
  if (rows.length && rows[0].length !== kept.width) {
    kept.make = rowMaker(kept.statement);
    kept.width = rows[0].length;
  }
  const make = kept.make!;
  const out = new Array<Record<string, unknown>>(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = make(rows[i]);
  return out;
}

/** Schema statements: kept statements' columns may change, so every cache starts over. */
const DDL = /^\s*(create|alter|drop)\b/i;

export class CachingBetterSqlite3Client extends Base implements ReadConnection {
  private reader: Connection | null = null;

  /** The read-only connection (opened on first use), or null when the database is not a file. */
  get readConnection(): ReadConnection | null {
    const file = this.config.connection?.filename;
    return file && file !== ':memory:' ? this : null;
  }

  all<T>(sql: string, bindings: readonly unknown[]): T[] {
    if (!this.reader) {
      const Database = require('better-sqlite3') as DatabaseClass;
      this.reader = new Database(this.config.connection!.filename!, { readonly: true, fileMustExist: true });
      this.reader.pragma('busy_timeout = 5000');
    }
    return rowsOf(keptFor(this.reader, sql), [...bindings]) as T[];
  }

  override async destroy(callback?: unknown): Promise<void> {
    this.reader?.close();
    this.reader = null;
    return super.destroy(callback);
  }

  // The same steps as knex's own _query (lib/dialects/better-sqlite3), with the statement kept.
  async _query(connection: Connection | undefined, obj: QueryObject): Promise<QueryObject> {
    if (!obj.sql) throw new Error('The query is empty');
    if (!connection) throw new Error('No connection provided');
    const safeIntegers = obj.options?.safeIntegers;
    // A statement with its own integer mode is not shared (the mode sticks to the statement).
    const bindings = this._formatBindings(obj.bindings);
    if (typeof safeIntegers === 'boolean') {
      const own = connection.prepare(obj.sql).safeIntegers(safeIntegers);
      if (own.reader) obj.response = own.all(bindings);
      else ran(obj, own.run(bindings));
      return obj;
    }
    const kept = keptFor(connection, obj.sql);
    if (kept.make) {
      obj.response = rowsOf(kept, bindings);
      return obj;
    }
    if (DDL.test(obj.sql)) caches = new WeakMap();
    ran(obj, kept.statement.run(bindings));
    return obj;
  }
}

function ran(obj: QueryObject, response: { changes: number; lastInsertRowid: number | bigint }): void {
  obj.response = response;
  obj.context = { lastID: response.lastInsertRowid, changes: response.changes };
}

/** The read-only connection of `db` for plain reads, or null (PostgreSQL, in-memory, inside a transaction). */
export function readConnection(db: Knex | Knex.Transaction): ReadConnection | null {
  if ((db as Knex.Transaction).isTransaction) return null;
  const client = db.client as unknown;
  return client instanceof CachingBetterSqlite3Client ? client.readConnection : null;
}
