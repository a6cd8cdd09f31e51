// Server actions through the real clients against the app on a loopback port driving the real
// Docker Engine: nova stop/start/reboot [--hard]/pause/unpause/suspend/resume/lock/unlock/
// console-log and the same with `openstack server …`. After every step `docker inspect` agrees
// with the server's status and power_state. Fails (does not skip) without Docker.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminEnv, runCli, startListeningApp, type ListeningApp } from '../helpers/cli.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';
import { sql } from '../../src/db/sql.js';

const TEST_IMAGE = process.env.TEST_IMAGE ?? 'novadock-test/busybox:latest';
const docker = (...args: string[]) =>
  execFileSync('docker', args, { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const CLI_TIMEOUT = 120_000;
const expectOk = (r: { code: number; stdout: string; stderr: string }) =>
  expect(r.code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);

let s: ListeningApp;
let env: Record<string, string>;
const created: string[] = [];

beforeAll(async () => {
  s = await startListeningApp({ computeDriver: 'docker', stopTimeoutSeconds: 1 });
  env = adminEnv(s);
  await unlimitedQuota(s.services);
  const tar = path.join(s.dataDir, 'busybox.tar');
  docker('image', 'save', TEST_IMAGE, '-o', tar);
  await seedImage(s.services, {
    name: 'busybox',
    data: fs.readFileSync(tar),
    properties: { os_command_line: "sh -c 'echo console-line-1; echo console-line-2; while true; do sleep 1; done'" },
  });
}, 60_000);

afterAll(async () => {
  for (const id of created) {
    try {
      docker('rm', '-f', `nova-${id}`);
    } catch {
      /* gone */
    }
  }
  await s?.close();
});

/** Waits for the worker to finish, then checks the row against docker inspect. */
async function expectState(id: string, vmState: string, dockerStatus: string, power: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    await s.services.worker.drain();
    const row = await sql(s.services.db)('instances').where({ uuid: id }).first();
    if (row.vm_state === vmState && row.task_state === null) {
      expect(row.power_state).toBe(power);
      break;
    }
    if (Date.now() > deadline) throw new Error(`${id} not ${vmState}: ${JSON.stringify(row)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(docker('inspect', '-f', '{{.State.Status}}', `nova-${id}`)).toBe(dockerStatus);
}
const startedAt = (id: string) => docker('inspect', '-f', '{{.State.StartedAt}}', `nova-${id}`);

async function boot(name: string): Promise<string> {
  const r = await runCli('nova', ['boot', '--image', 'busybox', '--flavor', 'm1.tiny', '--nic', 'none', name], env, {
    timeoutMs: CLI_TIMEOUT,
  });
  expectOk(r);
  const row = await sql(s.services.db)('instances').where({ display_name: name, deleted: false }).first();
  created.push(row.uuid);
  await expectState(row.uuid, 'active', 'running', 1);
  return row.uuid as string;
}

describe('nova', () => {
  it('stop, start, reboot, reboot --hard, pause, unpause, suspend, resume, lock, unlock, console-log', async () => {
    const id = await boot('nova-actions');
    const nova = async (...args: string[]) => {
      const r = await runCli('nova', args, env, { timeoutMs: CLI_TIMEOUT });
      expectOk(r);
      return r;
    };
    await nova('stop', id);
    await expectState(id, 'stopped', 'exited', 4);
    await nova('start', id);
    await expectState(id, 'active', 'running', 1);
    let before = startedAt(id);
    await nova('reboot', id);
    await expectState(id, 'active', 'running', 1);
    expect(startedAt(id)).not.toBe(before);
    before = startedAt(id);
    await nova('reboot', '--hard', id);
    await expectState(id, 'active', 'running', 1);
    expect(startedAt(id)).not.toBe(before);
    await nova('pause', id);
    await expectState(id, 'paused', 'paused', 3);
    await nova('unpause', id);
    await expectState(id, 'active', 'running', 1);
    await nova('suspend', id);
    await expectState(id, 'suspended', 'paused', 7);
    await nova('resume', id);
    await expectState(id, 'active', 'running', 1);
    await nova('lock', '--reason', 'cli test', id);
    const shown = await nova('show', id);
    expect(shown.stdout).toMatch(/\|\s*locked\s*\|\s*True/);
    expect(shown.stdout).toMatch(/\|\s*locked_reason\s*\|\s*cli test/);
    await nova('unlock', id);
    const log = await nova('console-log', '--length', '1', id);
    expect(log.stdout.trim()).toBe('console-line-2');
    expect((await nova('console-log', id)).stdout).toContain('console-line-1\nconsole-line-2');
  }, 300_000);
});

describe('openstack server', () => {
  it('stop, start, reboot [--hard], pause, unpause, suspend, resume, lock, unlock, console log show, event list', async () => {
    const id = await boot('osc-actions');
    const osc = async (...args: string[]) => {
      const r = await runCli('openstack', ['server', ...args], env, { timeoutMs: CLI_TIMEOUT });
      expectOk(r);
      return r;
    };
    await osc('stop', id);
    await expectState(id, 'stopped', 'exited', 4);
    await osc('start', id);
    await expectState(id, 'active', 'running', 1);
    const before = startedAt(id);
    await osc('reboot', id);
    await expectState(id, 'active', 'running', 1);
    expect(startedAt(id)).not.toBe(before);
    await osc('reboot', '--hard', id);
    await expectState(id, 'active', 'running', 1);
    await osc('pause', id);
    await expectState(id, 'paused', 'paused', 3);
    await osc('unpause', id);
    await expectState(id, 'active', 'running', 1);
    await osc('suspend', id);
    await expectState(id, 'suspended', 'paused', 7);
    await osc('resume', id);
    await expectState(id, 'active', 'running', 1);
    await osc('lock', id);
    expect(Boolean((await sql(s.services.db)('instances').where({ uuid: id }).first()).locked)).toBe(true);
    await osc('unlock', id);
    expect(Boolean((await sql(s.services.db)('instances').where({ uuid: id }).first()).locked)).toBe(false);
    const log = await runCli('openstack', ['console', 'log', 'show', '--lines', '1', id], env, {
      timeoutMs: CLI_TIMEOUT,
    });
    expectOk(log);
    expect(log.stdout.trim()).toBe('console-line-2');
    // os-instance-actions through the client: every step above is recorded, newest first
    const events = JSON.parse((await osc('event', 'list', id, '-f', 'json')).stdout) as { Action: string }[];
    expect(events.map((e) => e.Action)).toEqual([
      'unlock',
      'lock',
      'resume',
      'suspend',
      'unpause',
      'pause',
      'reboot',
      'reboot',
      'start',
      'stop',
      'create',
    ]);
  }, 300_000);
});
