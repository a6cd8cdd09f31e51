// Client-test harness: the real app listening on an ephemeral loopback port, and the real
// OpenStack CLIs (/usr/bin/openstack, nova, glance) run against it with Keystone password auth.
//
//   const s = await startListeningApp();            // fake driver; { computeDriver: 'docker' } for Docker
//   const r = await runCli('openstack', ['flavor', 'list', '-f', 'json'], adminEnv(s));
//   expect(r.code).toBe(0);
//   await s.close();
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp, type BuiltApp } from '../../src/app.js';
import { testConfig, type Config } from '../../src/config.js';
import { ADMIN_PASSWORD } from './app.js';
import { workerSlice } from './docker-network.js';

export interface ListeningApp extends BuiltApp {
  /** e.g. http://127.0.0.1:41234 (no trailing slash) */
  url: string;
  /** the admin user's password (for OS_PASSWORD) */
  adminPassword: string;
  /** the temporary data directory (removed by close unless given in overrides) */
  dataDir: string;
  close(): Promise<void>;
}

/**
 * buildApp + listen on 127.0.0.1 (an ephemeral port unless `opts.port`). Uses the fake driver unless `overrides.computeDriver` is
 * 'docker'. Background work (task runner, watchers) is on by default, as in the real server.
 */
export async function startListeningApp(
  overrides: Partial<Config> = {},
  opts: { background?: boolean; port?: number } = {},
): Promise<ListeningApp> {
  const ownDataDir = overrides.dataDir === undefined;
  const dataDir = overrides.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'novadock-cli-'));
  // On Docker: this worker's own address ranges (docker-network.ts)
  const ranges = overrides.computeDriver === 'docker' ? { network: workerSlice().network } : {};
  const config = testConfig({ stopTimeoutSeconds: 1, ...ranges, ...overrides, dataDir });
  // NOVADOCK_TEST_LOG=debug (or any level) shows the app's log while debugging a client test.
  const level = process.env.NOVADOCK_TEST_LOG;
  const built = await buildApp({ config, background: opts.background ?? true, logger: level ? { level } : false });
  await built.app.listen({ host: '127.0.0.1', port: opts.port ?? 0 });
  const address = built.app.server.address();
  if (!address || typeof address === 'string') throw new Error(`unexpected listen address ${String(address)}`);
  return {
    ...built,
    url: `http://127.0.0.1:${address.port}`,
    adminPassword: config.adminPassword ?? ADMIN_PASSWORD,
    dataDir,
    async close() {
      await built.app.close();
      if (ownDataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface CliCredentials {
  user: string;
  password: string;
  project: string;
}

/** OS_* variables for Keystone v3 password auth against `app`. */
export function osEnv(app: { url: string }, creds: CliCredentials): Record<string, string> {
  return {
    OS_AUTH_URL: `${app.url}/identity/v3`,
    OS_AUTH_TYPE: 'password',
    OS_IDENTITY_API_VERSION: '3',
    OS_USERNAME: creds.user,
    OS_PASSWORD: creds.password,
    OS_PROJECT_NAME: creds.project,
    OS_USER_DOMAIN_NAME: 'Default',
    OS_PROJECT_DOMAIN_NAME: 'Default',
    OS_REGION_NAME: 'RegionOne',
    OS_INTERFACE: 'public',
  };
}

/** OS_* variables for the admin user on the admin project. */
export function adminEnv(app: ListeningApp): Record<string, string> {
  return osEnv(app, { user: 'admin', password: app.adminPassword, project: 'admin' });
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `/usr/bin/<cmd>` (or an absolute path) with a clean environment: /usr/bin first in PATH
 * (so Debian's python3 and its OpenStack modules are used, not a pyenv shim), no inherited OS_*
 * variables, plus `env`. Never rejects: a non-zero exit, a signal or the timeout give code != 0
 * (-1 for a timeout or signal, with the reason appended to stderr).
 */
export function runCli(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
  opts: { timeoutMs?: number; cwd?: string } = {},
): Promise<CliResult> {
  const file = cmd.startsWith('/') ? cmd : `/usr/bin/${cmd}`;
  const baseEnv: Record<string, string> = {
    PATH: '/usr/bin:/bin:/usr/sbin:/sbin:/usr/local/bin',
    HOME: process.env.HOME ?? os.tmpdir(),
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    PYTHONWARNINGS: 'ignore',
  };
  const timeout = opts.timeoutMs ?? 90_000;
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { env: { ...baseEnv, ...env }, timeout, killSignal: 'SIGKILL', maxBuffer: 32 * 1024 * 1024, cwd: opts.cwd },
      (err, stdout, stderr) => {
        if (!err) return resolve({ code: 0, stdout, stderr });
        const e = err as NodeJS.ErrnoException & { code?: number | string; killed?: boolean; signal?: string };
        if (typeof e.code === 'number') return resolve({ code: e.code, stdout, stderr });
        const why = e.killed
          ? `killed after ${timeout} ms (timeout)`
          : e.signal
            ? `signal ${e.signal}`
            : String(e.message);
        resolve({ code: -1, stdout, stderr: `${stderr}\n[runCli] ${file}: ${why}` });
      },
    );
  });
}

/** Parses `-f json` output, failing with the CLI's stderr when it is not JSON. */
export function jsonOut<T = unknown>(r: CliResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`CLI output is not JSON (exit ${r.code}).\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
}

/**
 * Several `openstack` commands in one process (its interactive mode, commands on stdin): one Python
 * start-up instead of one per command. Each command's stdout and stderr are cut apart with shell-escape
 * markers; a command failed when it wrote to stderr (the CLI's "Error while executing command" and the
 * like). The process itself must exit 0.
 */
export async function runOpenstackBatch(
  commands: string[][],
  env: Record<string, string>,
  opts: { timeoutMs?: number } = {},
): Promise<{ command: string; stdout: string; stderr: string; ok: boolean }[]> {
  // the interactive shell splits on blanks (quotes do not group) and reads `>` as its own redirection
  for (const a of commands.flat()) {
    if (!/^[\w@%+=:,./-]+$/.test(a)) throw new Error(`openstack batch: argument ${JSON.stringify(a)} cannot be passed`);
  }
  const mark = (i: number) => `novadock-batch-${i}-end`;
  const script = commands.map((c, i) => `${c.join(' ')}\n!echo ${mark(i)}\n!sh -c "echo ${mark(i)} 1>&2"\n`).join('');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'novadock-osc-'));
  const input = path.join(tmp, 'commands');
  fs.writeFileSync(input, script);
  try {
    const r = await runCli('/bin/sh', ['-c', `/usr/bin/openstack < ${input}`], env, opts);
    if (r.code !== 0) throw new Error(`openstack batch: exit ${r.code}\n${r.stderr}`);
    const cut = (text: string) => {
      const parts: string[] = [];
      let rest = text;
      for (let i = 0; i < commands.length; i++) {
        const at = rest.indexOf(`${mark(i)}\n`);
        if (at < 0) throw new Error(`openstack batch: no output marker for command ${i}\n${text}`);
        parts.push(rest.slice(0, at));
        rest = rest.slice(at + mark(i).length + 1);
      }
      return parts;
    };
    const [out, err] = [cut(r.stdout), cut(r.stderr)];
    return commands.map((c, i) => ({ command: c.join(' '), stdout: out[i], stderr: err[i], ok: err[i].trim() === '' }));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
