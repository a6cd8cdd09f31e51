// Every recording Nova (Zed) made at 2.84 and above, replayed at the same microversion: the documents
// must have Nova's shape key for key (values differ between deployments: ids, times, hosts), and
// errors must carry Nova's exact wording. This is what raising the maximum to 2.93 promises.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';
import { GOLDEN_DIR } from '../helpers/golden.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const golden = (f: string) =>
  JSON.parse(fs.readFileSync(`${GOLDEN_DIR}/${f}`, 'utf8')) as {
    request: { body?: Json };
    response: { status: number; body: Json };
  };

/** The key structure of a document: objects by sorted keys, arrays by their first item. */
function shape(v: Json): Json {
  if (Array.isArray(v)) return v.length ? [shape(v[0])] : [];
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, shape(v[k])]),
    );
  }
  return v === null ? null : typeof v;
}
/** Nova's free-form maps (metadata, extra specs) hold whatever the recording's server had. */
const FREE_FORM = new Set(['metadata', 'extra_specs']);
function keysDeep(v: Json, path = ''): string[] {
  if (Array.isArray(v)) return v.length ? keysDeep(v[0], `${path}[]`) : [];
  if (v && typeof v === 'object') {
    return Object.keys(v)
      .flatMap((k) => [`${path}.${k}`, ...(FREE_FORM.has(k) ? [] : keysDeep(v[k], `${path}.${k}`))])
      .sort();
  }
  return [];
}

let t: TestApp;
let serverId: string;
let imageId: string;
const C = '/compute/v2.1';
const at = (v: string) => ({ 'X-Auth-Token': t.adminToken, 'OpenStack-API-Version': `compute ${v}` });
const get = (url: string, v: string) => t.http.get(`${C}${url}`).set(at(v));

beforeAll(async () => {
  t = await makeTestApp({ heartbeatIntervalSeconds: 3600 });
  await unlimitedQuota(t.services);
  imageId = (await seedImage(t.services)).id;
  const kp = await t.http
    .post(`${C}/os-keypairs`)
    .set(at('2.93'))
    .send({
      keypair: {
        name: 'golden-kp',
        public_key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBdCBumRJ9DG1bbvcjQXo7lk8G5RVTDvxpKa4RHxNp4Z g',
      },
    });
  expect(kp.status).toBe(201);
  const res = await t.http
    .post(`${C}/servers`)
    .set(at('2.93'))
    .send({
      server: {
        name: 'golden-1',
        imageRef: imageId,
        flavorRef: '1',
        networks: 'none',
        key_name: 'golden-kp',
        metadata: { role: 'golden' },
      },
    });
  expect(res.status).toBe(202);
  serverId = res.body.server.id;
  await t.services.worker.drain();
});
afterAll(async () => {
  await t.close();
});

