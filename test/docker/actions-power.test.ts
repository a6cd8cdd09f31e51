// Server actions on the real Docker Engine: each action's real effect on the container, and after
// every step `docker inspect` agrees with the server's status and power_state. One server walks
// the whole cycle (fast: stop timeout 1 s). Fails (does not skip) when Docker is missing.
import type request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuiltApp } from '../../src/app.js';
import { makeProjectUser, type TestApp } from '../helpers/app.js';
import { startDockerTestApp, removeServerContainers, docker, type DockerTestApp } from '../helpers/docker-app.js';
import { seedImage, unlimitedQuota, waitForStatus } from '../helpers/servers.js';

const S = '/compute/v2.1/servers';
const inspect = (id: string) =>
  JSON.parse(docker('inspect', `nova-${id}`))[0] as {
    Id: string;
    State: { Status: string; Running: boolean; Paused: boolean; StartedAt: string; Pid: number };
  };

let built: BuiltApp;
let http: ReturnType<typeof request>;
let token: string;
let member: { token: string };
let id: string;

let app: DockerTestApp;
beforeAll(async () => {
  app = await startDockerTestApp('actions-docker');
  ({ built, http, token } = app);
  member = await makeProjectUser({ services: built.services, http } as unknown as TestApp, 'docker-actions');
  await unlimitedQuota(built.services, 'docker-actions');
  // A process that prints a line a second: console output and freezing become observable.
  const image = await seedImage(built.services, {
    name: 'busybox',
    data: app.tarball,
    properties: {
      os_command_line:
        "sh -c 'echo hello-from-the-console; i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.2; done'",
    },
  });
  const res = await http
    .post(S)
    .set('X-Auth-Token', member.token)
    .set('OpenStack-API-Version', 'compute 2.79')
    .send({ server: { name: 'actions', imageRef: image.id, flavorRef: '1', networks: 'none' } });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  id = res.body.server.id;
  await waitForStatus(() => get(), 'ACTIVE', 60_000);
}, 120_000);

afterAll(async () => {
  if (id) removeServerContainers([id]);
  await app?.close();
});

const get = (v = '2.79') =>
  http.get(`${S}/${id}`).set('X-Auth-Token', token).set('OpenStack-API-Version', `compute ${v}`);
async function act(body: unknown, as = token) {
  const res = await http
    .post(`${S}/${id}/action`)
    .set('X-Auth-Token', as)
    .send(body as object);
  await built.services.worker.drain();
  return res;
}
/** The server's status and power_state, checked against what Docker says about the container. */
async function agreed(): Promise<{ status: string; power: number; docker: ReturnType<typeof inspect> }> {
  const s = (await get()).body.server;
  const d = inspect(id);
  expect(s['OS-EXT-STS:task_state']).toBe(null);
  const expected: Record<string, [string, number]> = {
    ACTIVE: ['running', 1],
    SHUTOFF: ['exited', 4],
    PAUSED: ['paused', 3],
    SUSPENDED: ['paused', 7],
  };
  expect([d.State.Status, s['OS-EXT-STS:power_state']], `status ${s.status}`).toEqual(expected[s.status]);
  return { status: s.status, power: s['OS-EXT-STS:power_state'], docker: d };
}
const ticks = async () => {
  const out = (await act({ 'os-getConsoleOutput': {} })).body.output as string;
  return (out.match(/tick \d+/g) ?? []).length;
};

