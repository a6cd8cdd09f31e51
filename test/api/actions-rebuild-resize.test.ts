// rebuild, resize, confirmResize and revertResize on the fake driver: codes, states, the rebuild
// response per microversion, the new container, limits applied and restored, quota on resize.
import fs from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';
import type { ImageRow } from '../../src/db/repositories/images-repo.js';
import { makeRootfsTar } from '../helpers/image-tar.js';
import { sql } from '../../src/db/sql.js';

let t: TestApp;
let image: ImageRow;
let image2: ImageRow;
const S = '/compute/v2.1/servers';

beforeAll(async () => {
  t = await makeTestApp();
  image = await seedImage(t.services);
  image2 = await seedImage(t.services, { name: 'second', data: makeRootfsTar() });
  await unlimitedQuota(t.services);
});
afterAll(async () => {
  await t.close();
});
beforeEach(() => t.fake.clearInjections());

const as = (token: string, version = '2.1') => ({
  post: (url: string, body: unknown) =>
    t.http
      .post(url)
      .set('X-Auth-Token', token)
      .set('OpenStack-API-Version', `compute ${version}`)
      .send(body as object),
  get: (url: string) => t.http.get(url).set('X-Auth-Token', token).set('OpenStack-API-Version', `compute ${version}`),
});
const admin = (v = '2.1') => as(t.adminToken, v);
const action = (id: string, body: unknown, v = '2.1', token = t.adminToken) =>
  as(token, v).post(`${S}/${id}/action`, body);
const show = async (id: string, token = t.adminToken) => (await as(token, '2.1').get(`${S}/${id}`)).body.server;

