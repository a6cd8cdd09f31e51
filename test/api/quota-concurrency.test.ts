// Quota enforcement through the real server-create path: concurrent creates never overshoot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app';
import { seedImage } from '../helpers/servers';

let t: TestApp;
let p: { projectId: string; token: string };
let imageId: string;
beforeAll(async () => {
  t = await makeTestApp();
  p = await makeProjectUser(t, 'race', 'member');
  imageId = (await seedImage(t.services)).id;
});
afterAll(async () => { await t.close(); });

const create = (name: string, extra: object = {}) =>
  t.http.post('/compute/v2.1/servers').set('X-Auth-Token', p.token).send({ server: { name, imageRef: imageId, flavorRef: '1', ...extra } });

describe('quota under concurrency', () => {
  it('20 concurrent creates against an instances quota of 5: exactly 5 succeed, 15 get Nova\'s 403', async () => {
    await t.http.put(`/compute/v2.1/os-quota-sets/${p.projectId}`).set('X-Auth-Token', t.adminToken).send({ quota_set: { instances: 5 } }).expect(200);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => create(`race-${i}`)));
    const codes = results.map((r) => r.status);
    expect(codes.filter((c) => c === 202)).toHaveLength(5);
    expect(codes.filter((c) => c === 403)).toHaveLength(15);
    const refused = results.find((r) => r.status === 403)!;
    expect(refused.body).toEqual({ forbidden: { code: 403, message: 'Quota exceeded for instances: Requested 1, but already used 5 of 5 instances' } });
    const [{ n }] = await t.services.db('instances').where({ project_id: p.projectId, deleted: false }).count({ n: '*' });
    expect(Number(n)).toBe(5);
    const limits = await t.http.get('/compute/v2.1/limits').set('X-Auth-Token', p.token);
    expect(limits.body.limits.absolute).toMatchObject({ maxTotalInstances: 5, totalInstancesUsed: 5, totalCoresUsed: 5, totalRAMUsed: 5 * 512 });
  });

  it('multi-create takes what fits between min_count and max_count', async () => {
    await t.http.put(`/compute/v2.1/os-quota-sets/${p.projectId}`).set('X-Auth-Token', t.adminToken).send({ quota_set: { instances: 8 } }).expect(200);
    const some = await create('multi', { min_count: 1, max_count: 10 });
    expect(some.status).toBe(202);
    const [{ n }] = await t.services.db('instances').where({ project_id: p.projectId, deleted: false }).count({ n: '*' });
    expect(Number(n)).toBe(8);
    const none = await create('multi2', { min_count: 2, max_count: 3 });
    expect(none.status).toBe(403);
    expect(none.body.forbidden.message).toBe('Quota exceeded for instances: Requested 2-3, but already used 8 of 8 instances');
  });
});
