// Races, in-process (fake driver, real HTTP stack, concurrent requests): conflicting actions on
// one server have exactly one winner and 409s for the rest; delete (which Nova allows in any state)
// always wins and leaves nothing; concurrent creates never exceed the quota; a delete during a
// build leaves no container, no task and no quota use. Every round is bounded in count.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, makeProjectUser, type TestApp } from '../helpers/app.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';
import type { ImageRow } from '../../src/db/repositories/images-repo.js';
import { prng } from './helpers/fuzz.js';
import { sql } from '../../src/db/sql.js';

const S = '/compute/v2.1/servers';
const ROUNDS = 10;
// How long the fake "Docker" takes per action: far longer than the spread of the concurrent
// requests on a loaded machine, so the winner still holds its task_state when the others arrive.
const DOCKER_MS = 800;
let t: TestApp;
let image: ImageRow;

beforeAll(async () => {
  t = await makeTestApp({ stopTimeoutSeconds: 0 });
  image = await seedImage(t.services);
  await unlimitedQuota(t.services);
});
afterAll(async () => {
  await t?.close();
});

const post = (url: string, body: unknown, token = t.adminToken) =>
  t.http
    .post(url)
    .set('X-Auth-Token', token)
    .set('OpenStack-API-Version', 'compute 2.79')
    .send(body as object);
const del = (id: string, token = t.adminToken) =>
  t.http.delete(`${S}/${id}`).set('X-Auth-Token', token).set('OpenStack-API-Version', 'compute 2.79');

async function boot(token = t.adminToken): Promise<string> {
  const r = await post(S, { server: { name: 'race', imageRef: image.id, flavorRef: '1', networks: 'none' } }, token);
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  await t.services.worker.drain();
  return r.body.server.id;
}

function shuffle<T>(xs: T[], rnd: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i -= 1) {
    const j = Math.floor(rnd() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

async function taskRows(uuid: string): Promise<number> {
  return Number(
    (await sql(t.services.db)('compute_tasks').where({ instance_uuid: uuid }).count<{ n: number }[]>({ n: '*' }))[0].n,
  );
}

describe('conflicting actions on one server', () => {
  it("stop + soft reboot + pause at once: exactly one 202, the others 409 with Nova's message", async () => {
    const rnd = prng(7);
    for (let round = 0; round < ROUNDS; round += 1) {
      const id = await boot();
      // Docker takes its time: the winner still holds its task_state when the others arrive.
      for (const op of ['powerOff', 'reboot', 'pause'] as const) t.fake.delay(op, DOCKER_MS);
      // SOFT reboot: a HARD one may overtake pausing/suspending, as in Nova (task_states.ALLOW_REBOOT).
      const actions = shuffle([{ 'os-stop': null }, { reboot: { type: 'SOFT' } }, { pause: null }], rnd);
      const res = await Promise.all(actions.map((a) => post(`${S}/${id}/action`, a)));
      const codes = res.map((r) => r.status).sort();
      expect(codes, JSON.stringify(res.map((r) => r.body))).toEqual([202, 409, 409]);
      for (const r of res.filter((x) => x.status === 409))
        expect(r.body.conflictingRequest.message).toMatch(/^Cannot '\w+' instance .* while it is in (task|vm)_state/);
      await t.services.worker.drain();
      const s = (await t.http.get(`${S}/${id}`).set('X-Auth-Token', t.adminToken)).body.server;
      expect(['SHUTOFF', 'ACTIVE', 'PAUSED']).toContain(s.status);
      expect(s['OS-EXT-STS:task_state']).toBeNull();
      // The winner's result is what the driver shows.
      const info = await t.fake.getInfo(id);
      expect({ SHUTOFF: 'exited', ACTIVE: 'running', PAUSED: 'paused' }[s.status as string]).toBe(info.status);
      t.fake.clearInjections();
      await del(id);
      await t.services.worker.drain();
    }
  });

  it('stop + delete + reboot at once: delete always wins, at most one of the others is accepted, nothing is left', async () => {
    const rnd = prng(11);
    for (let round = 0; round < ROUNDS; round += 1) {
      const id = await boot();
      for (const op of ['powerOff', 'reboot', 'destroy'] as const) t.fake.delay(op, DOCKER_MS);
      const calls = shuffle(
        [
          () => post(`${S}/${id}/action`, { 'os-stop': null }),
          () => del(id),
          () => post(`${S}/${id}/action`, { reboot: { type: 'SOFT' } }),
        ],
        rnd,
      );
      const res = await Promise.all(calls.map((c) => c()));
      const byReq = res.map((r) => r.status);
      expect(byReq).toContain(204);
      const others = byReq.filter((c) => c !== 204);
      expect(others.filter((c) => c === 202).length).toBeLessThanOrEqual(1);
      for (const c of others) expect([202, 409]).toContain(c);
      await t.services.worker.drain();
      t.fake.clearInjections();
      expect((await t.http.get(`${S}/${id}`).set('X-Auth-Token', t.adminToken)).status).toBe(404);
      expect((await t.fake.getInfo(id)).status).toBe('missing');
      expect(await taskRows(id)).toBe(0);
    }
  });
});

describe('creates and deletes racing', () => {
  it('concurrent creates never exceed the quota', async () => {
    const u = await makeProjectUser(t, 'raceq', 'member');
    const now = new Date().toISOString();
    await sql(t.services.db)('quotas')
      .insert({ project_id: u.projectId, resource: 'instances', hard_limit: 3, created_at: now, updated_at: null })
      .onConflict(['project_id', 'resource'])
      .merge({ hard_limit: 3 });
    const res = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        post(S, { server: { name: `q${i}`, imageRef: image.id, flavorRef: '1', networks: 'none' } }, u.token),
      ),
    );
    const codes = res.map((r) => r.status);
    expect(codes.filter((c) => c === 202)).toHaveLength(3);
    expect(codes.filter((c) => c === 403)).toHaveLength(9);
    await t.services.worker.drain();
    const live = await sql(t.services.db)('instances')
      .where({ project_id: u.projectId, deleted: false })
      .count<{ n: number }[]>({ n: '*' });
    expect(Number(live[0].n)).toBe(3);
    for (const r of res.filter((x) => x.status === 202)) await del(r.body.server.id, u.token);
    await t.services.worker.drain();
  });

  it('a delete during the build leaves nothing behind (container, task, quota)', async () => {
    for (let round = 0; round < 5; round += 1) {
      t.fake.delay('spawn', 50);
      const r = await post(S, { server: { name: 'del-build', imageRef: image.id, flavorRef: '1', networks: 'none' } });
      expect(r.status).toBe(202);
      const id = r.body.server.id;
      await new Promise((res) => setTimeout(res, 10 + round * 10)); // the build is under way (or about to be)
      expect((await del(id)).status).toBe(204);
      await t.services.worker.drain();
      t.fake.clearInjections();
      expect((await t.http.get(`${S}/${id}`).set('X-Auth-Token', t.adminToken)).status).toBe(404);
      expect((await t.fake.getInfo(id)).status).toBe('missing');
      expect(await taskRows(id)).toBe(0);
      const row = await sql(t.services.db)('instances').where({ uuid: id }).first();
      expect(Boolean(row.deleted)).toBe(true);
    }
  });
});