describe('servers at 2.90 and 2.93', () => {
  for (const [v, file] of [
    ['2.90', 'server_show_2.90.json'],
    ['2.93', 'server_show_2.93.json'],
    ['2.93', 'server_show_max_server2.json'],
  ] as const) {
    it(`GET /servers/{id} at ${v} has the shape of ${file}`, async () => {
      const g = golden(file);
      const res = await get(`/servers/${serverId}`, v);
      expect(res.status).toBe(200);
      expect(keysDeep(res.body)).toEqual(keysDeep(g.response.body));
      expect(shape(res.body.server.flavor)).toEqual(
        shape((g.response.body as { server: { flavor: Json } }).server.flavor),
      );
      expect(res.body.server['OS-EXT-SRV-ATTR:hostname']).toBe('golden-1');
    });
  }
  it('from 2.90 a member sees OS-EXT-SRV-ATTR:hostname (and no other admin attribute)', async () => {
    const p = await makeProjectUser(t, 'golden-member');
    const res = await t.http
      .post(`${C}/servers`)
      .set({ 'X-Auth-Token': p.token, 'OpenStack-API-Version': 'compute 2.90' })
      .send({ server: { name: 'mine', hostname: 'my-host', imageRef: imageId, flavorRef: '1', networks: 'none' } });
    expect(res.status).toBe(202);
    await t.services.worker.drain();
    const show = (v: string) =>
      t.http
        .get(`${C}/servers/${res.body.server.id}`)
        .set({ 'X-Auth-Token': p.token, 'OpenStack-API-Version': `compute ${v}` });
    const s290 = (await show('2.90')).body.server;
    expect(Object.keys(s290).filter((k) => k.startsWith('OS-EXT-SRV-ATTR'))).toEqual(['OS-EXT-SRV-ATTR:hostname']);
    expect(s290['OS-EXT-SRV-ATTR:hostname']).toBe('my-host');
    expect(Object.keys((await show('2.89')).body.server).filter((k) => k.startsWith('OS-EXT-SRV-ATTR'))).toEqual([]);
  });
  it('POST /servers answers the shape of server_create_202_max (with adminPass)', async () => {
    const res = await t.http
      .post(`${C}/servers`)
      .set(at('2.93'))
      .send({ server: { name: 'golden-2', imageRef: imageId, flavorRef: '1', networks: 'none' } });
    expect(res.status).toBe(202);
    expect(keysDeep(res.body)).toEqual(keysDeep(golden('server_create_202_max.json').response.body));
    await t.services.worker.drain();
  });
  it('list and detail have the shapes of servers_list_2.93 and servers_detail_2.93', async () => {
    const list = await get('/servers', '2.93');
    expect(keysDeep(list.body)).toEqual(keysDeep(golden('servers_list_2.93.json').response.body));
    const detail = await get('/servers/detail', '2.93');
    expect(keysDeep(detail.body)).toEqual(keysDeep(golden('servers_detail_2.93.json').response.body));
    const paged = await get('/servers/detail?limit=1', '2.93');
    expect(keysDeep(paged.body)).toEqual(keysDeep(golden('servers_detail_limit1_paged_max.json').response.body));
  });
  it('an unknown key is refused with the wording of server_create_unknown_key_400_max', async () => {
    const g = golden('server_create_unknown_key_400_max.json');
    const body = { server: { name: 'bad', imageRef: imageId, flavorRef: '1', networks: 'none', bogus: 1 } };
    const res = await t.http.post(`${C}/servers`).set(at('2.93')).send(body);
    expect(res.status).toBe(400);
    const want = (g.response.body as { badRequest: { message: string } }).badRequest.message.replace(
      /'imageRef': '[^']+'/,
      `'imageRef': '${imageId}'`,
    );
    expect(res.body).toEqual({ badRequest: { code: 400, message: want } });
  });
  it('an unknown server is the 404 of server_show_404_max', async () => {
    const res = await get('/servers/7959a60f-d80a-4fb1-b601-bbf5b938fc8f', '2.93');
    expect(res.status).toBe(404);
    expect(res.body).toEqual(golden('server_show_404_max.json').response.body);
  });
});

describe('instance actions at 2.84 and 2.93: events carry details', () => {
  for (const [v, file] of [
    ['2.84', 'instance_action_show_create_2.84.json'],
    ['2.93', 'instance_action_show_create_2.93.json'],
  ] as const) {
    it(`the create action at ${v} has the shape of ${file}`, async () => {
      const actions = await get(`/servers/${serverId}/os-instance-actions`, v);
      expect(keysDeep(actions.body)).toEqual(keysDeep(golden('instance_actions_list_max.json').response.body));
      const create = actions.body.instanceActions.find((a: { action: string }) => a.action === 'create');
      const res = await get(`/servers/${serverId}/os-instance-actions/${create.request_id}`, v);
      expect(res.status).toBe(200);
      expect(keysDeep(res.body)).toEqual(keysDeep(golden(file).response.body));
      expect(res.body.instanceAction.events[0].details).toBeNull();
    });
  }
  it('2.83 has no details', async () => {
    const actions = await get(`/servers/${serverId}/os-instance-actions`, '2.83');
    const create = actions.body.instanceActions.find((a: { action: string }) => a.action === 'create');
    const res = await get(`/servers/${serverId}/os-instance-actions/${create.request_id}`, '2.83');
    expect(res.body.instanceAction.events[0]).not.toHaveProperty('details');
  });
});

