// Starting the service for a bench: in this process (buildApp, for benches that count SQL
// queries or wait on the worker) or as a child process (for benches that read its memory), and
// a small HTTP client for the API.
//
// Database: a SQLite file in a temp data dir (as `npm start` uses), or, with BENCH_PG_URL set
// (e.g. the URL `bash scripts/pg-up.sh` prints), a fresh PostgreSQL database of its own, dropped
// at the end.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp, type BuiltApp } from '../../src/app.js';
import { testConfig, type Config } from '../../src/config.js';
import { freshPgDatabase, type PgDatabase } from '../../test/helpers/pg-database.js';
import { freePort, sleep } from './common.js';
import { sql } from '../../src/db/sql.js';
import { defaultRanges } from '../../src/network/ranges.js';
import { formatCidr, parseCidr } from '../../src/network/ip.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const ADMIN_PASSWORD = 'bench-Admin-password-1!';
export const MICROVERSION = process.env.BENCH_MICROVERSION ?? 'latest';

/** A JSON response body, read field by field by the benches (many shapes: Nova, Glance, Keystone). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Api {
  url: string;
  token: string;
  call(
    method: string,
    p: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: Json; headers: Headers }>;
}

export async function tokenFor(url: string, password = ADMIN_PASSWORD): Promise<string> {
  const res = await fetch(`${url}/identity/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'admin', password, domain: { name: 'Default' } } },
        },
        scope: { project: { name: 'admin', domain: { name: 'Default' } } },
      },
    }),
  });
  const token = res.headers.get('x-subject-token');
  if (!token) throw new Error(`no token: ${res.status} ${await res.text()}`);
  return token;
}

export function apiClient(url: string, token: string): Api {
  return {
    url,
    token,
    async call(method, p, body, headers = {}) {
      const res = await fetch(`${url}${p}`, {
        method,
        headers: {
          'X-Auth-Token': token,
          'Content-Type': 'application/json',
          'OpenStack-API-Version': `compute ${MICROVERSION}`,
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = null;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        parsed = text;
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
  };
}

async function database(dataDir: string, label: string): Promise<{ url: string; pg: PgDatabase | null }> {
  const base = process.env.BENCH_PG_URL;
  if (!base) return { url: `sqlite://${path.join(dataDir, 'novadock.sqlite')}`, pg: null };
  const pg = await freshPgDatabase(base, `bench_${label.replace(/\W/g, '_')}`);
  return { url: pg.url, pg };
}

export interface InProcess extends Api {
  built: BuiltApp;
  dataDir: string;
  /**
   * SQL queries the service runs while `fn` runs `times` times one after another: their number per
   * run (background work such as heartbeats counts too, so a number of runs evens it out), and each
   * distinct statement as "<per run>x <mean ms> <sql>".
   */
  countQueries<T>(fn: () => Promise<T>, times?: number): Promise<{ result: T; queries: number; sql: string[] }>;
  close(): Promise<void>;
}

/**
 * BENCH_NETWORK_POOL=<IPv4 /20> keeps every address a bench service gives (and every Docker network
 * it realises) inside that range on a shared engine: the in-process service takes its first /21
 * (private network: its lowest /22, public: its last /24); bench/network-port.ts its own parts.
 */
export function benchNetwork(): Config['network'] | undefined {
  const raw = process.env.BENCH_NETWORK_POOL;
  if (!raw) return undefined;
  const c = parseCidr(raw);
  if (!c || c.version !== 4 || c.prefix !== 20) throw new Error(`BENCH_NETWORK_POOL must be an IPv4 /20, got ${raw}`);
  const poolV4 = formatCidr({ version: 4, network: c.network, prefix: 21 });
  return { poolV4, poolV6: 'fd6e:6f76:6100::/40', ...defaultRanges(poolV4) };
}