describe('power actions on Docker', () => {
  it('console output shows what the process printed, tailed by length', async () => {
    const res = await act({ 'os-getConsoleOutput': {} });
    expect(res.status).toBe(200);
    expect(res.body.output).toContain('hello-from-the-console\n');
    const tail = (await act({ 'os-getConsoleOutput': { length: '2' } })).body.output as string;
    expect(tail.split('\n').filter(Boolean)).toHaveLength(2);
    expect(tail).toMatch(/tick \d+\n$/);
  });

  it('stop really stops the process (SHUTOFF, 4); start runs it again (ACTIVE, 1)', async () => {
    expect((await agreed()).status).toBe('ACTIVE');
    const t0 = Date.now();
    expect((await act({ 'os-stop': null })).status).toBe(202);
    const stopped = await agreed();
    expect(stopped.status).toBe('SHUTOFF');
    expect(stopped.docker.State.Running).toBe(false);
    expect(Date.now() - t0).toBeLessThan(8000);
    expect((await act({ 'os-start': null })).status).toBe(202);
    const started = await agreed();
    expect(started.status).toBe('ACTIVE');
    expect(started.docker.State.Pid).toBeGreaterThan(0);
  });

  it('soft and hard reboot each restart the container (StartedAt changes) and end ACTIVE', async () => {
    const before = inspect(id).State.StartedAt;
    expect((await act({ reboot: { type: 'SOFT' } })).status).toBe(202);
    const afterSoft = await agreed();
    expect(afterSoft.status).toBe('ACTIVE');
    expect(afterSoft.docker.State.StartedAt).not.toBe(before);
    expect((await act({ reboot: { type: 'HARD' } })).status).toBe(202);
    const afterHard = await agreed();
    expect(afterHard.status).toBe('ACTIVE');
    expect(afterHard.docker.State.StartedAt).not.toBe(afterSoft.docker.State.StartedAt);
  });

  it('pause freezes the process (State.Paused, PAUSED 3); unpause thaws it', async () => {
    expect((await act({ pause: null })).status).toBe(202);
    const paused = await agreed();
    expect([paused.status, paused.docker.State.Paused]).toEqual(['PAUSED', true]);
    const n = await ticks();
    await new Promise((r) => setTimeout(r, 700));
    expect(await ticks()).toBe(n); // frozen: nothing printed meanwhile
    expect((await act({ unpause: null })).status).toBe(202);
    const thawed = await agreed();
    expect([thawed.status, thawed.docker.State.Paused]).toEqual(['ACTIVE', false]);
    await new Promise((r) => setTimeout(r, 700));
    expect(await ticks()).toBeGreaterThan(n);
  });

  it("suspend freezes the container's cgroup (SUSPENDED 7); resume → ACTIVE", async () => {
    expect((await act({ suspend: null })).status).toBe(202);
    const s = await agreed();
    expect([s.status, s.docker.State.Paused]).toEqual(['SUSPENDED', true]);
    expect((await act({ resume: null })).status).toBe(202);
    expect((await agreed()).status).toBe('ACTIVE');
  });

  it("a locked server refuses the owner's stop (409) and the container keeps running; unlock lets it through", async () => {
    expect((await act({ lock: null }, member.token)).status).toBe(202);
    const refused = await act({ 'os-stop': null }, member.token);
    expect(refused.status).toBe(409);
    expect(refused.body.conflictingRequest.message).toBe(`Instance ${id} is locked`);
    expect((await agreed()).docker.State.Running).toBe(true);
    expect((await act({ unlock: null }, member.token)).status).toBe(202);
    expect((await act({ 'os-stop': null }, member.token)).status).toBe(202);
    expect((await agreed()).status).toBe('SHUTOFF');
  });

  it("diagnostics (2.48) come from Docker's stats: CPU time grows, memory within the flavor", async () => {
    const diag = async () =>
      (await http.get(`${S}/${id}/diagnostics`).set('X-Auth-Token', token).set('OpenStack-API-Version', 'compute 2.48'))
        .body;
    const a = await diag();
    // driver: one Nova's 2.48 schema allows (docs/compatibility.md); hypervisor: what it really is
    expect(a).toMatchObject({
      state: 'shutdown',
      driver: 'libvirt',
      hypervisor: 'docker',
      num_cpus: 1,
      memory_details: { maximum: 512 },
    });
    await act({ 'os-start': null });
    const b = await diag();
    expect(b.state).toBe('running');
    expect(b.memory_details.used).toBeLessThanOrEqual(512);
    await new Promise((r) => setTimeout(r, 500));
    const c = await diag();
    const cpu = (x: { cpu_details: { time: number }[] }) => x.cpu_details.reduce((n, d) => n + d.time, 0);
    expect(cpu(c)).toBeGreaterThan(0);
    expect(cpu(c)).toBeGreaterThanOrEqual(cpu(b));
    await act({ 'os-stop': null });
    expect((await agreed()).status).toBe('SHUTOFF');
  });

  it('a container removed behind our back: the next action turns the server ERROR with a fault', async () => {
    docker('rm', '-f', `nova-${id}`);
    expect((await act({ 'os-start': null })).status).toBe(202);
    const s = (await get()).body.server;
    expect([s.status, s['OS-EXT-STS:power_state']]).toEqual(['ERROR', 0]);
    expect(s.fault.message).toMatch(/container missing/);
  });
});
