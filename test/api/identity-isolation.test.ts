// Tenancy across the three APIs: another project's server, keypair or private image is 404 (never
// 403, so nothing says it exists); reader reads only; member acts in its own project; admin sees
// everything and lists with all_tenants.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';

let t: TestApp;
let a: { projectId: string; userId: string; token: string };
let aReader: { projectId: string; userId: string; token: string };
let b: { projectId: string; userId: string; token: string };
let serverId: string;
let privateImageId: string;
const S = '/compute/v2.1/servers';

beforeAll(async () => {
  t = await makeTestApp();
  await unlimitedQuota(t.services);
  a = await makeProjectUser(t, 'iso-a', 'member');
  aReader = await makeProjectUser(t, 'iso-a', 'reader');
  b = await makeProjectUser(t, 'iso-b', 'member');
  const bootImage = await seedImage(t.services, { visibility: 'public' });

  const server = await t.http
    .post(S)
    .set('X-Auth-Token', a.token)
    .send({ server: { name: 'a-vm', imageRef: bootImage.id, flavorRef: '1' } });
  expect(server.status, JSON.stringify(server.body)).toBe(202);
  serverId = server.body.server.id;
  await t.services.worker.drain();

  const kp = await t.http
    .post('/compute/v2.1/os-keypairs')
    .set('X-Auth-Token', a.token)
    .send({ keypair: { name: 'a-key' } });
  expect(kp.status, JSON.stringify(kp.body)).toBe(200);

  const img = await t.http
    .post('/image/v2/images')
    .set('X-Auth-Token', a.token)
    .send({ name: 'a-private', visibility: 'private', container_format: 'bare', disk_format: 'raw' });
  expect(img.status, JSON.stringify(img.body)).toBe(201);
  privateImageId = img.body.id;
});
afterAll(async () => {
  await t.close();
});

describe("another project's objects are 404", () => {
  it("server: show, update, delete, actions and sub-resources are 404 with Nova's wording; lists leave it out", async () => {
    const notFound = { itemNotFound: { code: 404, message: `Instance ${serverId} could not be found.` } };
    const show = await t.http.get(`${S}/${serverId}`).set('X-Auth-Token', b.token);
    expect(show.status).toBe(404);
    expect(show.body).toEqual(notFound);
    const calls = [
      t.http
        .put(`${S}/${serverId}`)
        .set('X-Auth-Token', b.token)
        .send({ server: { name: 'mine-now' } }),
      t.http.delete(`${S}/${serverId}`).set('X-Auth-Token', b.token),
      t.http.post(`${S}/${serverId}/action`).set('X-Auth-Token', b.token).send({ 'os-stop': null }),
      t.http.get(`${S}/${serverId}/metadata`).set('X-Auth-Token', b.token),
      t.http.get(`${S}/${serverId}/ips`).set('X-Auth-Token', b.token),
    ];
    for (const [i, res] of (await Promise.all(calls)).entries())
      expect(res.status, `call ${i}: ${JSON.stringify(res.body)}`).toBe(404);
    for (const path of [S, `${S}/detail`]) {
      const list = await t.http.get(path).set('X-Auth-Token', b.token);
      expect(list.status).toBe(200);
      expect(list.body.servers.map((s: { id: string }) => s.id)).not.toContain(serverId);
    }
    // still there and unchanged for its owner
    const own = await t.http.get(`${S}/${serverId}`).set('X-Auth-Token', a.token);
    expect(own.body.server).toMatchObject({ name: 'a-vm', status: 'ACTIVE' });
  });

  it("keypair: another user's keypair is 404 and not listed", async () => {
    const res = await t.http.get('/compute/v2.1/os-keypairs/a-key').set('X-Auth-Token', b.token);
    expect(res.status).toBe(404);
    expect(res.body.itemNotFound.message).toBe(`Keypair a-key not found for user ${b.userId}`);
    const del = await t.http.delete('/compute/v2.1/os-keypairs/a-key').set('X-Auth-Token', b.token);
    expect(del.status).toBe(404);
    const list = await t.http.get('/compute/v2.1/os-keypairs').set('X-Auth-Token', b.token);
    expect(list.body.keypairs).toEqual([]);
    expect((await t.http.get('/compute/v2.1/os-keypairs/a-key').set('X-Auth-Token', a.token)).status).toBe(200);
  });

  it('private image: show, update, delete, download are 404; the list leaves it out', async () => {
    const show = await t.http.get(`/image/v2/images/${privateImageId}`).set('X-Auth-Token', b.token);
    expect(show.status).toBe(404);
    const calls = [
      t.http
        .patch(`/image/v2/images/${privateImageId}`)
        .set('X-Auth-Token', b.token)
        .set('Content-Type', 'application/openstack-images-v2.1-json-patch')
        .send(JSON.stringify([{ op: 'replace', path: '/name', value: 'stolen' }])),
      t.http.delete(`/image/v2/images/${privateImageId}`).set('X-Auth-Token', b.token),
      t.http.get(`/image/v2/images/${privateImageId}/file`).set('X-Auth-Token', b.token),
    ];
    for (const [i, res] of (await Promise.all(calls)).entries()) expect(res.status, `call ${i}`).toBe(404);
    const list = await t.http.get('/image/v2/images').set('X-Auth-Token', b.token);
    expect(list.body.images.map((i: { id: string }) => i.id)).not.toContain(privateImageId);
    // the compute image proxy says the same
    expect((await t.http.get(`/compute/v2.1/images/${privateImageId}`).set('X-Auth-Token', b.token)).status).toBe(404);
    expect((await t.http.get(`/image/v2/images/${privateImageId}`).set('X-Auth-Token', a.token)).body.name).toBe(
      'a-private',
    );
  });
});

