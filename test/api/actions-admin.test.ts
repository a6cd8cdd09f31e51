// Admin and unsupported actions on the fake driver: os-resetState, migrate, os-migrateLive,
// trigger_crash_dump (2.17), changePassword — policy, lock and state checks first, then Nova's answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';
import type { ImageRow } from '../../src/db/repositories/images-repo.js';
import { sql } from '../../src/db/sql.js';

let t: TestApp;
let image: ImageRow;
let member: { token: string };
const S = '/compute/v2.1/servers';

beforeAll(async () => {
  t = await makeTestApp();
  image = await seedImage(t.services);
  await unlimitedQuota(t.services);
  member = await makeProjectUser(t, 'admin-actions');
});
afterAll(async () => {
  await t.close();
});

const as = (token: string, version = '2.1') => ({
  post: (url: string, body: unknown) =>
    t.http
      .post(url)
      .set('X-Auth-Token', token)
      .set('OpenStack-API-Version', `compute ${version}`)
      .send(body as object),
  get: (url: string) => t.http.get(url).set('X-Auth-Token', token).set('OpenStack-API-Version', `compute ${version}`),
});
async function boot(token = member.token): Promise<string> {
  const res = await as(token, '2.79').post(S, {
    server: { name: 'vm', imageRef: image.id, flavorRef: '1', networks: 'none' },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  await t.services.worker.drain();
  return res.body.server.id;
}
async function act(id: string, body: unknown, token = t.adminToken, v = '2.1') {
  const res = await as(token, v).post(`${S}/${id}/action`, body);
  await t.services.worker.drain();
  return res;
}
const show = async (id: string) => (await as(t.adminToken, '2.79').get(`${S}/${id}`)).body.server;

describe('os-resetState', () => {
  it('admin only; sets vm_state and clears task_state; records resetState', async () => {
    const id = await boot();
    const denied = await act(id, { 'os-resetState': { state: 'error' } }, member.token);
    expect(denied.status).toBe(403);
    expect(denied.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:os-admin-actions:reset_state to be performed.",
    );
    await sql(t.services.db)('instances').where({ uuid: id }).update({ task_state: 'powering-off' });
    expect((await act(id, { 'os-resetState': { state: 'error' } })).status).toBe(202);
    expect([(await show(id)).status, (await show(id))['OS-EXT-STS:task_state']]).toEqual(['ERROR', null]);
    expect((await act(id, { 'os-resetState': { state: 'active' } })).status).toBe(202);
    expect((await show(id)).status).toBe('ACTIVE');
    const bad = await act(id, { 'os-resetState': { state: 'stopped' } });
    expect(bad.status).toBe(400);
    expect(bad.body.badRequest.message).toBe(
      "Invalid input for field/attribute state. Value: stopped. 'stopped' is not one of ['active', 'error']",
    );
    const actions = await t.services.instanceActionsRepo.listFor(id);
    expect(actions.filter((a) => a.action === 'resetState')).toHaveLength(2);
  });
});

describe('migrate / os-migrateLive', () => {
  it('admin only; state checked first (409); with one host: 400 "No valid host was found"', async () => {
    const id = await boot();
    expect((await act(id, { migrate: null }, member.token)).status).toBe(403);
    const cold = await act(id, { migrate: null });
    expect(cold.status).toBe(400);
    expect(cold.body.badRequest.message).toBe('No valid host was found. No valid host found for cold migrate');
    const live = await act(id, { 'os-migrateLive': { block_migration: 'auto', host: null } }, t.adminToken, '2.30');
    expect(live.status).toBe(400);
    expect(live.body.badRequest.message).toMatch(/^No valid host was found\./);
    // body rules per version: disk_over_commit is required before 2.25 and unknown from 2.25
    expect((await act(id, { 'os-migrateLive': { block_migration: false, host: null } })).status).toBe(400);
    expect(
      (await act(id, { 'os-migrateLive': { block_migration: false, disk_over_commit: false, host: null } })).body
        .badRequest.message,
    ).toMatch(/^No valid host/);
    expect(
      (
        await act(
          id,
          { 'os-migrateLive': { block_migration: false, disk_over_commit: false, host: null } },
          t.adminToken,
          '2.25',
        )
      ).status,
    ).toBe(400);
    expect((await act(id, { migrate: { host: 'elsewhere' } }, t.adminToken, '2.56')).body.badRequest.message).toBe(
      'Compute host elsewhere could not be found.',
    );
    await act(id, { pause: null });
    const paused = await act(id, { migrate: null });
    expect(paused.status).toBe(409);
    expect(paused.body.conflictingRequest.message).toBe(
      `Cannot 'migrate' instance ${id} while it is in vm_state paused`,
    );
  });
});

describe('trigger_crash_dump', () => {
  it('404 before 2.17; from 2.17 state and lock checks, then 400 "not supported"', async () => {
    const id = await boot();
    expect((await act(id, { trigger_crash_dump: null }, member.token, '2.16')).status).toBe(404);
    const res = await act(id, { trigger_crash_dump: null }, member.token, '2.17');
    expect(res.status).toBe(400);
    expect(res.body.badRequest.message).toBe('Triggering crash dump is not supported');
    expect((await act(id, { trigger_crash_dump: {} }, member.token, '2.17')).status).toBe(400);
    await act(id, { 'os-stop': null }, member.token);
    const stopped = await act(id, { trigger_crash_dump: null }, member.token, '2.17');
    expect(stopped.status).toBe(409);
    expect(stopped.body.conflictingRequest.message).toBe(
      `Cannot 'trigger_crash_dump' instance ${id} while it is in vm_state stopped`,
    );
  });
});

describe('changePassword', () => {
  it('ACTIVE only (409 otherwise); 409 "not supported", recorded as a failed changePassword action; 400 without adminPass', async () => {
    const id = await boot();
    expect((await act(id, { changePassword: {} }, member.token)).status).toBe(400);
    const res = await act(id, { changePassword: { adminPass: 'secret' } }, member.token);
    expect(res.status).toBe(409);
    expect(res.body.conflictingRequest.message).toBe('Set admin password is not supported');
    const [action] = await t.services.instanceActionsRepo.listFor(id);
    expect([action.action, action.message]).toEqual(['changePassword', 'Error']);
    expect((await show(id))['OS-EXT-STS:task_state']).toBe(null);
    await act(id, { 'os-stop': null }, member.token);
    expect((await act(id, { changePassword: { adminPass: 'x' } }, member.token)).body.conflictingRequest.message).toBe(
      `Cannot 'set_admin_password' instance ${id} while it is in vm_state stopped`,
    );
  });
});
