// Server actions on the fake driver: the dispatcher's 400s, each power action's 202/409 rules and
// state transitions, lock/unlock, console output, and the instance-action rows they leave.
import fs from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';
import type { ImageRow } from '../../src/db/repositories/images-repo.js';
import { DriverError } from '../../src/errors.js';
import { GOLDEN_DIR } from '../helpers/golden.js';

const GOLDEN = GOLDEN_DIR;
const golden = (f: string) => JSON.parse(fs.readFileSync(`${GOLDEN}/${f}`, 'utf8')).response;

let t: TestApp;
let image: ImageRow;
const S = '/compute/v2.1/servers';

beforeAll(async () => {
  t = await makeTestApp({ stopTimeoutSeconds: 1 });
  image = await seedImage(t.services, { properties: { os_shutdown_timeout: '3' } });
  await unlimitedQuota(t.services);
});
afterAll(async () => {
  await t.close();
});
beforeEach(() => t.fake.clearInjections());

const as = (token: string, version = '2.1') => ({
  del: (url: string) =>
    t.http.delete(url).set('X-Auth-Token', token).set('OpenStack-API-Version', `compute ${version}`),
  post: (url: string, body: unknown) =>
    t.http
      .post(url)
      .set('X-Auth-Token', token)
      .set('OpenStack-API-Version', `compute ${version}`)
      .send(body as object),
  get: (url: string) => t.http.get(url).set('X-Auth-Token', token).set('OpenStack-API-Version', `compute ${version}`),
});
const admin = (v = '2.1') => as(t.adminToken, v);