async function boot(extra: Record<string, unknown> = {}, token = t.adminToken): Promise<string> {
  const res = await as(token, '2.79').post(S, {
    server: { name: 'rr-vm', imageRef: image.id, flavorRef: '1', networks: 'none', ...extra },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  await t.services.worker.drain();
  return res.body.server.id;
}

describe('rebuild', () => {
  it('202 with the server (REBUILD, adminPass) → a new container from the new image, same id, ACTIVE', async () => {
    const id = await boot({ metadata: { old: '1' } });
    const before = t.fake.containers.get(id)!;
    t.fake.delay('spawn', 500);
    const res = await action(
      id,
      { rebuild: { imageRef: image2.id, name: 'rebuilt', metadata: { fresh: 'yes' }, adminPass: 'S3cret-pass' } },
      '2.1',
    );
    expect(res.status).toBe(202);
    expect(res.body.server).toMatchObject({
      id,
      name: 'rebuilt',
      status: 'REBUILD',
      adminPass: 'S3cret-pass',
      metadata: { fresh: 'yes' },
    });
    expect(res.body.server.image.id).toBe(image2.id);
    // Nova's reduced document before 2.75: no extended attributes
    expect(Object.keys(res.body.server).some((k) => k.startsWith('OS-EXT-STS'))).toBe(false);
    await t.services.worker.drain();
    const after = await show(id);
    expect(after).toMatchObject({
      status: 'ACTIVE',
      name: 'rebuilt',
      'OS-EXT-STS:task_state': null,
      metadata: { fresh: 'yes' },
    });
    const c = t.fake.containers.get(id)!;
    expect(c).not.toBe(before);
    expect(c.spec.hostname).toBe(before.spec.hostname);
    expect(t.fake.calls.filter((x) => x === `destroy ${id}`).length).toBe(1);
    const drive = c.spec.mounts!.find((m) => m.target === '/mnt/config')!;
    expect(JSON.parse(fs.readFileSync(`${drive.source}/openstack/latest/meta_data.json`, 'utf8')).meta).toEqual({
      fresh: 'yes',
    });
  });

  it('from 2.75 the full show document; 2.57 user_data; a generated adminPass', async () => {
    const id = await boot();
    const ud = Buffer.from('#!/bin/sh\necho rebuilt').toString('base64');
    const res = await action(id, { rebuild: { imageRef: image.id, user_data: ud } }, '2.75');
    expect(res.status).toBe(202);
    expect(res.body.server).toMatchObject({ 'OS-EXT-STS:task_state': 'rebuilding', user_data: ud });
    expect(res.body.server.adminPass).toMatch(/^[A-Za-z0-9]{12}$/);
    await t.services.worker.drain();
    const drive = t.fake.containers.get(id)!.spec.mounts!.find((m) => m.target === '/mnt/config')!;
    expect(fs.readFileSync(`${drive.source}/openstack/latest/user_data`, 'utf8')).toBe('#!/bin/sh\necho rebuilt');
    expect((await action(id, { rebuild: { imageRef: image.id, user_data: ud } }, '2.56')).status).toBe(400);
  });

  it('a SHUTOFF server stays SHUTOFF; ERROR becomes ACTIVE; PAUSED is 409; bad image is 400', async () => {
    const id = await boot();
    expect((await action(id, { 'os-stop': null })).status).toBe(202);
    await t.services.worker.drain();
    expect((await action(id, { rebuild: { imageRef: image2.id } })).status).toBe(202);
    expect((await show(id)).status).toBe('REBUILD');
    await t.services.worker.drain();
    expect(await show(id)).toMatchObject({ status: 'SHUTOFF', 'OS-EXT-STS:power_state': 4 });
    expect(t.fake.containers.get(id)!.status).toBe('exited');
    await t.services.instancesRepo.update(id, { vm_state: 'error' });
    expect((await action(id, { rebuild: { imageRef: image.id } })).status).toBe(202);
    await t.services.worker.drain();
    expect((await show(id)).status).toBe('ACTIVE');
    expect((await action(id, { pause: null })).status).toBe(202);
    await t.services.worker.drain();
    const paused = await action(id, { rebuild: { imageRef: image.id } });
    expect(paused.status).toBe(409);
    expect(paused.body.conflictingRequest.message).toBe(
      `Cannot 'rebuild' instance ${id} while it is in vm_state paused`,
    );
    const missing = await action(id, { rebuild: { imageRef: '11111111-2222-3333-4444-555555555555' } });
    expect(missing.status).toBe(409); // state first, as Nova's decorator
    expect((await action(id, { unpause: null })).status).toBe(202);
    await t.services.worker.drain();
    const bad = await action(id, { rebuild: { imageRef: '11111111-2222-3333-4444-555555555555' } });
    expect(bad.status).toBe(400);
    expect(bad.body.badRequest.message).toBe('Cannot find image for rebuild');
    expect((await action(id, { rebuild: {} })).status).toBe(400);
  });

  it('409 for a server that never launched (a failed build), as Nova', async () => {
    t.fake.failNext('spawn');
    const res = await admin('2.79').post(S, {
      server: { name: 'never', imageRef: image.id, flavorRef: '1', networks: 'none' },
    });
    await t.services.worker.drain();
    const id = res.body.server.id;
    expect((await show(id)).status).toBe('ERROR');
    const r = await action(id, { rebuild: { imageRef: image.id } });
    expect(r.status).toBe(409);
    expect(r.body.conflictingRequest.message).toBe(`Cannot 'rebuild' instance ${id} while it is in launched_at None`);
  });

  it('a failed spawn leaves the server in ERROR with a fault', async () => {
    const id = await boot();
    t.fake.failNext('spawn');
    expect((await action(id, { rebuild: { imageRef: image.id } })).status).toBe(202);
    await t.services.worker.drain();
    const s = await show(id);
    expect(s.status).toBe('ERROR');
    expect(s.fault.message).toBe('injected spawn failure');
  });
});

describe('resize', () => {
  it('ACTIVE → RESIZE → VERIFY_RESIZE with the new limits; confirm 204 → ACTIVE', async () => {
    const id = await boot({ flavorRef: '1' });
    t.fake.delay('updateResources', 500);
    const res = await action(id, { resize: { flavorRef: '2' } });
    expect(res.status).toBe(202);
    expect((await show(id)).status).toBe('RESIZE');
    await t.services.worker.drain();
    const flavor2 = await t.services.flavors.get('2');
    const s = await show(id);
    expect(s).toMatchObject({ status: 'VERIFY_RESIZE', 'OS-EXT-STS:vm_state': 'resized', flavor: { id: '2' } });
    expect(t.fake.containers.get(id)!).toMatchObject({ memoryMb: flavor2.memory_mb, vcpus: flavor2.vcpus });
    const ok = await action(id, { confirmResize: null });
    expect(ok.status).toBe(204);
    expect(await show(id)).toMatchObject({ status: 'ACTIVE', flavor: { id: '2' } });
    expect((await action(id, { confirmResize: null })).status).toBe(409);
  });

  it('revert 202 → REVERT_RESIZE → the old flavor and limits, SHUTOFF stays SHUTOFF', async () => {
    const id = await boot({ flavorRef: '1' });
    const flavor1 = await t.services.flavors.get('1');
    expect((await action(id, { 'os-stop': null })).status).toBe(202);
    await t.services.worker.drain();
    expect((await action(id, { resize: { flavorRef: '2' } })).status).toBe(202);
    await t.services.worker.drain();
    expect((await show(id)).status).toBe('VERIFY_RESIZE');
    t.fake.delay('updateResources', 500);
    expect((await action(id, { revertResize: null })).status).toBe(202);
    expect((await show(id)).status).toBe('REVERT_RESIZE');
    await t.services.worker.drain();
    expect(await show(id)).toMatchObject({ status: 'SHUTOFF', flavor: { id: '1' } });
    expect(t.fake.containers.get(id)!).toMatchObject({ memoryMb: flavor1.memory_mb, vcpus: flavor1.vcpus });
    const row = (await t.services.instancesRepo.findByUuid(id))!;
    expect([row.flavor_id, row.memory_mb, row.vcpus]).toEqual(['1', flavor1.memory_mb, flavor1.vcpus]);
  });

  it('400 for the same flavor, an unknown flavor or no flavorRef; 409 from PAUSED', async () => {
    const id = await boot({ flavorRef: '1' });
    const same = await action(id, { resize: { flavorRef: '1' } });
    expect(same.status).toBe(400);
    expect(same.body.badRequest.message).toBe('When resizing, instances must change flavor!');
    const unknown = await action(id, { resize: { flavorRef: 'nope' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.badRequest.message).toBe('Unable to locate requested flavor.');
    expect((await action(id, { resize: {} })).status).toBe(400);
    expect((await action(id, { pause: null })).status).toBe(202);
    await t.services.worker.drain();
    expect((await action(id, { resize: { flavorRef: '2' } })).status).toBe(409);
  });

  it('403 when the delta exceeds the cores/ram quota', async () => {
    const p = await makeProjectUser(t, 'resize-quota');
    const id = await boot({ flavorRef: '1' }, p.token);
    const small = await t.services.flavors.get('1');
    const now = new Date().toISOString();
    await sql(t.services.db)('quotas').insert({
      project_id: p.projectId,
      resource: 'ram',
      hard_limit: small.memory_mb,
      created_at: now,
      updated_at: null,
    });
    const res = await action(id, { resize: { flavorRef: '2' } }, '2.1', p.token);
    expect(res.status).toBe(403);
    expect(res.body.forbidden.message).toMatch(/^Quota exceeded for ram/);
    expect((await show(id)).status).toBe('ACTIVE');
  });

  it('a failed docker update records a fault and leaves the server ACTIVE with its old flavor', async () => {
    const id = await boot({ flavorRef: '1' });
    t.fake.failNext('updateResources');
    expect((await action(id, { resize: { flavorRef: '2' } })).status).toBe(202);
    await t.services.worker.drain();
    const s = await show(id);
    expect(s).toMatchObject({ status: 'ACTIVE', flavor: { id: '1' }, 'OS-EXT-STS:task_state': null });
    const faults = await sql(t.services.db)('instance_faults').where({ instance_uuid: id });
    expect(faults.length).toBe(1);
  });
});
