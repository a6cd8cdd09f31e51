// Third-party clients for the compatibility tests (test/clients/compat-*.test.ts): the scripts in
// test/clients/compat/ run under Debian's interpreters (scripts/compat-clients-up.sh installs them):
// Ruby for fog-openstack, Python for Libcloud and openstacksdk, Go for gophercloud (built offline in
// GOPATH mode against /usr/share/gocode, once per test process). Each script prints one JSON document.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { adminEnv, runCli, type CliResult, type ListeningApp } from './cli.js';

export const COMPAT_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'clients', 'compat');

const script = (name: string) => path.join(COMPAT_DIR, name);

/** OS_* for the admin user plus the names fog-openstack and gophercloud read. */
export function compatEnv(s: ListeningApp, extra: Record<string, string> = {}): Record<string, string> {
  const env = adminEnv(s);
  return { ...env, OS_DOMAIN_NAME: 'Default', ...extra };
}

/** Runs a script and parses its JSON output (stdout's last line), failing with its stderr. */
export async function runJson<T = unknown>(
  cmd: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs = 120_000,
): Promise<T> {
  const r = await runCli(cmd, args, env, { timeoutMs });
  return parseLastJson<T>(r, `${cmd} ${args.join(' ')}`);
}

export function parseLastJson<T>(r: CliResult, what: string): T {
  const last = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as T;
  } catch {
    throw new Error(
      `${what}: no JSON on stdout (exit ${r.code})\nstdout: ${r.stdout.slice(-4000)}\nstderr: ${r.stderr.slice(-4000)}`,
    );
  }
}

export const ruby = <T>(name: string, args: string[], env: Record<string, string>) =>
  runJson<T>('/usr/bin/ruby', [script(name), ...args], env);
export const python = <T>(name: string, args: string[], env: Record<string, string>) =>
  runJson<T>('/usr/bin/python3', [script(name), ...args], env);

const built = new Map<string, string>();

/** Builds test/clients/compat/<name>.go with Debian's Go and gophercloud, offline; returns the binary. */
export function goBinary(name: string): string {
  const have = built.get(name);
  if (have) return have;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'novadock-go-'));
  const out = path.join(dir, name);
  execFileSync('/usr/bin/go', ['build', '-o', out, script(`${name}.go`)], {
    env: {
      PATH: '/usr/bin:/bin',
      HOME: dir,
      GO111MODULE: 'off',
      GOPATH: '/usr/share/gocode',
      GOFLAGS: '',
      GOPROXY: 'off',
      // a cache shared by the test processes of one machine: the first build takes ~6 s, later ones well under 1 s
      GOCACHE: path.join(os.tmpdir(), 'novadock-gocache'),
    },
    timeout: 180_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  built.set(name, out);
  return out;
}

export const go = <T>(name: string, args: string[], env: Record<string, string>) =>
  runJson<T>(goBinary(name), args, env);
