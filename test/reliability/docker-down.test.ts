// Docker down, for real, on a private second dockerd (helpers/second-engine.ts; the shared main
// engine is never touched). With the engine stopped (SIGTERM, --live-restore: containers keep
// running): reads keep working, os-services shows nova-compute down, a create goes to ERROR with a
// fault, a power action is refused (409, "Compute service of … is unavailable"). A container that dies while the engine
// is down sends no event; when the engine returns the service reconnects its event stream (with
// backoff), re-lists the containers and reconciles that server within 10 s.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type BuiltApp } from '../../src/app.js';
import { testConfig } from '../../src/config.js';
import { passwordToken, ADMIN_PASSWORD } from '../helpers/app.js';
import { seedImage, unlimitedQuota, waitForStatus } from '../helpers/servers.js';
import { requireDocker, TEST_IMAGE } from '../docker/driver-helpers.js';
import { ENGINE_URL, SecondEngine, engineCli, prepareEngineDir } from './helpers/second-engine.js';

const S = '/compute/v2.1/servers';
const engine = new SecondEngine();
let built: BuiltApp;
let http: ReturnType<typeof request>;
let token: string;
let dataDir: string;
let imageId: string;

beforeAll(async () => {
  await requireDocker();
  prepareEngineDir();
  await engine.start();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ndrel-down-'));
  const tar = path.join(dataDir, 'busybox.tar');
  execFileSync('docker', ['image', 'save', TEST_IMAGE, '-o', tar], { timeout: 60_000 });
  engineCli('load', '-i', tar);
  built = await buildApp({
    config: testConfig({
      computeDriver: 'docker',
      dockerHost: ENGINE_URL,
      dataDir,
      stopTimeoutSeconds: 1,
      powerSyncIntervalSeconds: 0,
      heartbeatIntervalSeconds: 1,
      dockerTimeoutMs: 3000,
    }),
    background: true,
    logger: false,
  });
  await built.app.ready();
  http = request(built.app.server);
  token = await passwordToken(http, 'admin', ADMIN_PASSWORD, 'admin');
  await unlimitedQuota(built.services);
  imageId = (await seedImage(built.services, { name: 'busybox', data: fs.readFileSync(tar) })).id;
}, 90_000);

afterAll(async () => {
  await built?.app.close().catch(() => undefined);
  await engine.destroy();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

const get = (p: string) => http.get(p).set('X-Auth-Token', token).set('OpenStack-API-Version', 'compute 2.79');
const post = (p: string, body: unknown) =>
  http
    .post(p)
    .set('X-Auth-Token', token)
    .set('OpenStack-API-Version', 'compute 2.79')
    .send(body as object);

async function boot(name: string): Promise<string> {
  const r = await post(S, { server: { name, imageRef: imageId, flavorRef: '1', networks: 'none' } });
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  await waitForStatus(() => get(`${S}/${r.body.server.id}`), 'ACTIVE', 30_000);
  return r.body.server.id;
}

async function until<T>(ms: number, fn: () => Promise<T | undefined>): Promise<{ value: T; ms: number }> {
  const t0 = Date.now();
  for (;;) {
    const v = await fn();
    if (v !== undefined) return { value: v, ms: Date.now() - t0 };
    if (Date.now() - t0 > ms) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function computeState(): Promise<string> {
  const r = await get('/compute/v2.1/os-services?binary=nova-compute');
  return r.body.services.map((s: { state: string }) => s.state).join(',');
}

describe('the Docker engine goes away and comes back', () => {
  it('reads work, compute is down, creates fail with a fault, and everything is reconciled on return', async () => {
    const keep = await boot('keeps-running');
    const dies = await boot('dies-while-down');
    const diesPid = Number(engineCli('inspect', '-f', '{{.State.Pid}}', `nova-${dies}`));
    expect(diesPid).toBeGreaterThan(0);
    const connectsBefore = [...built.services.drift.eventWatcher.connects.values()].reduce((a, b) => a + b, 0);

    await engine.stop('SIGTERM');

    // Reads keep working.
    expect((await get(`${S}/${keep}`)).status).toBe(200);
    expect((await get(`${S}/detail`)).status).toBe(200);
    // os-services: the compute service is down (two missed 1 s heartbeats).
    const down = await until(10_000, async () => ((await computeState()) === 'down' ? true : undefined));
    // A create goes to ERROR with a fault that says why.
    const c = await post(S, { server: { name: 'while-down', imageRef: imageId, flavorRef: '1', networks: 'none' } });
    expect(c.status).toBe(202);
    const failed = await waitForStatus(() => get(`${S}/${c.body.server.id}`), 'ERROR', 20_000);
    const fault = (failed.server as { fault?: { message: string } }).fault;
    expect(fault?.message).toBeTruthy();
    // A power action is refused at once with the reason (no task that could only fail).
    const stop = await post(`${S}/${keep}/action`, { 'os-stop': null });
    expect(stop.status).toBe(409);
    expect(stop.body.conflictingRequest.message).toMatch(/Compute service of .+ is unavailable at this time/);
    const stopOutcome = `${stop.status} "${stop.body.conflictingRequest.message}"`;
    expect((await get(`${S}/${keep}`)).body.server['OS-EXT-STS:task_state']).toBeNull();

    // The container of `dies` ends while the engine is down: Docker will never send its `die`.
    process.kill(diesPid, 'SIGKILL');

    await engine.start();
    const t0 = Date.now();
    const shutoff = await until(10_000, async () =>
      (await get(`${S}/${dies}`)).body.server.status === 'SHUTOFF' ? true : undefined,
    );
    const up = await until(10_000, async () => ((await computeState()) === 'up' ? true : undefined));
    const connectsAfter = [...built.services.drift.eventWatcher.connects.values()].reduce((a, b) => a + b, 0);
    expect(connectsAfter).toBeGreaterThan(connectsBefore);
    expect((await get(`${S}/${keep}`)).body.server.status).toBe('ACTIVE');
    expect(engineCli('inspect', '-f', '{{.State.Status}}', `nova-${keep}`)).toBe('running');
    console.info(
      `[reliability] docker down: compute down after ${down.ms} ms; create → ERROR (${fault?.message}); os-stop → ${stopOutcome}; ` +
        `after the engine returned: died-while-down server SHUTOFF in ${shutoff.ms} ms, compute up ${up.ms} ms later (total ${Date.now() - t0} ms)`,
    );
  }, 150_000);
});
