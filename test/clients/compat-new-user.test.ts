// Issue 17, items 3 and 6 (last point): a new user's session from the README.
//  - The quick start ("## Using it", its first sh block) runs verbatim, top to bottom, with
//    `set -e -o pipefail`, in a fresh clone of HEAD (no dist/, no data/, nothing untracked; the
//    checkout's node_modules hard-linked in, the one step of `npm start` left out), against the
//    service started the README's way (`npm start`) on the real Docker Engine. On a fresh machine
//    there is no `busybox` image until someone pulls one (and no registry is reachable here), so
//    `docker save busybox` must work because the start script provides it. Being a clone, it runs
//    what is committed: commit before running it by hand.
//  - The README says how to name the default compute host (it is named after the machine
//    otherwise), and the variable it names does it.
// The service runs as a child process (its own process group) on a free loopback port with its own
// data directory; it is stopped by its process group's id, and whatever it left in Docker is removed.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonOut, runCli } from '../helpers/cli.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const docker = (...args: string[]) =>
  execFileSync('docker', args, { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const hasImage = (ref: string) => {
  try {
    docker('image', 'inspect', ref);
    return true;
  } catch {
    return false;
  }
};

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

interface Service {
  child: ChildProcess;
  work: string;
  dataDir: string;
  port: number;
  log: () => string;
}
const started: Service[] = [];

/**
 * Starts `cmd args` in `cwd` (the repo root unless a clone is given) with NOVADOCK_PORT, and
 * NOVADOCK_DATA_DIR outside a clone (a clone keeps the README's ./data); waits for openrc and the API.
 */
async function startService(
  cmd: string,
  args: string[],
  extraEnv: Record<string, string> = {},
  clone?: (work: string) => string,
): Promise<Service> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'novadock-newuser-'));
  const cwd = clone ? clone(work) : ROOT;
  const dataDir = clone ? path.join(cwd, 'data') : path.join(work, 'data');
  const port = await freePort();
  const logFile = path.join(work, 'service.log');
  const out = fs.openSync(logFile, 'a');
  const child = spawn(cmd, args, {
    cwd,
    detached: true,
    stdio: ['ignore', out, out],
    env: {
      ...process.env,
      NOVADOCK_PORT: String(port),
      ...(clone ? {} : { NOVADOCK_DATA_DIR: dataDir }),
      NOVADOCK_LOG_LEVEL: 'warn',
      ...extraEnv,
    },
  });
  fs.closeSync(out);
  const svc: Service = { child, work, dataDir, port, log: () => fs.readFileSync(logFile, 'utf8').slice(-4000) };
  started.push(svc);
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service exited ${child.exitCode}:\n${svc.log()}`);
    const ok =
      fs.existsSync(path.join(dataDir, 'openrc')) &&
      (await fetch(`http://127.0.0.1:${port}/identity/v3`).then(
        (r) => r.ok,
        () => false,
      ));
    if (ok) return svc;
    if (Date.now() > deadline) throw new Error(`service did not answer within 180 s:\n${svc.log()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Stops a service by PID and removes the containers labelled with its compute hosts' ids. */
async function stopService(svc: Service): Promise<void> {
  if (svc.child.exitCode === null) {
    const exited = new Promise((r) => svc.child.once('exit', r));
    // npm start → sh → node: the whole process group this test started
    process.kill(-svc.child.pid!, 'SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    if (svc.child.exitCode === null) process.kill(-svc.child.pid!, 'SIGKILL');
  }
  const dbFile = path.join(svc.dataDir, 'novadock.sqlite');
  if (fs.existsSync(dbFile)) {
    const db = new Database(dbFile, { readonly: true });
    const hosts = db.prepare('select uuid from compute_hosts').all() as { uuid: string }[];
    db.close();
    for (const h of hosts) {
      const ids = docker('ps', '-aq', '--filter', `label=io.novadock.service-id=${h.uuid}`).split('\n').filter(Boolean);
      if (ids.length) docker('rm', '-f', ...ids);
    }
  }
  fs.rmSync(svc.work, { recursive: true, force: true });
}

/** A fresh clone of HEAD in `work`, with the checkout's node_modules hard-linked in (npm ci's result). */
function freshClone(work: string): string {
  const repo = path.join(work, 'repo');
  execFileSync('git', ['clone', '-q', '--no-hardlinks', ROOT, repo], { stdio: 'ignore', timeout: 60_000 });
  execFileSync('cp', ['-al', path.join(ROOT, 'node_modules'), path.join(repo, 'node_modules')], { timeout: 60_000 });
  // what start.sh reads to skip npm ci: the install is newer than the (just cloned) lock file
  const stamp = path.join(repo, 'node_modules', '.package-lock.json');
  fs.utimesSync(stamp, new Date(), new Date());
  expect(fs.existsSync(path.join(repo, 'dist')), 'dist/ is not in git').toBe(false);
  return repo;
}

const busyboxBefore = hasImage('busybox');

afterAll(async () => {
  for (const svc of started) await stopService(svc).catch(() => undefined);
  // the quick start's image: keep the machine as the test found it
  if (!busyboxBefore && hasImage('busybox')) {
    try {
      docker('rmi', 'busybox');
    } catch {
      /* in use by someone else */
    }
  }
}, 90_000);

/** The first ```sh block after a heading. */
function shBlockAfter(heading: string): string {
  const at = README.indexOf(heading);
  expect(at, `README has "${heading}"`).toBeGreaterThanOrEqual(0);
  const m = /```sh\n([\s\S]*?)```/.exec(README.slice(at));
  expect(m, `a sh block after "${heading}"`).not.toBeNull();
  return m![1];
}

describe("the README's quick start on a fresh machine", () => {
  it('npm start, then the "Using it" commands verbatim, top to bottom, without an error', async () => {
    const block = shBlockAfter('## Using it');
    expect(block).toContain('source data/openrc');
    const svc = await startService(
      'npm',
      ['start'],
      { DOCKER_HOST: process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock' },
      freshClone,
    );
    // README paths are relative to the checkout: the clone's ./data is the service's
    const r = await runCli(
      '/bin/bash',
      ['-c', `set -e -o pipefail -x\n${block}`],
      {
        HOME: svc.work,
        DOCKER_HOST: process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock',
      },
      { cwd: path.dirname(svc.dataDir), timeoutMs: 300_000 },
    );
    expect(
      r.code,
      `exit ${r.code}\nstdout: ${r.stdout.slice(-3000)}\nstderr: ${r.stderr.slice(-3000)}\nservice log:\n${svc.log()}`,
    ).toBe(0);
    expect(r.stdout).toMatch(/\|\s*status\s*\|\s*ACTIVE\s*\|/);
  }, 420_000);
});

describe('naming the default compute host', () => {
  it('the README names the variable, and it names the host', async () => {
    const m = /`(NOVADOCK_[A-Z_]*HOST_NAME)`/.exec(README);
    expect(m, 'the README says which variable names the default compute host').not.toBeNull();
    const svc = await startService('npx', ['tsx', 'src/server.ts'], {
      [m![1]]: 'compat-host-1',
      NOVADOCK_COMPUTE_DRIVER: 'fake',
    });
    const env = { HOME: svc.work, OS_CLOUD: '' };
    const sourced = await runCli(
      '/bin/bash',
      ['-c', `source ${svc.dataDir}/openrc && openstack compute service list -f json`],
      env,
      { timeoutMs: 120_000 },
    );
    expect(sourced.code, sourced.stderr).toBe(0);
    expect(
      jsonOut<{ Binary: string; Host: string }[]>(sourced)
        .filter((x) => x.Binary === 'nova-compute')
        .map((x) => x.Host),
    ).toEqual(['compat-host-1']);
  }, 240_000);
});
