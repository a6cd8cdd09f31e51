// The goal commands, with the real clients against the app on a loopback port driving the real
// Docker Engine: nova boot/list/show/delete, openstack server create --wait / list --long / show /
// delete --wait, and openstacksdk create_server + wait_for_server + delete. Fails without Docker.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminEnv, jsonOut, runCli, startListeningApp, type ListeningApp } from '../helpers/cli.js';
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
  s = await startListeningApp({ computeDriver: 'docker' });
  env = adminEnv(s);
  await unlimitedQuota(s.services);
  const tar = path.join(s.dataDir, 'busybox.tar');
  docker('image', 'save', TEST_IMAGE, '-o', tar);
  await seedImage(s.services, { name: 'busybox', data: fs.readFileSync(tar) });
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

async function waitVmState(name: string, state: string, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await sql(s.services.db)('instances').where({ display_name: name, deleted: false }).first();
    if (row?.vm_state === state && row.task_state === null) return row.uuid as string;
    if (Date.now() > deadline) throw new Error(`${name} not ${state}: ${JSON.stringify(row)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const containerMemory = (id: string) => Number(docker('inspect', '-f', '{{.HostConfig.Memory}}', `nova-${id}`));
const containerGone = (id: string) =>
  docker('ps', '-a', '--filter', `name=^nova-${id}$`, '--format', '{{.Names}}') === '';

describe('nova', () => {
  it('boot → ACTIVE container with the flavor memory; list, show; delete leaves no container', async () => {
    const boot = await runCli('nova', ['boot', '--image', 'busybox', '--flavor', 'm1.tiny', 'nova-test'], env, {
      timeoutMs: CLI_TIMEOUT,
    });
    expectOk(boot);
    const id = await waitVmState('nova-test', 'active');
    created.push(id);
    expect(boot.stdout).toContain(id);
    expect(containerMemory(id)).toBe(512 * 1024 * 1024);
    const list = await runCli('nova', ['list'], env, { timeoutMs: CLI_TIMEOUT });
    expectOk(list);
    expect(list.stdout).toMatch(new RegExp(`${id}\\s*\\|\\s*nova-test\\s*\\|\\s*ACTIVE`));
    expect(list.stdout).toMatch(/private=198\.18\./);
    const show = await runCli('nova', ['show', 'nova-test'], env, { timeoutMs: CLI_TIMEOUT });
    expectOk(show);
    expect(show.stdout).toMatch(/\|\s*status\s*\|\s*ACTIVE/);
    expect(show.stdout).toMatch(/\|\s*flavor:original_name\s*\|\s*m1\.tiny/);
    const del = await runCli('nova', ['delete', 'nova-test'], env, { timeoutMs: CLI_TIMEOUT });
    expectOk(del);
    const deadline = Date.now() + 30_000;
    while (!containerGone(id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(containerGone(id)).toBe(true);
  }, 240_000);
});

describe('openstack', () => {
  it('server create --wait, list --long, show, delete --wait', async () => {
    const create = await runCli(
      'openstack',
      ['server', 'create', '--image', 'busybox', '--flavor', 'm1.tiny', '--wait', 'osc-test', '-f', 'json'],
      env,
      { timeoutMs: CLI_TIMEOUT },
    );
    expectOk(create);
    const server = jsonOut<Record<string, unknown>>(create);
    created.push(server.id as string);
    expect(server.status).toBe('ACTIVE');
    expect(containerMemory(server.id as string)).toBe(512 * 1024 * 1024);
    const list = await runCli('openstack', ['server', 'list', '--long', '-f', 'json'], env, { timeoutMs: CLI_TIMEOUT });
    expectOk(list);
    const row = jsonOut<Array<Record<string, unknown>>>(list).find((r) => r.ID === server.id)!;
    expect(row).toMatchObject({
      Name: 'osc-test',
      Status: 'ACTIVE',
      'Power State': 1,
      'Image Name': 'busybox',
      'Flavor Name': 'm1.tiny',
    });
    const show = await runCli('openstack', ['server', 'show', 'osc-test', '-f', 'json'], env, {
      timeoutMs: CLI_TIMEOUT,
    });
    expectOk(show);
    expect(jsonOut<Record<string, unknown>>(show)).toMatchObject({
      id: server.id,
      status: 'ACTIVE',
      'OS-EXT-STS:vm_state': 'active',
    });
    const del = await runCli('openstack', ['server', 'delete', '--wait', 'osc-test'], env, { timeoutMs: CLI_TIMEOUT });
    expectOk(del);
    expect(containerGone(server.id as string)).toBe(true);
  }, 300_000);
});

describe('openstacksdk', () => {
  it('create_server + wait_for_server → ACTIVE, delete_server + wait_for_delete', async () => {
    const script = [
      'import openstack, json',
      'conn = openstack.connect()',
      "image = conn.image.find_image('busybox')",
      "flavor = conn.compute.find_flavor('m1.tiny')",
      "s = conn.compute.create_server(name='sdk-test', image_id=image.id, flavor_id=flavor.id, networks='auto')",
      's = conn.compute.wait_for_server(s, interval=1, wait=60)',
      "print(json.dumps({'id': s.id, 'status': s.status, 'flavor': s.flavor.original_name if s.flavor else None}))",
      'conn.compute.delete_server(s)',
      'conn.compute.wait_for_delete(s, interval=1, wait=60)',
      "print('deleted')",
    ].join('\n');
    const r = await runCli('python3', ['-c', script], env, { timeoutMs: CLI_TIMEOUT });
    expectOk(r);
    const [first, second] = r.stdout.trim().split('\n');
    const out = JSON.parse(first);
    created.push(out.id);
    expect(out).toMatchObject({ status: 'ACTIVE', flavor: 'm1.tiny' });
    expect(second).toBe('deleted');
    expect(containerGone(out.id)).toBe(true);
  }, 240_000);
});