describe('hypervisors at 2.88 and 2.93', () => {
  for (const [v, file] of [
    ['2.88', 'hypervisors_detail_2.88.json'],
    ['2.93', 'hypervisors_detail_2.93.json'],
  ] as const) {
    it(`GET /os-hypervisors/detail at ${v} has the shape of ${file}`, async () => {
      const res = await get('/os-hypervisors/detail', v);
      expect(res.status).toBe(200);
      expect(keysDeep(res.body)).toEqual(keysDeep(golden(file).response.body));
    });
  }
  it('statistics and uptime are gone from 2.88 (404), as in Nova', async () => {
    expect((await get('/os-hypervisors/statistics', '2.88')).status).toBe(404);
    expect((await get('/os-hypervisors/statistics', '2.87')).status).toBe(200);
  });
});

describe('key pairs at 2.93', () => {
  it('generation is refused with the wording of keypair_create_generate_max_400', async () => {
    const res = await t.http
      .post(`${C}/os-keypairs`)
      .set(at('2.93'))
      .send({ keypair: { name: 'golden-kp-1795806832-d' } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(golden('keypair_create_generate_max_400.json').response.body);
  });
  it('import, list and show have the shapes of the recordings', async () => {
    const g = golden('keypair_import_max.json');
    const imported = await t.http
      .post(`${C}/os-keypairs`)
      .set(at('2.93'))
      .send(g.request.body as object);
    expect(imported.status).toBe(201);
    expect(imported.body.keypair.fingerprint).toBe(
      (g.response.body as { keypair: { fingerprint: string } }).keypair.fingerprint,
    );
    expect(keysDeep(imported.body)).toEqual(keysDeep(g.response.body));
    expect(keysDeep((await get('/os-keypairs', '2.93')).body)).toEqual(
      keysDeep(golden('keypairs_list_max.json').response.body),
    );
    const show = await get(`/os-keypairs/${imported.body.keypair.name}`, '2.93');
    expect(keysDeep(show.body)).toEqual(keysDeep(golden('keypair_show_max.json').response.body));
  });
});

describe('the rest of the recordings at max', () => {
  it("limits, flavors, services and server groups have Nova's shapes", async () => {
    expect(keysDeep((await get('/limits', '2.93')).body)).toEqual(keysDeep(golden('limits_max.json').response.body));
    expect(keysDeep((await get('/flavors/1', '2.93')).body)).toEqual(
      keysDeep(golden('flavor_show_max.json').response.body),
    );
    expect(keysDeep((await get('/flavors/detail', '2.93')).body)).toEqual(
      keysDeep(golden('flavors_detail_2.93.json').response.body),
    );
    expect(keysDeep((await get('/os-services', '2.93')).body)).toEqual(
      keysDeep(golden('services_2.93.json').response.body),
    );
    const group = await t.http
      .post(`${C}/os-server-groups`)
      .set(at('2.93'))
      .send({ server_group: { name: 'g2', policy: 'affinity' } });
    expect(keysDeep(group.body)).toEqual(keysDeep(golden('server_groups_create_max.json').response.body));
  });
  it('the version documents advertise 2.93, and beyond it is the 406 of the recordings', async () => {
    const root = await t.http.get('/compute/');
    const v21 = root.body.versions.find((v: { id: string }) => v.id === 'v2.1');
    expect(v21.version).toBe('2.93');
    expect((await t.http.get('/compute/v2.1/')).body.version.version).toBe('2.93');
    for (const [v, file] of [
      ['2.999', 'microversion_too_high_406.json'],
      ['3.0', 'microversion_unsupported_406.json'],
    ]) {
      const res = await get('/servers', v);
      expect(res.status).toBe(406);
      expect(res.body).toEqual(golden(file).response.body);
    }
    const latest = await get('/servers', 'latest');
    expect(latest.headers['openstack-api-version']).toBe('compute 2.93');
  });
});
