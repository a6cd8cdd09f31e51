// Two real Docker Engines as two compute hosts (NOVADOCK_COMPUTE_HOSTS): each is a nova-compute
// service and a hypervisor whose figures are its own `docker info`; stopping the second engine
// turns its service and hypervisor down after two missed heartbeats, and the scheduler stops
// choosing it. Starts a second dockerd of its own (docs/docker-here.md §6); fails without Docker.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminEnv, jsonOut, runCli, startListeningApp, type ListeningApp } from '../helpers/cli.js';

const ROOT = `/tmp/novadock-e-mh-${process.pid}`;
const SOCK = `${ROOT}.sock`;
const docker = (host: string, ...args: string[]) =>
  execFileSync('docker', ['-H', host, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();

let engine: ChildProcess | null = null;
let s: ListeningApp;

async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const pingable = (host: string) => {
  try {
    docker(host, 'version', '--format', '{{.Server.Version}}');
    return true;
  } catch {
    return false;
  }
};

async function stopEngine(): Promise<void> {
  if (!engine || engine.exitCode !== null) return;
  const exited = new Promise((r) => engine!.once('exit', r));
  engine.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
  if (engine.exitCode === null) engine.kill('SIGKILL');
}

beforeAll(async () => {
  expect(pingable('unix:///var/run/docker.sock'), 'the main Docker Engine must be running (scripts/docker-up.sh)').toBe(
    true,
  );
  fs.mkdirSync(ROOT, { recursive: true });
  engine = spawn(
    'dockerd',
    [
      '--data-root',
      `${ROOT}/root`,
      '--exec-root',
      `${ROOT}/exec`,
      '--pidfile',
      `${ROOT}/docker.pid`,
      '-H',
      `unix://${SOCK}`,
      '--bridge=none',
      '--iptables=false',
      '--ip-masq=false',
      '--ip-forward=false',
      '--storage-driver=overlay2',
      '--config-file',
      `${ROOT}/daemon.json`,
      '--cgroup-parent=/novadock-e-mh',
    ],
    { stdio: 'ignore' },
  );
  fs.writeFileSync(`${ROOT}/daemon.json`, '{}');
  await until('the second engine', () => pingable(`unix://${SOCK}`), 30_000);
  s = await startListeningApp({
    computeDriver: 'docker',
    heartbeatIntervalSeconds: 1,
    computeHosts: [{ name: 'engine-b', dockerUrl: `unix://${SOCK}`, availabilityZone: 'zone-b' }],
  });
}, 60_000);

afterAll(async () => {
  await s?.close();
  await stopEngine();
  for (const m of [`${ROOT}/root`, `${ROOT}/exec/netns/default`]) {
    try {
      execFileSync('umount', [m], { stdio: 'ignore' });
    } catch {
      /* not mounted */
    }
  }
  fs.rmSync(ROOT, { recursive: true, force: true });
  fs.rmSync(SOCK, { force: true });
  for (const dir of fs.existsSync('/sys/fs/cgroup') ? fs.readdirSync('/sys/fs/cgroup') : []) {
    try {
      fs.rmdirSync(`/sys/fs/cgroup/${dir}/novadock-e-mh`);
    } catch {
      /* absent */
    }
  }
}, 60_000);

describe('two Docker hosts', () => {
  it('each host is an up nova-compute and a hypervisor with its own docker info', async () => {
    const env = adminEnv(s);
    const r = await runCli('openstack', ['hypervisor', 'list', '--long', '-f', 'json'], env, { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const rows = jsonOut<Record<string, unknown>[]>(r);
    expect(rows.map((x) => [x['Hypervisor Hostname'], x.State])).toEqual([
      [(await s.services.hostsRepo.list())[0].name, 'up'],
      ['engine-b', 'up'],
    ]);
    const infoB = JSON.parse(docker(`unix://${SOCK}`, 'info', '--format', '{{json .}}'));
    const b = rows[1];
    expect(b).toMatchObject({
      vCPUs: infoB.NCPU,
      'Memory MB': Math.floor(infoB.MemTotal / 1048576),
      'vCPUs Used': 0,
      'Memory MB Used': 0,
    });
    const zones = await runCli('openstack', ['availability', 'zone', 'list', '--compute', '-f', 'json'], env, {
      timeoutMs: 120_000,
    });
    expect(jsonOut<Record<string, unknown>[]>(zones)).toEqual(
      expect.arrayContaining([{ 'Zone Name': 'zone-b', 'Zone Status': 'available' }]),
    );
  }, 240_000);

  it('stopping the second engine turns it down within two heartbeats; the scheduler then avoids it', async () => {
    await stopEngine();
    await until(
      'engine-b down',
      async () => !s.services.hostHealth.isUp((await s.services.hostsRepo.findByName('engine-b'))!),
      10_000,
    );
    const services = jsonOut<Record<string, unknown>[]>(
      await runCli(
        'openstack',
        ['compute', 'service', 'list', '--service', 'nova-compute', '-f', 'json'],
        adminEnv(s),
        { timeoutMs: 120_000 },
      ),
    );
    expect(services.map((x) => [x.Host, x.Zone, x.State])).toEqual([
      [(await s.services.hostsRepo.list())[0].name, 'nova', 'up'],
      ['engine-b', 'zone-b', 'down'],
    ]);
    const err = await s.services.scheduler
      .selectHost({ memoryMb: 64, vcpus: 1, availabilityZone: 'zone-b' })
      .catch((e: Error) => e);
    expect((err as Error).message).toMatch(/No valid host was found/);
  }, 240_000);
});
