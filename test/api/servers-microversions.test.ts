// Server documents per microversion, key for key against Nova's golden recordings (admin caller,
// a server without networks as in the recordings), plus the non-admin and update variants.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';
import { GOLDEN_DIR } from '../helpers/golden.js';

const GOLDEN = GOLDEN_DIR;
const golden = (f: string) => JSON.parse(fs.readFileSync(`${GOLDEN}/${f}`, 'utf8')).response.body;
const keysOf = (o: Record<string, unknown>) => Object.keys(o).sort();

let t: TestApp;
let id: string;
const S = '/compute/v2.1/servers';
const get = (url: string, v: string, token = t.adminToken) =>
  t.http.get(url).set('X-Auth-Token', token).set('OpenStack-API-Version', `compute ${v}`);

beforeAll(async () => {
  t = await makeTestApp({ heartbeatIntervalSeconds: 3600 }); // no heartbeat runs in API tests: keep the one beat at start valid
  await unlimitedQuota(t.services);
  const image = await seedImage(t.services);
  const kp = await t.http
    .post('/compute/v2.1/os-keypairs')
    .set('X-Auth-Token', t.adminToken)
    .set('OpenStack-API-Version', 'compute 2.2')
    .send({
      keypair: {
        name: 'golden-kp',
        public_key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBdCBumRJ9DG1bbvcjQXo7lk8G5RVTDvxpKa4RHxNp4Z g',
      },
    });
  expect(kp.status).toBe(201);
  const res = await t.http
    .post(S)
    .set('X-Auth-Token', t.adminToken)
    .set('OpenStack-API-Version', 'compute 2.79')
    .send({
      server: {
        name: 'golden-1',
        imageRef: image.id,
        flavorRef: '1',
        networks: 'none',
        key_name: 'golden-kp',
        metadata: { role: 'golden' },
      },
    });
  expect(res.status).toBe(202);
  id = res.body.server.id;
  await t.services.worker.drain();
});
afterAll(async () => {
  await t.close();
});

