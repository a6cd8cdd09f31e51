// The real server process (src/server.ts): first start bootstraps the admin user and writes
// data/openrc (0600) so that `source data/openrc && openstack token issue` works; a weak admin
// password stops it from listening beyond loopback, saying why.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { createKnex } from '../../src/db/connect.js';
import { migrateLatest } from '../../src/db/migrate.js';
import { IdentityRepo } from '../../src/db/repositories/identity-repo.js';
import { bootstrapIdentity } from '../../src/identity/bootstrap.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const started: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const p of started.splice(0)) {
    if (p.exitCode === null && p.signalCode === null) {
      p.kill('SIGTERM');
      await new Promise((r) => {
        p.once('exit', r);
        setTimeout(r, 10_000);
      });
      if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    }
  }
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'novadock-srv-'));
  dirs.push(d);
  return d;
}

interface Run {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts `node --import tsx src/server.ts` with only the given NOVADOCK_* settings. */
function startServer(env: Record<string, string>): Run {
  let out = '';
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? os.tmpdir(),
      NOVADOCK_COMPUTE_DRIVER: 'fake',
      NOVADOCK_LOG_LEVEL: 'info',
      NOVADOCK_POWER_SYNC_INTERVAL: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(proc);
  proc.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  proc.stderr.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return { proc, output: () => out, exited };
}

async function waitFor(cond: () => boolean, what: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting; output so far:\n${what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('first start on loopback', () => {
  it('generates an admin password, writes data/openrc 0600, logs where it is; source it && openstack token issue works', async () => {
    const dataDir = tempDir();
    const port = await freePort();
    const run = startServer({ NOVADOCK_DATA_DIR: dataDir, NOVADOCK_PORT: String(port), NOVADOCK_HOST: '127.0.0.1' });
    let exitCode: number | null | undefined;
    void run.exited.then((c) => {
      exitCode = c;
    });
    await waitFor(() => /Server listening/.test(run.output()) || exitCode !== undefined, run.output);
    expect(exitCode, run.output()).toBeUndefined();

    const openrc = path.join(dataDir, 'openrc');
    expect(run.output()).toContain(`credentials for the admin user are in ${openrc}`);
    expect(fs.statSync(openrc).mode & 0o777).toBe(0o600);
    const text = fs.readFileSync(openrc, 'utf8');
    for (const name of [
      'OS_AUTH_URL',
      'OS_IDENTITY_API_VERSION',
      'OS_USERNAME',
      'OS_PASSWORD',
      'OS_PROJECT_NAME',
      'OS_USER_DOMAIN_NAME',
      'OS_PROJECT_DOMAIN_NAME',
      'OS_REGION_NAME',
    ]) {
      expect(text, name).toMatch(new RegExp(`^export ${name}=`, 'm'));
    }
    expect(text).toContain(`export OS_AUTH_URL='http://127.0.0.1:${port}/identity/v3'`);
    const password = /^export OS_PASSWORD='([^']+)'$/m.exec(text)![1];
    expect(password.length).toBeGreaterThanOrEqual(12);
    expect(run.output()).not.toContain(password); // the password goes to the file, never to the log

    const r = await runCli(
      '/bin/bash',
      ['-c', `source '${openrc}' && openstack token issue -f value -c id -c project_id`],
      {},
      { timeoutMs: 90_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const [id, projectId] = r.stdout.trim().split('\n');
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(projectId).toMatch(/^[0-9a-f]{32}$/);

    // A restart without the variable keeps the same password and the file.
    run.proc.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    const again = startServer({ NOVADOCK_DATA_DIR: dataDir, NOVADOCK_PORT: String(port), NOVADOCK_HOST: '127.0.0.1' });
    await waitFor(() => /Server listening/.test(again.output()), again.output);
    expect(fs.readFileSync(openrc, 'utf8')).toBe(text);
    const res = await fetch(`http://127.0.0.1:${port}/identity/v3/auth/tokens`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: { methods: ['password'], password: { user: { name: 'admin', password } } },
          scope: { project: { name: 'admin' } },
        },
      }),
    });
    expect(res.status).toBe(201);
  }, 240_000);
});

describe('weak admin password and a non-loopback address', () => {
  it('NOVADOCK_ADMIN_PASSWORD=admin on 0.0.0.0: exit 2 before listening, saying why', async () => {
    const dataDir = tempDir();
    const run = startServer({
      NOVADOCK_DATA_DIR: dataDir,
      NOVADOCK_PORT: String(await freePort()),
      NOVADOCK_HOST: '0.0.0.0',
      NOVADOCK_ADMIN_PASSWORD: 'admin',
    });
    expect(await run.exited).toBe(2);
    expect(run.output()).toMatch(
      /novadock: refusing to listen on 0\.0\.0\.0: NOVADOCK_ADMIN_PASSWORD is weak \(it is a well-known default password\)/,
    );
    expect(run.output()).not.toMatch(/Server listening/);
    const short = startServer({
      NOVADOCK_DATA_DIR: dataDir,
      NOVADOCK_PORT: String(await freePort()),
      NOVADOCK_HOST: '0.0.0.0',
      NOVADOCK_ADMIN_PASSWORD: 'Xy7#short',
    });
    expect(await short.exited).toBe(2);
    expect(short.output()).toMatch(/shorter than 12 characters/);
  }, 120_000);

  it('a weak password stored earlier (no variable now): exit 2 after bootstrap, before listening', async () => {
    const dataDir = tempDir();
    const db = createKnex(`sqlite://${path.join(dataDir, 'novadock.sqlite')}`);
    try {
      await migrateLatest(db);
      await bootstrapIdentity(new IdentityRepo(db), { now: () => new Date() }, 'secret');
    } finally {
      await db.destroy();
    }
    const run = startServer({
      NOVADOCK_DATA_DIR: dataDir,
      NOVADOCK_PORT: String(await freePort()),
      NOVADOCK_HOST: '0.0.0.0',
    });
    expect(await run.exited).toBe(2);
    expect(run.output()).toMatch(/refusing to listen on 0\.0\.0\.0: the admin user's password is weak/);
    expect(run.output()).not.toMatch(/Server listening/);
  }, 120_000);
});
