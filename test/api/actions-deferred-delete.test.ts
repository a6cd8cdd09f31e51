// Deferred delete on the fake driver: with NOVADOCK_RECLAIM_INSTANCE_INTERVAL > 0 a delete leaves
// the server SOFT_DELETED (container stopped), restore brings it back, forceDelete and the
// reclaimer delete it; with 0 delete is immediate and restore is 409.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';
import { sql } from '../../src/db/sql.js';

const S = '/compute/v2.1/servers';

function harness(reclaimInstanceIntervalSeconds: number) {
  const h = { t: undefined as unknown as TestApp, imageId: '', member: undefined as unknown as { token: string } };
  beforeAll(async () => {
    h.t = await makeTestApp({ reclaimInstanceIntervalSeconds });
    h.imageId = (await seedImage(h.t.services)).id;
    await unlimitedQuota(h.t.services);
    h.member = await makeProjectUser(h.t, `deferred-${reclaimInstanceIntervalSeconds}`);
  });
  afterAll(async () => {
    await h.t.close();
  });
  const call = (method: 'post' | 'get' | 'delete', url: string, body?: object, v = '2.1') =>
    h.t.http[method](url).set('X-Auth-Token', h.member.token).set('OpenStack-API-Version', `compute ${v}`).send(body);
  const boot = async () => {
    const res = await call(
      'post',
      S,
      { server: { name: 'vm', imageRef: h.imageId, flavorRef: '1', networks: 'none' } },
      '2.79',
    );
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    await h.t.services.worker.drain();
    return res.body.server.id as string;
  };
  const act = async (id: string, body: object) => {
    const r = await call('post', `${S}/${id}/action`, body);
    await h.t.services.worker.drain();
    return r;
  };
  const del = async (id: string) => {
    const r = await call('delete', `${S}/${id}`);
    await h.t.services.worker.drain();
    return r;
  };
  const show = async (id: string) => call('get', `${S}/${id}`, undefined, '2.79');
  return { h, boot, act, del, show };
}

describe('reclaim interval 3600 s', () => {
  const { h, boot, act, del, show } = harness(3600);

  it('delete → SOFT_DELETED with the container stopped; restore → ACTIVE and running', async () => {
    const id = await boot();
    expect((await del(id)).status).toBe(204);
    const s = (await show(id)).body.server;
    expect([s.status, s['OS-EXT-STS:task_state'], s['OS-EXT-STS:power_state']]).toEqual(['SOFT_DELETED', null, 4]);
    expect((await h.t.fake.getInfo(id)).status).toBe('exited');
    expect((await act(id, { 'os-start': null })).status).toBe(409);
    expect((await act(id, { restore: null })).status).toBe(202);
    const r = (await show(id)).body.server;
    expect([r.status, r['OS-EXT-STS:power_state']]).toEqual(['ACTIVE', 1]);
    expect((await h.t.fake.getInfo(id)).status).toBe('running');
    const restoreActive = await act(id, { restore: null });
    expect(restoreActive.status).toBe(409);
    expect(restoreActive.body.conflictingRequest.message).toBe(
      `Cannot 'restore' instance ${id} while it is in vm_state active`,
    );
    const actions = (await h.t.services.instanceActionsRepo.listFor(id)).map((a) => a.action);
    expect(actions).toEqual(['restore', 'delete', 'create']);
  });

  it('forceDelete of a soft-deleted server deletes it and its container; a second DELETE does too', async () => {
    const a = await boot();
    await del(a);
    expect((await act(a, { forceDelete: null })).status).toBe(202);
    expect((await show(a)).status).toBe(404);
    expect((await h.t.fake.getInfo(a)).status).toBe('missing');
    const b = await boot();
    await del(b);
    expect((await del(b)).status).toBe(204);
    expect((await show(b)).status).toBe(404);
  });

  it('the reclaimer deletes soft-deleted servers older than the interval, and only those', async () => {
    const old = await boot();
    const fresh = await boot();
    await del(old);
    await del(fresh);
    await sql(h.t.services.db)('instances')
      .where({ uuid: old })
      .update({ deleted_at: new Date(Date.now() - 7200_000).toISOString() });
    expect(await h.t.services.serverActions.softDelete.reclaimExpired()).toBe(1);
    await h.t.services.worker.drain();
    expect((await show(old)).status).toBe(404);
    expect((await show(fresh)).body.server.status).toBe('SOFT_DELETED');
  });
});

describe('reclaim interval 0 (default)', () => {
  const { h, boot, act, del, show } = harness(0);

  it('delete is immediate; restore of a live server is 409; forceDelete deletes from any state', async () => {
    const id = await boot();
    const r = await act(id, { restore: null });
    expect(r.status).toBe(409);
    expect(r.body.conflictingRequest.message).toBe(`Cannot 'restore' instance ${id} while it is in vm_state active`);
    expect((await act(id, { forceDelete: null })).status).toBe(202);
    expect((await show(id)).status).toBe(404);
    const other = await boot();
    expect((await del(other)).status).toBe(204);
    expect((await show(other)).status).toBe(404);
    expect(h.t.services.serverActions.softDelete.enabled).toBe(false);
  });
});
