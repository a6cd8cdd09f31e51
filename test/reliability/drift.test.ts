// Drift the service did not cause, on the real engine, reflected within 2 s through Docker events:
// docker pause / unpause (power_state PAUSED and back; Nova keeps vm_state active) and an OOM kill
// (a 16 MiB flavor, a command that doubles a shell string until the kernel kills it → SHUTOFF,
// Docker's State.OOMKilled true). docker kill and docker rm are in test/docker/drift.test.ts.
// Fails (never skips) without Docker.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type BuiltApp } from '../../src/app.js';
import { testConfig } from '../../src/config.js';
import { passwordToken, ADMIN_PASSWORD } from '../helpers/app.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';
import { requireDocker, TEST_IMAGE } from '../docker/driver-helpers.js';
import { bootActiveServer, msUntil } from '../helpers/docker-app.js';

const S = '/compute/v2.1/servers';
const docker = (...args: string[]) =>
  execFileSync('docker', args, { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] }).trim();

let built: BuiltApp;
let http: ReturnType<typeof request>;
let token: string;
let dataDir: string;
let plainImage: string;
let hogImage: string;
const created: string[] = [];

beforeAll(async () => {
  await requireDocker();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ndrel-drift-'));
  const tar = path.join(dataDir, 'busybox.tar');
  docker('image', 'save', TEST_IMAGE, '-o', tar);
  // Events only (periodic sync off): what is measured is the event path.
  built = await buildApp({
    config: testConfig({ computeDriver: 'docker', dataDir, stopTimeoutSeconds: 1, powerSyncIntervalSeconds: 0 }),
    background: true,
    logger: false,
  });
  await built.app.ready();
  http = request(built.app.server);
  token = await passwordToken(http, 'admin', ADMIN_PASSWORD, 'admin');
  await unlimitedQuota(built.services);
  const data = fs.readFileSync(tar);
  plainImage = (await seedImage(built.services, { name: 'busybox', data })).id;
  // PID 1 sleeps a moment (so the server reaches ACTIVE), then eats memory until the OOM killer.
  hogImage = (
    await seedImage(built.services, {
      name: 'hog',
      data,
      properties: { os_command_line: "sh -c 'sleep 2; x=a; while true; do x=$x$x; done'" },
    })
  ).id;
  const fl = await http
    .post('/compute/v2.1/flavors')
    .set('X-Auth-Token', token)
    .send({ flavor: { name: 'rel.16m', ram: 16, vcpus: 1, disk: 1, id: 'rel-16m' } });
  expect(fl.status, JSON.stringify(fl.body)).toBe(200);
}, 60_000);

afterAll(async () => {
  for (const id of created) {
    try {
      docker('rm', '-f', `nova-${id}`);
    } catch {
      /* gone */
    }
  }
  await built?.app.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

const get = (id: string) =>
  http.get(`${S}/${id}`).set('X-Auth-Token', token).set('OpenStack-API-Version', 'compute 2.79');

const boot = (imageRef: string, flavorRef: string) =>
  bootActiveServer(http, token, { name: 'drift-rel', imageRef, flavorRef }, created);
const within = (ms: number, id: string, pred: (s: Record<string, unknown>) => boolean) =>
  msUntil(http, token, id, ms, pred);

describe("drift behind the service's back", { timeout: 90_000 }, () => {
  it('docker pause → power_state PAUSED within 2 s; docker unpause → RUNNING within 2 s', async () => {
    const id = await boot(plainImage, '1');
    docker('pause', `nova-${id}`);
    const paused = await within(2000, id, (s) => s['OS-EXT-STS:power_state'] === 3);
    expect((await get(id)).body.server['OS-EXT-STS:vm_state']).toBe('active'); // Nova's sync table: power_state only
    docker('unpause', `nova-${id}`);
    const resumed = await within(2000, id, (s) => s['OS-EXT-STS:power_state'] === 1);
    console.info(`[reliability] drift: docker pause reflected in ${paused} ms, unpause in ${resumed} ms`);
  });

  it('OOM kill of a 16 MiB server → SHUTOFF within 2 s of the kill', async () => {
    const id = await boot(hogImage, 'rel-16m');
    // Wait (bounded) for the kernel's OOM kill as Docker records it.
    const deadline = Date.now() + 20_000;
    let state = '';
    for (;;) {
      state = docker('inspect', '-f', '{{.State.Status}} {{.State.OOMKilled}}', `nova-${id}`);
      if (state.startsWith('exited')) break;
      if (Date.now() > deadline) throw new Error(`no OOM kill within 20 s (${state})`);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(state).toBe('exited true');
    const ms = await within(2000, id, (s) => s.status === 'SHUTOFF');
    const s = (await get(id)).body.server;
    expect(s['OS-EXT-STS:vm_state']).toBe('stopped');
    expect(s['OS-EXT-STS:task_state']).toBeNull();
    expect([4, 6]).toContain(s['OS-EXT-STS:power_state']);
    console.info(
      `[reliability] drift: OOM kill (docker State.OOMKilled=true) → SHUTOFF ${ms} ms after docker showed it exited`,
    );
  });
});