async function boot(token = t.adminToken): Promise<string> {
  const res = await as(token, '2.79').post(S, {
    server: { name: 'vm', imageRef: image.id, flavorRef: '1', networks: 'none' },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  await t.services.worker.drain();
  return res.body.server.id;
}
async function show(id: string, token = t.adminToken, v = '2.79') {
  return (await as(token, v).get(`${S}/${id}`)).body.server as Record<string, unknown>;
}
/** POST the action and wait for the worker. */
async function act(id: string, body: unknown, token = t.adminToken, v = '2.1') {
  const res = await as(token, v).post(`${S}/${id}/action`, body);
  await t.services.worker.drain();
  return res;
}
const state = (s: Record<string, unknown>) => [s.status, s['OS-EXT-STS:task_state'], s['OS-EXT-STS:power_state']];

describe('dispatch (nova wsgi.action_peek)', () => {
  it('an unknown action is 400 "There is no such action" (golden)', async () => {
    const id = await boot();
    const res = await admin().post(`${S}/${id}/action`, { bogusAction: null });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(golden('action_unknown_400.json').body);
  });
  it('zero or several keys, or a non-object body, are 400 "Malformed request body"', async () => {
    const id = await boot();
    for (const body of [{}, { pause: null, unpause: null }, [1], 'x']) {
      const res = await admin().post(`${S}/${id}/action`, body).set('Content-Type', 'application/json');
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.badRequest.message).toBe('Malformed request body');
    }
  });
  it("an action on a missing server is 404; another project's server is 404 too", async () => {
    const res = await admin().post(`${S}/00000000-0000-0000-0000-000000000000/action`, { pause: null });
    expect(res.status).toBe(404);
    const id = await boot();
    const other = await makeProjectUser(t, 'actions-other');
    expect((await as(other.token).post(`${S}/${id}/action`, { pause: null })).status).toBe(404);
  });
  it('a reader may not act (403)', async () => {
    const reader = await makeProjectUser(t, 'actions-readers', 'reader');
    const member = await makeProjectUser(t, 'actions-readers', 'member');
    const id = await boot(member.token);
    expect((await as(reader.token).post(`${S}/${id}/action`, { 'os-stop': null })).status).toBe(403);
  });
});

describe('stop / start', () => {
  it('os-stop → SHUTOFF (power 4), os-start → ACTIVE (power 1); golden 202s and 409s', async () => {
    const id = await boot();
    const spy = vi.spyOn(t.fake, 'powerOff');
    const stop = await act(id, { 'os-stop': null });
    expect(stop.status).toBe(golden('action_stop_202.json').status);
    expect(stop.text).toBe('');
    // the image's os_shutdown_timeout wins over the configured default
    expect(spy).toHaveBeenCalledWith(id, 3);
    spy.mockRestore();
    expect(state(await show(id))).toEqual(['SHUTOFF', null, 4]);
    expect((await t.fake.getInfo(id)).status).toBe('exited');
    const again = await act(id, { 'os-stop': null });
    expect(again.status).toBe(409);
    expect(again.body.conflictingRequest.message).toBe(`Cannot 'stop' instance ${id} while it is in vm_state stopped`);
    expect((await act(id, { pause: null })).body).toEqual({
      conflictingRequest: {
        code: 409,
        message: golden('action_pause_when_shutoff_409.json').body.conflictingRequest.message.replace(
          /e7fcd042-[0-9a-f-]+/,
          id,
        ),
      },
    });
    expect((await act(id, { 'os-start': null })).status).toBe(golden('action_start_202.json').status);
    expect(state(await show(id))).toEqual(['ACTIVE', null, 1]);
    const started = await act(id, { 'os-start': null });
    expect(started.status).toBe(409);
    expect(started.body.conflictingRequest.message).toBe(
      `Cannot 'start' instance ${id} while it is in vm_state active`,
    );
  });

  it('while a task runs, another action is 409 on task_state; the status shows the transition', async () => {
    const id = await boot();
    t.fake.delay('powerOff', 1500);
    const res = await admin().post(`${S}/${id}/action`, { 'os-stop': null });
    expect(res.status).toBe(202);
    const during = await show(id);
    expect([during.status, during['OS-EXT-STS:task_state']]).toEqual(['ACTIVE', 'powering-off']);
    const busy = await admin().post(`${S}/${id}/action`, { pause: null });
    expect(busy.status).toBe(409);
    expect(busy.body.conflictingRequest.message).toBe(
      `Cannot 'pause' instance ${id} while it is in task_state powering-off`,
    );
    await t.services.worker.drain();
    expect(state(await show(id))).toEqual(['SHUTOFF', null, 4]);
  });

  it('a driver failure records a fault, reverts task_state and leaves vm_state as it was', async () => {
    const id = await boot();
    t.fake.failNext('powerOff', new DriverError('engine said no'));
    expect((await act(id, { 'os-stop': null })).status).toBe(202);
    expect(state(await show(id))).toEqual(['ACTIVE', null, 1]);
    const fault = await t.services.instanceFaultsRepo.latest(id);
    expect(fault?.message).toBe('engine said no');
  });

  it('a server whose container disappeared goes ERROR with the fault "container missing"', async () => {
    const id = await boot();
    t.fake.simulateRemove(id);
    expect((await act(id, { 'os-stop': null })).status).toBe(202);
    const s = await show(id);
    expect(state(s)).toEqual(['ERROR', null, 0]);
    expect((s.fault as { message: string }).message).toMatch(/container missing/);
    // ERROR allows stop (nova) and a hard reboot, which also finds no container
    expect((await act(id, { reboot: { type: 'HARD' } })).status).toBe(202);
    expect((await show(id)).status).toBe('ERROR');
  });
});

describe('reboot', () => {
  it('SOFT from ACTIVE → ACTIVE; the type is case-insensitive; a bad type is the golden 400', async () => {
    const id = await boot();
    const spy = vi.spyOn(t.fake, 'reboot');
    expect((await act(id, { reboot: { type: 'SOFT' } })).status).toBe(golden('action_reboot_soft_202.json').status);
    expect((await act(id, { reboot: { type: 'hard' } })).status).toBe(202);
    expect(spy.mock.calls.map((c) => (c as unknown[])[1])).toEqual(['SOFT', 'HARD']);
    spy.mockRestore();
    expect(state(await show(id))).toEqual(['ACTIVE', null, 1]);
    const bad = await act(id, { reboot: { type: 'MEDIUM' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual(golden('action_bad_reboot_type_400.json').body);
    expect((await act(id, { reboot: {} })).status).toBe(400);
  });

  it('shows REBOOT / HARD_REBOOT while it runs; a HARD reboot may overtake a SOFT one, not the reverse', async () => {
    const id = await boot();
    t.fake.delay('reboot', 1500);
    await admin().post(`${S}/${id}/action`, { reboot: { type: 'SOFT' } });
    expect((await show(id)).status).toBe('REBOOT');
    const soft = await admin().post(`${S}/${id}/action`, { reboot: { type: 'SOFT' } });
    expect(soft.status).toBe(409);
    expect((await admin().post(`${S}/${id}/action`, { reboot: { type: 'HARD' } })).status).toBe(202);
    expect((await show(id)).status).toBe('HARD_REBOOT');
    await t.services.worker.drain();
    expect(state(await show(id))).toEqual(['ACTIVE', null, 1]);
  });

  it('SOFT is refused from SHUTOFF; HARD starts a stopped server', async () => {
    const id = await boot();
    await act(id, { 'os-stop': null });
    const soft = await act(id, { reboot: { type: 'SOFT' } });
    expect(soft.status).toBe(409);
    expect(soft.body.conflictingRequest.message).toBe(`Cannot 'reboot' instance ${id} while it is in vm_state stopped`);
    expect((await act(id, { reboot: { type: 'HARD' } })).status).toBe(202);
    expect(state(await show(id))).toEqual(['ACTIVE', null, 1]);
    expect((await t.fake.getInfo(id)).status).toBe('running');
  });
});

describe('pause / suspend', () => {
  it('pause → PAUSED (3), unpause → ACTIVE; suspend → SUSPENDED (7), resume → ACTIVE; wrong states 409', async () => {
    const id = await boot();
    expect((await act(id, { pause: null })).status).toBe(golden('action_pause_202.json').status);
    expect(state(await show(id))).toEqual(['PAUSED', null, 3]);
    expect((await t.fake.getInfo(id)).status).toBe('paused');
    expect((await act(id, { suspend: null })).status).toBe(409);
    expect((await act(id, { resume: null })).status).toBe(409);
    expect((await act(id, { unpause: null })).status).toBe(golden('action_unpause_202.json').status);
    expect(state(await show(id))).toEqual(['ACTIVE', null, 1]);
    expect((await act(id, { unpause: null })).body.conflictingRequest.message).toBe(
      `Cannot 'unpause' instance ${id} while it is in vm_state active`,
    );
    expect((await act(id, { suspend: null })).status).toBe(202);
    expect(state(await show(id))).toEqual(['SUSPENDED', null, 7]);
    expect((await t.fake.getInfo(id)).status).toBe('paused');
    expect((await act(id, { pause: null })).status).toBe(409);
    expect((await act(id, { resume: null })).status).toBe(202);
    expect(state(await show(id))).toEqual(['ACTIVE', null, 1]);
  });

  it('stop of a PAUSED server is 409 (nova: ACTIVE or ERROR only); HARD reboot of a PAUSED one → ACTIVE', async () => {
    const id = await boot();
    await act(id, { pause: null });
    expect((await act(id, { 'os-stop': null })).status).toBe(409);
    expect((await act(id, { reboot: { type: 'HARD' } })).status).toBe(202);
    expect(state(await show(id))).toEqual(['ACTIVE', null, 1]);
  });
});

describe('lock / unlock', () => {
  it("a locked server refuses a member's actions (409) but not the admin's; the owner unlocks its own lock", async () => {
    const owner = await makeProjectUser(t, 'actions-lock');
    const id = await boot(owner.token);
    expect((await act(id, { lock: null }, owner.token)).status).toBe(202);
    const s = await show(id, owner.token, '2.73');
    expect([s.locked, s.locked_reason]).toEqual([true, null]);
    const refused = await act(id, { 'os-stop': null }, owner.token);
    expect(refused.status).toBe(409);
    expect(refused.body.conflictingRequest.message).toBe(`Instance ${id} is locked`);
    expect((await as(owner.token).del(`${S}/${id}`)).status).toBe(409);
    expect((await act(id, { unlock: null }, owner.token)).status).toBe(202);
    expect((await show(id, owner.token, '2.73')).locked).toBe(false);
    expect((await act(id, { 'os-stop': null }, owner.token)).status).toBe(202);
  });

  it("locked_reason from 2.73 (400 before it is allowed shapes); an admin's lock needs an admin to unlock (403)", async () => {
    const owner = await makeProjectUser(t, 'actions-lock2');
    const id = await boot(owner.token);
    expect((await act(id, { lock: { locked_reason: 'maintenance' } }, t.adminToken, '2.73')).status).toBe(202);
    const s = await show(id, owner.token, '2.73');
    expect([s.locked, s.locked_reason]).toEqual([true, 'maintenance']);
    expect((await act(id, { lock: { locked_reason: 'x', other: 1 } }, t.adminToken, '2.73')).status).toBe(400);
    // the admin may still act on it
    expect((await act(id, { pause: null })).status).toBe(202);
    const denied = await act(id, { unlock: null }, owner.token);
    expect(denied.status).toBe(403);
    expect(denied.body.forbidden.message).toMatch(/unlock_override/);
    expect((await act(id, { unlock: null })).status).toBe(202);
    expect((await show(id, owner.token, '2.73')).locked_reason).toBe(null);
  });
});

describe('os-getConsoleOutput', () => {
  it('200 {"output"} with what the container printed; length as int, numeric string, null, absent, -1, 0', async () => {
    const id = await boot();
    t.fake.print(id, 'one\ntwo\nthree\nfour\n');
    const all = await t.fake.getConsoleOutput(id);
    const out = async (body: unknown) => {
      const res = await admin().post(`${S}/${id}/action`, { 'os-getConsoleOutput': body });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(Object.keys(res.body)).toEqual(['output']);
      return res.body.output as string;
    };
    expect(await out({})).toBe(all);
    expect(await out({ length: null })).toBe(all);
    expect(await out({ length: -1 })).toBe(all);
    expect(await out({ length: 2 })).toBe('three\nfour\n');
    expect(await out({ length: '1' })).toBe('four\n');
    expect(await out({ length: 0 })).toBe('');
    for (const bad of [{ length: 'abc' }, { length: -2 }, { length: 1.5 }, { other: 1 }]) {
      const res = await admin().post(`${S}/${id}/action`, { 'os-getConsoleOutput': bad });
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
  });

  it('control characters are removed; a server without a container is 409', async () => {
    const id = await boot();
    t.fake.print(id, 'a\x1b[0mb\r\n');
    const res = await admin().post(`${S}/${id}/action`, { 'os-getConsoleOutput': {} });
    expect(res.body.output).toContain('a[0mb\n');
    t.fake.failNext('spawn', new DriverError('no'));
    const broken = await boot();
    const r2 = await admin().post(`${S}/${broken}/action`, { 'os-getConsoleOutput': {} });
    expect(r2.status).toBe(409);
    expect(r2.body.conflictingRequest.message).toBe(`Instance ${broken} is not ready`);
    // a failed build never launched: power actions are refused as Nova's must_have_launched
    const stop = await admin().post(`${S}/${broken}/action`, { 'os-stop': null });
    expect(stop.status).toBe(409);
    expect(stop.body.conflictingRequest.message).toBe(
      `Cannot 'stop' instance ${broken} while it is in launched_at None`,
    );
    // a container that disappeared behind our back (drift) is not ready either
    t.fake.simulateRemove(id);
    const r3 = await admin().post(`${S}/${id}/action`, { 'os-getConsoleOutput': {} });
    expect(r3.status).toBe(409);
  });
});

describe('instance actions recorded', () => {
  it("every action leaves a row with its user and project, and the worker's event with its result", async () => {
    const id = await boot();
    await act(id, { 'os-stop': null });
    t.fake.failNext('powerOn', new DriverError('boom'));
    await act(id, { 'os-start': null });
    await act(id, { lock: null });
    const rows = await t.services.instanceActionsRepo.listFor(id);
    expect(rows.map((r) => r.action)).toEqual(['lock', 'start', 'stop', 'create']);
    const [lock, start, stop] = rows;
    expect(lock.project_id).toBeTruthy();
    expect((await t.services.instanceActionsRepo.events(stop.id)).map((e) => [e.event, e.result])).toEqual([
      ['compute_stop_instance', 'Success'],
    ]);
    expect((await t.services.instanceActionsRepo.events(start.id)).map((e) => [e.event, e.result])).toEqual([
      ['compute_start_instance', 'Error'],
    ]);
    expect(start.message).toBe('Error');
  });
});