describe('roles inside a project', () => {
  it("reader reads the project's server but may not change or create anything (403)", async () => {
    expect((await t.http.get(`${S}/${serverId}`).set('X-Auth-Token', aReader.token)).status).toBe(200);
    const calls = [
      t.http
        .put(`${S}/${serverId}`)
        .set('X-Auth-Token', aReader.token)
        .send({ server: { name: 'renamed' } }),
      t.http.delete(`${S}/${serverId}`).set('X-Auth-Token', aReader.token),
      t.http
        .post(S)
        .set('X-Auth-Token', aReader.token)
        .send({ server: { name: 'r-vm', imageRef: privateImageId, flavorRef: '1' } }),
      t.http.post('/image/v2/images').set('X-Auth-Token', aReader.token).send({ name: 'r-img' }),
    ];
    for (const [i, res] of (await Promise.all(calls)).entries())
      expect(res.status, `call ${i}: ${JSON.stringify(res.body)}`).toBe(403);
    expect((await t.http.get(`${S}/${serverId}`).set('X-Auth-Token', a.token)).body.server.name).toBe('a-vm');
  });

  it("admin sees every project's server; all_tenants lists them for admin and is 403 for others", async () => {
    expect((await t.http.get(`${S}/${serverId}`).set('X-Auth-Token', t.adminToken)).status).toBe(200);
    const all = await t.http.get(`${S}?all_tenants=1`).set('X-Auth-Token', t.adminToken);
    expect(all.body.servers.map((s: { id: string }) => s.id)).toContain(serverId);
    const own = await t.http.get(S).set('X-Auth-Token', t.adminToken);
    expect(own.body.servers.map((s: { id: string }) => s.id)).not.toContain(serverId); // admin's own project only
    const member = await t.http.get(`${S}?all_tenants=1`).set('X-Auth-Token', b.token);
    expect(member.status).toBe(403);
  });

  it('no token: 401 with WWW-Authenticate, before any lookup', async () => {
    for (const path of [`${S}/${serverId}`, `/image/v2/images/${privateImageId}`, '/compute/v2.1/os-keypairs/a-key']) {
      const res = await t.http.get(path);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Keystone uri="http:\/\/[^"]+\/identity\/v3"$/);
    }
  });
});
