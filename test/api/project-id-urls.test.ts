// Compute URLs carrying the project id (/compute/v2.1/{project_id}/…): every compute route answers
// there, a project id other than the token's is Nova's 400, and links in the answer carry the id as
// Nova's view builders put it (self …/v2.1/{id}/servers/x, bookmark …/{id}/servers/x).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { insertServers, seedImage, unlimitedQuota } from '../helpers/servers.js';

let t: TestApp;
let user: { projectId: string; token: string };
let other: { projectId: string };
let imageId: string;
let serverId: string;
const H = { 'OpenStack-API-Version': 'compute 2.79' };
const under = (pid: string, path: string) => `/compute/v2.1/${pid}${path}`;

beforeAll(async () => {
  t = await makeTestApp({ heartbeatIntervalSeconds: 3600 });
  user = await makeProjectUser(t, 'pid-urls-p');
  other = await makeProjectUser(t, 'pid-urls-other');
  await unlimitedQuota(t.services, 'pid-urls-p');
  imageId = (await seedImage(t.services)).id;
});
afterAll(async () => {
  await t.close();
});

describe('/compute/v2.1/{project_id}/…', () => {
  it('POST servers: 202, and the Location and links carry the project id', async () => {
    const res = await t.http
      .post(under(user.projectId, '/servers'))
      .set('X-Auth-Token', user.token)
      .set(H)
      .send({ server: { name: 'pid-1', imageRef: imageId, flavorRef: '1', networks: 'none' } });
    expect(res.status).toBe(202);
    serverId = res.body.server.id;
    expect(res.headers.location).toMatch(new RegExp(`/compute/v2\\.1/${user.projectId}/servers/${serverId}$`));
    const links = res.body.server.links as { rel: string; href: string }[];
    expect(links.find((l) => l.rel === 'self')!.href).toMatch(
      new RegExp(`/compute/v2\\.1/${user.projectId}/servers/${serverId}$`),
    );
    expect(links.find((l) => l.rel === 'bookmark')!.href).toMatch(
      new RegExp(`/compute/${user.projectId}/servers/${serverId}$`),
    );
    await t.services.worker.drain();
  });

  it('GET servers, servers/detail with a query string, a server, flavors: the same answers as without the id', async () => {
    const list = await t.http
      .get(under(user.projectId, '/servers?name=^pid-1$'))
      .set('X-Auth-Token', user.token)
      .set(H);
    expect(list.status).toBe(200);
    expect(list.body.servers.map((s: { id: string }) => s.id)).toEqual([serverId]);
    const detail = await t.http.get(under(user.projectId, '/servers/detail')).set('X-Auth-Token', user.token).set(H);
    expect(detail.status).toBe(200);
    const s = detail.body.servers[0];
    expect(s.status).toBe('ACTIVE');
    expect(s.flavor).toBeDefined();
    const show = await t.http
      .get(under(user.projectId, `/servers/${serverId}`))
      .set('X-Auth-Token', user.token)
      .set(H);
    expect(show.status).toBe(200);
    expect(show.body.server.id).toBe(serverId);
    const flavor = await t.http.get(under(user.projectId, '/flavors/1')).set('X-Auth-Token', user.token);
    expect(flavor.status).toBe(200);
    expect(flavor.body.flavor.links).toEqual([
      { rel: 'self', href: expect.stringMatching(new RegExp(`/compute/v2\\.1/${user.projectId}/flavors/1$`)) },
      { rel: 'bookmark', href: expect.stringMatching(new RegExp(`/compute/${user.projectId}/flavors/1$`)) },
    ]);
  });

  it('the next link of a cut page carries the id too', async () => {
    await insertServers(t.services, 2, { projectId: user.projectId, prefix: 'page' });
    const page = await t.http.get(under(user.projectId, '/servers?limit=1')).set('X-Auth-Token', user.token).set(H);
    expect(page.status).toBe(200);
    const next = page.body.servers_links[0].href as string;
    expect(next).toMatch(new RegExp(`/compute/v2\\.1/${user.projectId}/servers\\?`));
    const path = next.slice(next.indexOf('/compute/'));
    const second = await t.http.get(path).set('X-Auth-Token', user.token).set(H);
    expect(second.status).toBe(200);
    expect(second.body.servers[0].id).not.toBe(page.body.servers[0].id);
  });

  it('without the id, links stay as they were', async () => {
    const show = await t.http.get(`/compute/v2.1/servers/${serverId}`).set('X-Auth-Token', user.token).set(H);
    expect(show.status).toBe(200);
    expect(JSON.stringify(show.body)).not.toContain(user.projectId + '/');
    expect(show.body.server.links[0].href).toMatch(new RegExp(`/compute/v2\\.1/servers/${serverId}$`));
  });

  it('actions and deletes work under the prefix', async () => {
    const stop = await t.http
      .post(under(user.projectId, `/servers/${serverId}/action`))
      .set('X-Auth-Token', user.token)
      .set(H)
      .send({ 'os-stop': null });
    expect(stop.status).toBe(202);
    await t.services.worker.drain();
    const del = await t.http
      .delete(under(user.projectId, `/servers/${serverId}`))
      .set('X-Auth-Token', user.token)
      .set(H);
    expect(del.status).toBe(204);
  });

  it("another project id than the token's is Nova's 400; no token is 401", async () => {
    const res = await t.http.get(under(other.projectId, '/servers')).set('X-Auth-Token', user.token).set(H);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      badRequest: {
        code: 400,
        message: `Malformed request URL: URL's project_id '${other.projectId}' doesn't match Context's project_id '${user.projectId}'`,
      },
    });
    const admin = await t.http.get(under(user.projectId, '/servers')).set('X-Auth-Token', t.adminToken).set(H);
    expect(admin.status).toBe(400);
    const anon = await t.http.get(under(user.projectId, '/servers'));
    expect(anon.status).toBe(401);
  });

  it('unknown paths and bad bodies answer as without the id', async () => {
    const plain = await t.http.get('/compute/v2.1/no-such-thing').set('X-Auth-Token', user.token);
    const prefixed = await t.http.get(under(user.projectId, '/no-such-thing')).set('X-Auth-Token', user.token);
    expect(prefixed.status).toBe(plain.status);
    expect(prefixed.status).toBe(404);
    const bad = await t.http
      .post(under(user.projectId, '/servers'))
      .set('X-Auth-Token', user.token)
      .set(H)
      .send({ server: {} });
    expect(bad.status).toBe(400);
    expect(bad.body.badRequest.code).toBe(400);
  });

  it('the version document still answers at /compute/v2.1/{project_id} and …/{project_id}/, without a token', async () => {
    for (const url of [`/compute/v2.1/${user.projectId}`, `/compute/v2.1/${user.projectId}/`]) {
      const res = await t.http.get(url);
      expect(res.status).toBe(200);
      expect(res.body.version.id).toBe('v2.1');
    }
    // A segment that is not a hex id is not a project id: an ordinary unknown path.
    expect((await t.http.get('/compute/v2.1/not-hex/servers').set('X-Auth-Token', user.token)).status).toBe(404);
  });
});