describe('GET /servers/{id} matches Nova key for key', () => {
  for (const v of ['2.1', '2.3', '2.16', '2.26', '2.47', '2.69', '2.73', '2.79']) {
    it(`at ${v}`, async () => {
      const res = await get(`${S}/${id}`, v);
      expect(res.status).toBe(200);
      const want = golden(`server_show_${v}.json`).server;
      expect(keysOf(res.body.server)).toEqual(keysOf(want));
      expect(keysOf(res.body.server.flavor)).toEqual(keysOf(want.flavor));
      if (v >= '2.47' || v === '2.69' || v === '2.73' || v === '2.79')
        expect(res.body.server.flavor).toEqual(want.flavor);
      expect(res.body.server['OS-DCF:diskConfig']).toBe('MANUAL');
      expect(res.body.server.config_drive).toBe('');
      expect(res.body.server.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    });
  }
  it('the 2.1 flavor and image are {id, links} with bookmark links', async () => {
    const s = (await get(`${S}/${id}`, '2.1')).body.server;
    expect(s.flavor).toEqual({
      id: '1',
      links: [{ rel: 'bookmark', href: expect.stringMatching(/\/compute\/flavors\/1$/) }],
    });
    expect(s.image.links[0].href).toMatch(/\/compute\/images\/[0-9a-f-]{36}$/);
    expect(s.links.map((l: { rel: string }) => l.rel)).toEqual(['self', 'bookmark']);
  });
  it('a BUILD server has hostId "", power_state 0 and task_state scheduling', async () => {
    t.fake.delay('spawn', 200);
    try {
      const image = await seedImage(t.services);
      const res = await t.http
        .post(S)
        .set('X-Auth-Token', t.adminToken)
        .set('OpenStack-API-Version', 'compute 2.79')
        .send({ server: { name: 'golden-2', imageRef: image.id, flavorRef: '1', networks: 'none' } });
      const s = (await get(`${S}/${res.body.server.id}`, '2.79')).body.server;
      const want = golden('server_show_BUILD_max.json').server;
      expect(s.status).toBe('BUILD');
      expect(s['OS-EXT-STS:power_state']).toBe(0);
      expect(s['OS-SRV-USG:launched_at']).toBeNull();
      expect(keysOf(s)).toEqual(keysOf(want));
      await t.services.worker.drain();
    } finally {
      t.fake.clearInjections();
    }
  });
});

describe('lists', () => {
  it('GET /servers items are exactly {id, name, links}', async () => {
    const res = await get(S, '2.79');
    for (const s of res.body.servers) expect(keysOf(s)).toEqual(['id', 'links', 'name']);
    expect(res.body.servers_links).toBeUndefined();
  });
  for (const [v, file] of [
    ['2.1', 'servers_detail_2.1.json'],
    ['2.47', 'servers_detail_2.47.json'],
  ] as const) {
    it(`GET /servers/detail at ${v} matches Nova`, async () => {
      const res = await get(`${S}/detail`, v);
      const mine = res.body.servers.find((s: { id: string }) => s.id === id);
      expect(keysOf(mine)).toEqual(keysOf(golden(file).servers[0]));
    });
  }
  it('list-detail at 2.71+ has no server_groups, show has it', async () => {
    const detail = (await get(`${S}/detail`, '2.79')).body.servers.find((s: { id: string }) => s.id === id);
    expect(detail.server_groups).toBeUndefined();
    expect(detail.locked_reason).toBeNull();
    expect(detail.trusted_image_certificates).toBeNull();
    expect((await get(`${S}/${id}`, '2.71')).body.server.server_groups).toEqual([]);
  });
});

describe('non-admin view', () => {
  it('hides the admin-only attributes', async () => {
    const p = await makeProjectUser(t, 'mv-user');
    const image = await seedImage(t.services);
    const res = await t.http
      .post(S)
      .set('X-Auth-Token', p.token)
      .set('OpenStack-API-Version', 'compute 2.79')
      .send({ server: { name: 'mine', imageRef: image.id, flavorRef: '1', networks: 'none' } });
    await t.services.worker.drain();
    const s = (await get(`${S}/${res.body.server.id}`, '2.79', p.token)).body.server;
    expect(Object.keys(s).filter((k) => k.startsWith('OS-EXT-SRV-ATTR'))).toEqual([]);
    expect(s.host_status).toBeUndefined();
    expect(s.hostId).toMatch(/^[0-9a-f]{56}$/);
  });
});

describe('PUT /servers/{id}', () => {
  const put = (v: string, body: unknown) =>
    t.http
      .put(`${S}/${id}`)
      .set('X-Auth-Token', t.adminToken)
      .set('OpenStack-API-Version', `compute ${v}`)
      .send(body as object);
  const update21 = [
    'OS-DCF:diskConfig',
    'accessIPv4',
    'accessIPv6',
    'addresses',
    'created',
    'flavor',
    'hostId',
    'id',
    'image',
    'links',
    'metadata',
    'name',
    'progress',
    'status',
    'tenant_id',
    'updated',
    'user_id',
  ].sort();
  it("2.1: renames and answers Nova's reduced document", async () => {
    const res = await put('2.1', { server: { name: 'renamed', accessIPv4: '192.0.2.9' } });
    expect(res.status).toBe(200);
    expect(keysOf(res.body.server)).toEqual(update21);
    expect(res.body.server).toMatchObject({ name: 'renamed', accessIPv4: '192.0.2.9' });
  });
  it('2.73: + locked, locked_reason, description, tags, trusted_image_certificates, server_groups', async () => {
    const res = await put('2.73', { server: { description: 'described' } });
    expect(keysOf(res.body.server)).toEqual(
      [
        ...update21,
        'locked',
        'locked_reason',
        'description',
        'tags',
        'trusted_image_certificates',
        'server_groups',
      ].sort(),
    );
    expect(res.body.server.description).toBe('described');
  });
  it('2.75+: the full show document (as golden server_update_name_max)', async () => {
    const res = await put('2.79', { server: { name: 'golden-2-renamed' } }).set('Host', 'nova.example');
    const show = await get(`${S}/${id}`, '2.79').set('Host', 'nova.example');
    expect(res.body).toEqual(show.body);
    const want = golden('server_update_name_max.json').server;
    expect(keysOf(res.body.server)).toEqual(keysOf(want));
  });
  it('description before 2.19 and unknown keys are 400', async () => {
    expect((await put('2.18', { server: { description: 'x' } })).status).toBe(400);
    expect((await put('2.79', { server: { bogus: 1 } })).status).toBe(400);
  });
});