/** The service in this process: buildApp with background work on, listening on a loopback port. */
export async function startInProcess(label: string, overrides: Partial<Config> = {}): Promise<InProcess> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `novadock-bench-${label}-`));
  const db = await database(dataDir, label);
  const config = testConfig({
    dataDir,
    databaseUrl: db.url,
    adminPassword: ADMIN_PASSWORD,
    computeDriver: 'fake',
    stopTimeoutSeconds: 1,
    logLevel: 'warn',
    ...(benchNetwork() ? { network: benchNetwork()! } : {}),
    ...overrides,
  });
  const built = await buildApp({ config, background: true, logger: false });
  const port = await freePort();
  await built.app.listen({ host: '127.0.0.1', port });
  const url = `http://127.0.0.1:${port}`;
  const api = apiClient(url, await tokenFor(url));
  let log: { sql: string; uid: string; t0: bigint; ms: number }[] | null = null;
  const knex = sql(built.services.db);
  knex.on('query', (q: { sql: string; __knexQueryUid: string }) => {
    log?.push({ sql: q.sql, uid: q.__knexQueryUid, t0: process.hrtime.bigint(), ms: NaN });
  });
  const done = (_r: unknown, q: { __knexQueryUid: string }) => {
    const e = log?.find((x) => x.uid === q.__knexQueryUid);
    if (e) e.ms = Number(process.hrtime.bigint() - e.t0) / 1e6;
  };
  knex.on('query-response', done);
  knex.on('query-error', (_e: unknown, q: { __knexQueryUid: string }) => done(null, q));
  return {
    ...api,
    built,
    dataDir,
    async countQueries(fn, times = 1) {
      log = [];
      try {
        let result: Awaited<ReturnType<typeof fn>> | undefined;
        for (let i = 0; i < times; i++) result = await fn();
        const bySql = new Map<string, { count: number; ms: number }>();
        for (const e of log) {
          const k = bySql.get(e.sql) ?? { count: 0, ms: 0 };
          k.count++;
          k.ms += e.ms;
          bySql.set(e.sql, k);
        }
        const sql = [...bySql].map(
          ([q, v]) =>
            `${(v.count / times).toFixed(2).replace(/\.00$/, '')}x ${(v.ms / v.count).toFixed(2)} ms ${q.slice(0, 70)}`,
        );
        return { result: result!, queries: log.length / times, sql };
      } finally {
        log = null;
      }
    },
    async close() {
      await built.app.close();
      if (db.pg) await db.pg.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Child extends Api {
  child: ChildProcess;
  pid: number;
  port: number;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * The environment the production entry points give the server (scripts/start.sh, the compose image):
 * glibc's malloc then keeps allocations of 128 KiB and more in their own mappings, returned on free.
 * Without it glibc raises that threshold after the first such free, and the multi-MiB response
 * bodies of large lists land in the main heap, which does not shrink: at 10,000 fake servers the
 * server held 248 MiB (peak 287) instead of 177 (191) after the same run.
 */
export const PRODUCTION_ENV = { MALLOC_MMAP_THRESHOLD_: '131072' } as const;

/**
 * The service as a child process, started as the production entry point is (`node --import tsx
 * src/server.ts`, or `node dist/server.js` once a build exists and BENCH_USE_DIST=1), with `env` on
 * top of a quiet default environment (fake driver, a temp data dir, log level warn).
 */
export async function startChild(
  label: string,
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<Child> {
  // A NOVADOCK_DATA_DIR in `env` is shared (replicas: one image store); the caller owns it.
  const dataDir = env.NOVADOCK_DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), `novadock-bench-${label}-`));
  const ownDir = env.NOVADOCK_DATA_DIR === undefined;
  // A DATABASE_URL in `env` is used as it is (replicas sharing one database); the caller owns it.
  const db = env.DATABASE_URL ? { url: env.DATABASE_URL, pg: null } : await database(dataDir, label);
  const port = await freePort();
  const entry =
    process.env.BENCH_USE_DIST === '1'
      ? [path.join(ROOT, 'dist/server.js')]
      : ['--import', 'tsx', path.join(ROOT, 'src/server.ts')];
  const child = spawn(process.execPath, [...nodeArgs, ...entry], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...PRODUCTION_ENV,
      NOVADOCK_HOST: '127.0.0.1',
      NOVADOCK_PORT: String(port),
      NOVADOCK_DATA_DIR: dataDir,
      NOVADOCK_COMPUTE_DRIVER: 'fake',
      NOVADOCK_ADMIN_PASSWORD: ADMIN_PASSWORD,
      NOVADOCK_LOG_LEVEL: 'warn',
      ...(benchNetwork() ? { NOVADOCK_NETWORK_POOL: benchNetwork()!.poolV4 } : {}),
      ...env,
      DATABASE_URL: db.url,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor200(`${url}/compute/v2.1`, child, 120_000);
  const api = apiClient(url, await tokenFor(url));
  return {
    ...api,
    child,
    pid: child.pid!,
    port,
    dataDir,
    async close() {
      await stopChild(child);
      if (db.pg) await db.pg.drop();
      if (ownDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `url` every 10 ms until it answers 200 (or the child exits, or the deadline passes). */
export async function waitFor200(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`process exited with ${child.exitCode} before ${url} answered`);
    try {
      const r = await fetch(url);
      await r.arrayBuffer();
      if (r.status === 200) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > end) throw new Error(`${url}: no 200 within ${timeoutMs} ms`);
    await sleep(10);
  }
}

/** SIGTERM to the child (by its PID), SIGKILL after 15 s; resolves when it has exited. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(t);
}
