// Servers API on the fake driver: create, show, list, update, delete, the state machine and the
// worker, and the response shapes per microversion against Nova's golden recordings.
import { PRIVATE_NETWORK_ID } from '../../src/compute/servers/networks.js';
import fs from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';
import type { ImageRow } from '../../src/db/repositories/images-repo.js';
import { DriverError } from '../../src/errors.js';
import { GOLDEN_DIR } from '../helpers/golden.js';
import { sql } from '../../src/db/sql.js';

const GOLDEN = GOLDEN_DIR;
const golden = (f: string) => JSON.parse(fs.readFileSync(`${GOLDEN}/${f}`, 'utf8')).response.body;

let t: TestApp;
let image: ImageRow;
const S = '/compute/v2.1/servers';

beforeAll(async () => {
  t = await makeTestApp({ heartbeatIntervalSeconds: 3600 }); // no heartbeat runs in API tests: keep the one beat at start valid
  image = await seedImage(t.services);
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
  put: (url: string, body?: unknown) =>
    t.http
      .put(url)
      .set('X-Auth-Token', token)
      .set('OpenStack-API-Version', `compute ${version}`)
      .send(body as object),
  get: (url: string) => t.http.get(url).set('X-Auth-Token', token).set('OpenStack-API-Version', `compute ${version}`),
  del: (url: string) =>
    t.http.delete(url).set('X-Auth-Token', token).set('OpenStack-API-Version', `compute ${version}`),
});
const admin = (v = '2.1') => as(t.adminToken, v);

async function boot(body: Record<string, unknown> = {}, version = '2.79', token = t.adminToken): Promise<string> {
  const server = {
    name: 'vm',
    imageRef: image.id,
    flavorRef: '1',
    ...(version >= '2.37' || version.length > 3 ? { networks: 'none' } : {}),
    ...body,
  };
  const res = await as(token, version).post(S, { server });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  await t.services.worker.drain();
  return res.body.server.id;
}

describe('create', () => {
  it("202 with exactly Nova's keys, a Location header, and the server goes BUILD → ACTIVE", async () => {
    t.fake.delay('spawn', 100);
    const res = await admin('2.1').post(S, {
      server: { name: 'golden-1', imageRef: image.id, flavorRef: '1', metadata: { role: 'golden' } },
    });
    expect(res.status).toBe(202);
    expect(Object.keys(res.body.server).sort()).toEqual(
      Object.keys(golden('server_create_202_2.1.json').server).sort(),
    );
    expect(res.body.server.adminPass).toMatch(/^[A-Za-z0-9]{12}$/);
    expect(res.headers.location).toMatch(new RegExp(`/compute/v2\\.1/servers/${res.body.server.id}$`));
    const during = await admin().get(`${S}/${res.body.server.id}`);
    expect(during.body.server.status).toBe('BUILD');
    expect(['scheduling', 'spawning']).toContain(during.body.server['OS-EXT-STS:task_state']);
    await t.services.worker.drain();
    const after = await admin().get(`${S}/${res.body.server.id}`);
    expect(after.body.server).toMatchObject({
      status: 'ACTIVE',
      'OS-EXT-STS:vm_state': 'active',
      'OS-EXT-STS:power_state': 1,
      'OS-EXT-STS:task_state': null,
    });
    expect(after.body.server['OS-SRV-USG:launched_at']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    expect(after.body.server.addresses.private[0]).toMatchObject({ version: 4, 'OS-EXT-IPS:type': 'fixed' });
  });

  it('the container gets the flavor limits, a DNS-safe hostname, a config drive and no privileges', async () => {
    const id = await boot({
      name: 'My Web_Server.1',
      flavorRef: '6',
      metadata: { a: 'b' },
      user_data: Buffer.from('#!/bin/sh\necho hi').toString('base64'),
    });
    const c = t.fake.containers.get(id)!;
    expect(c.spec).toMatchObject({ memoryMb: 64, vcpus: 1, hostname: 'my-web-server-1', interfaces: [] });
    expect(c.spec.pidsLimit).toBeGreaterThan(0);
    const drive = c.spec.mounts!.find((m) => m.target === '/mnt/config')!;
    const meta = JSON.parse(fs.readFileSync(`${drive.source}/openstack/latest/meta_data.json`, 'utf8'));
    expect(meta).toMatchObject({ uuid: id, name: 'My Web_Server.1', meta: { a: 'b' } });
    expect(fs.readFileSync(`${drive.source}/openstack/latest/user_data`, 'utf8')).toBe('#!/bin/sh\necho hi');
  });

  it('the key pair reaches /root/.ssh/authorized_keys', async () => {
    const pub = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBdCBumRJ9DG1bbvcjQXo7lk8G5RVTDvxpKa4RHxNp4Z test@example';
    const kp = await admin('2.2').post('/compute/v2.1/os-keypairs', { keypair: { name: 'kp-c', public_key: pub } });
    expect(kp.status).toBe(201);
    const id = await boot({ key_name: 'kp-c' });
    const ssh = t.fake.containers.get(id)!.spec.mounts!.find((m) => m.target === '/root/.ssh')!;
    expect(fs.readFileSync(`${ssh.source}/authorized_keys`, 'utf8')).toBe(`${pub}\n`);
    const show = await admin().get(`${S}/${id}`);
    expect(show.body.server.key_name).toBe('kp-c');
    const bad = await admin('2.79').post(S, {
      server: { name: 'x', imageRef: image.id, flavorRef: '1', networks: 'none', key_name: 'nope' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.badRequest.message).toBe('Invalid key_name provided.');
  });

  it('imageRef and flavorRef may be links', async () => {
    const id = await boot({ imageRef: `http://x/compute/images/${image.id}`, flavorRef: 'http://x/compute/flavors/1' });
    expect((await admin().get(`${S}/${id}`)).body.server.flavor.id).toBe('1');
  });

  it("Nova's 400s: missing name, unknown key, bad flavor, bad image, networks by microversion", async () => {
    const missing = await admin().post(S, { server: { imageRef: image.id, flavorRef: '1' } });
    expect(missing.status).toBe(400);
    expect(missing.body.badRequest.message).toBe(
      `Invalid input for field/attribute server. Value: {'imageRef': '${image.id}', 'flavorRef': '1'}. 'name' is a required property`,
    );
    const unknown = await admin().post(S, { server: { name: 'bad', imageRef: image.id, flavorRef: '1', bogus: 1 } });
    expect(unknown.body.badRequest.message).toBe(
      `Invalid input for field/attribute server. Value: {'name': 'bad', 'imageRef': '${image.id}', 'flavorRef': '1', 'bogus': 1}. Additional properties are not allowed ('bogus' was unexpected)`,
    );
    const flavor = await admin().post(S, { server: { name: 'bad', imageRef: image.id, flavorRef: 'nope' } });
    expect(flavor.body).toEqual(golden('server_create_bad_flavor_400.json'));
    const img = await admin().post(S, {
      server: { name: 'bad', imageRef: 'e64e57cc-835a-412d-aa62-fc87a8499b3e', flavorRef: '1' },
    });
    expect(img.body).toEqual(golden('server_create_bad_image_400.json'));
    const none21 = await admin().post(S, {
      server: { name: 'bad', imageRef: image.id, flavorRef: '1', networks: 'none' },
    });
    expect(none21.body).toEqual(golden('server_create_networks_none_2.1_400.json'));
    const noNet237 = await admin('2.37').post(S, { server: { name: 'bad', imageRef: image.id, flavorRef: '1' } });
    expect(noNet237.status).toBe(400);
    expect(noNet237.body.badRequest.message).toMatch(/'networks' is a required property/);
    const malformed = await t.http
      .post(S)
      .set('X-Auth-Token', t.adminToken)
      .set('Content-Type', 'application/json')
      .send('{not json');
    expect(malformed.body).toEqual(golden('server_create_malformed_json_400.json'));
    const desc21 = await admin('2.18').post(S, {
      server: { name: 'x', imageRef: image.id, flavorRef: '1', description: 'd' },
    });
    expect(desc21.status).toBe(400);
    const badUserData = await admin().post(S, {
      server: { name: 'x', imageRef: image.id, flavorRef: '1', user_data: 'not base64!' },
    });
    expect(badUserData.status).toBe(400);
    const tooLong = await admin().post(S, {
      server: { name: 'x', imageRef: image.id, flavorRef: '1', user_data: 'A'.repeat(65536) },
    });
    expect(tooLong.status).toBe(400);
  });

  it('networks auto, none and a list naming the private network', async () => {
    const privateNet = `novadock-${PRIVATE_NETWORK_ID}`;
    const auto = await boot({ networks: 'auto' });
    expect(t.fake.containers.get(auto)!.spec.interfaces.map((i) => i.network)).toEqual([privateNet]);
    const none = await boot({ networks: 'none' });
    expect((await admin().get(`${S}/${none}`)).body.server.addresses).toEqual({});
    expect(t.fake.containers.get(none)!.spec.interfaces).toEqual([]);
    const listed = await boot({ networks: [{ uuid: PRIVATE_NETWORK_ID }] });
    expect(t.fake.containers.get(listed)!.spec.interfaces.map((i) => i.network)).toEqual([privateNet]);
    const unknown = await admin('2.79').post(S, {
      server: {
        name: 'x',
        imageRef: image.id,
        flavorRef: '1',
        networks: [{ uuid: '5e1e5b4c-6f1c-4a4c-9d3c-3b7a7d0f4e11' }],
      },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.badRequest.message).toBe('Network 5e1e5b4c-6f1c-4a4c-9d3c-3b7a7d0f4e11 could not be found.');
  });

  it("multi-create: Nova's -N names, one reservation id, return_reservation_id", async () => {
    const res = await admin('2.79').post(S, {
      server: {
        name: 'multi',
        imageRef: image.id,
        flavorRef: '1',
        networks: 'none',
        min_count: 2,
        max_count: 2,
        return_reservation_id: true,
      },
    });
    expect(res.status).toBe(202);
    expect(Object.keys(res.body)).toEqual(['reservation_id']);
    await t.services.worker.drain();
    const list = await admin('2.79').get(
      `${S}/detail?reservation_id=${res.body.reservation_id}&sort_key=display_name&sort_dir=asc`,
    );
    expect(list.body.servers.map((s: { name: string }) => s.name)).toEqual(['multi-1', 'multi-2']);
    expect(list.body.servers.map((s: Record<string, unknown>) => s['OS-EXT-SRV-ATTR:launch_index'])).toEqual([0, 1]);
    expect(list.body.servers.every((s: { status: string }) => s.status === 'ACTIVE')).toBe(true);
    const bad = await admin('2.79').post(S, {
      server: { name: 'm', imageRef: image.id, flavorRef: '1', networks: 'none', min_count: 3, max_count: 2 },
    });
    expect(bad.status).toBe(400);
  });

  it('description (2.19), tags (2.52), accessIPs at create', async () => {
    const id = await boot({
      description: 'golden max',
      tags: ['t1', 't2'],
      accessIPv4: '192.0.2.1',
      accessIPv6: '2001:db8::1',
    });
    const s = (await admin('2.79').get(`${S}/${id}`)).body.server;
    expect(s).toMatchObject({
      description: 'golden max',
      tags: ['t1', 't2'],
      accessIPv4: '192.0.2.1',
      accessIPv6: '2001:db8::1',
    });
    const early = await admin('2.51').post(S, {
      server: { name: 'x', imageRef: image.id, flavorRef: '1', networks: 'none', tags: ['a'] },
    });
    expect(early.status).toBe(400);
  });
});

describe('failures', () => {
  it('a failing spawn leaves ERROR with a fault, no container, task_state None', async () => {
    t.fake.failNext('spawn', new DriverError('boom: no such image'));
    const id = await boot();
    const s = (await admin('2.79').get(`${S}/${id}`)).body.server;
    expect(s).toMatchObject({
      status: 'ERROR',
      'OS-EXT-STS:vm_state': 'error',
      'OS-EXT-STS:task_state': null,
      'OS-EXT-STS:power_state': 0,
    });
    expect(s.fault).toMatchObject({ code: 500, message: 'boom: no such image' });
    expect(s.fault.created).toMatch(/Z$/);
    expect(t.fake.containers.has(id)).toBe(false);
    expect(t.fake.calls).toContain(`destroy ${id}`);
  });

  it('a failing image load leaves ERROR with a fault', async () => {
    const broken = await seedImage(t.services, {
      data: Buffer.from('this is not a tarball at all, not even close'.repeat(20)),
    });
    const id = await boot({ imageRef: broken.id });
    const s = (await admin().get(`${S}/${id}`)).body.server;
    expect(s.status).toBe('ERROR');
    expect(s.fault.message).toMatch(/not a valid Docker image|could not be/);
  });

  it('no valid host: ERROR with NoValidHost', async () => {
    const host = (await t.services.hostsRepo.list())[0];
    await t.services.hostsRepo.update(host.id, { disabled: true });
    try {
      const id = await boot();
      const s = (await admin().get(`${S}/${id}`)).body.server;
      expect(s.status).toBe('ERROR');
      expect(s.fault.message).toBe('No valid host was found. There are not enough hosts available.');
    } finally {
      await t.services.hostsRepo.update(host.id, { disabled: false });
    }
  });
});

describe('delete', () => {
  it('204, container removed, 404 after, DELETED under changes-since', async () => {
    const before = new Date(Date.now() - 1000).toISOString();
    const id = await boot();
    expect(t.fake.containers.has(id)).toBe(true);
    const res = await admin().del(`${S}/${id}`);
    expect(res.status).toBe(204);
    const during = await admin().get(`${S}/${id}`);
    if (during.status === 200) expect(during.body.server['OS-EXT-STS:task_state']).toBe('deleting');
    await t.services.worker.drain();
    expect(t.fake.containers.has(id)).toBe(false);
    expect((await admin().get(`${S}/${id}`)).status).toBe(404);
    const since = await admin().get(`${S}/detail?changes-since=${encodeURIComponent(before)}`);
    const gone = since.body.servers.find((s: { id: string }) => s.id === id);
    expect(gone).toMatchObject({ status: 'DELETED', 'OS-EXT-STS:vm_state': 'deleted' });
    expect(gone['OS-SRV-USG:terminated_at']).not.toBeNull();
    const plain = await admin().get(`${S}/detail`);
    expect(plain.body.servers.some((s: { id: string }) => s.id === id)).toBe(false);
  });

  it('during a build: 204, the build stops, no container, no ERROR', async () => {
    t.fake.delay('spawn', 150);
    const res = await admin('2.79').post(S, {
      server: { name: 'doomed', imageRef: image.id, flavorRef: '1', networks: 'none' },
    });
    const id = res.body.server.id;
    await new Promise((r) => setTimeout(r, 30));
    expect((await admin().del(`${S}/${id}`)).status).toBe(204);
    await t.services.worker.drain();
    expect(t.fake.containers.has(id)).toBe(false);
    expect((await admin().get(`${S}/${id}`)).status).toBe(404);
    const row = await t.services.instancesRepo.findByUuid(id);
    expect(row).toMatchObject({ deleted: true, vm_state: 'deleted', task_state: null });
  });

  it('from ERROR, and quota is released', async () => {
    const p = await makeProjectUser(t, 'quota-del');
    const used = async () => (await t.services.quotas.usage(p.projectId)).instances;
    t.fake.failNext('spawn');
    const id = await boot({}, '2.79', p.token);
    expect(await used()).toBe(1);
    expect((await as(p.token).del(`${S}/${id}`)).status).toBe(204);
    await t.services.worker.drain();
    expect(await used()).toBe(0);
  });
});

describe('visibility', () => {
  it("another project's server is 404; non-admins list only their project; all_tenants for admins", async () => {
    const a = await makeProjectUser(t, 'vis-a');
    const b = await makeProjectUser(t, 'vis-b');
    const idA = await boot({ name: 'of-a' }, '2.79', a.token);
    expect((await as(b.token).get(`${S}/${idA}`)).status).toBe(404);
    expect((await as(b.token).del(`${S}/${idA}`)).status).toBe(404);
    const listB = await as(b.token).get(`${S}/detail`);
    expect(listB.body.servers).toEqual([]);
    const listA = await as(a.token).get(`${S}`);
    expect(listA.body.servers.map((s: { id: string }) => s.id)).toEqual([idA]);
    const shownA = (await as(a.token, '2.79').get(`${S}/${idA}`)).body.server;
    expect(shownA['OS-EXT-SRV-ATTR:host']).toBeUndefined();
    expect(shownA.host_status).toBeUndefined();
    const all = await admin().get(`${S}?all_tenants=1`);
    expect(all.body.servers.some((s: { id: string }) => s.id === idA)).toBe(true);
    const byTenant = await admin().get(`${S}?all_tenants=1&tenant_id=${a.projectId}`);
    expect(byTenant.body.servers.map((s: { id: string }) => s.id)).toEqual([idA]);
    const own = await admin().get(`${S}`);
    expect(own.body.servers.some((s: { id: string }) => s.id === idA)).toBe(false);
    expect((await as(b.token).get(`${S}?all_tenants=1`)).status).toBe(403);
  });

  it('unknown and malformed ids are 404', async () => {
    expect((await admin().get(`${S}/304b060e-8652-4c1e-82eb-da948a71b52d`)).body).toEqual(
      golden('server_show_404.json').itemNotFound
        ? { itemNotFound: { code: 404, message: 'Instance 304b060e-8652-4c1e-82eb-da948a71b52d could not be found.' } }
        : {},
    );
    const name = await admin().get(`${S}/test`);
    expect(name.status).toBe(404);
    expect(name.body.itemNotFound.message).toBe('Instance test could not be found.');
  });
});

describe('2.74 requested destination', () => {
  it('an admin may name the host; a missing host is 400; a non-admin is 403', async () => {
    const host = (await t.services.hostsRepo.list())[0];
    const id = await boot({ host: host.name });
    expect((await admin('2.79').get(`${S}/${id}`)).body.server['OS-EXT-SRV-ATTR:host']).toBe(host.name);
    const missing = await admin('2.79').post(S, {
      server: { name: 'x', imageRef: image.id, flavorRef: '1', networks: 'none', hypervisor_hostname: 'nowhere' },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.badRequest.message).toBe('Compute host nowhere could not be found.');
    const p = await makeProjectUser(t, 'dest-user');
    const denied = await as(p.token, '2.79').post(S, {
      server: { name: 'x', imageRef: image.id, flavorRef: '1', networks: 'none', host: host.name },
    });
    expect(denied.status).toBe(403);
    const early = await admin('2.73').post(S, {
      server: { name: 'x', imageRef: image.id, flavorRef: '1', networks: 'none', host: host.name },
    });
    expect(early.status).toBe(400);
  });
});

describe('2.63 trusted_image_certificates', () => {
  it('kept from create and shown; null when not given; refused before 2.63', async () => {
    const id = await boot({ trusted_image_certificates: ['cert-a', 'cert-b'] });
    expect((await admin('2.63').get(`${S}/${id}`)).body.server.trusted_image_certificates).toEqual([
      'cert-a',
      'cert-b',
    ]);
    const plain = await boot();
    expect((await admin('2.79').get(`${S}/${plain}`)).body.server.trusted_image_certificates).toBeNull();
    const early = await admin('2.62').post(S, {
      server: { name: 'x', imageRef: image.id, flavorRef: '1', networks: 'none', trusted_image_certificates: ['c'] },
    });
    expect(early.status).toBe(400);
  });
});

describe('start-up recovery: no server stays in BUILD or deleting forever', () => {
  it('a build without a task row goes to ERROR; a delete without one is queued again; a build resumed too often fails', async () => {
    const building = await boot();
    const deleting = await boot();
    const looping = await boot();
    const db = sql(t.services.db);
    await db('instances').where({ uuid: building }).update({ vm_state: 'building', task_state: 'spawning' });
    await db('instances').where({ uuid: deleting }).update({ task_state: 'deleting' });
    await db('instances').where({ uuid: looping }).update({ vm_state: 'building', task_state: 'spawning' });
    const past = new Date(Date.now() - 60_000).toISOString();
    await db('compute_tasks').insert({
      instance_uuid: looping,
      kind: 'build',
      payload: JSON.stringify({ image }),
      attempts: 3,
      claimed_by: 'dead',
      lease_until: past,
      created_at: past,
    });
    t.services.worker.start();
    try {
      const deadline = Date.now() + 10_000;
      const state = async (id: string) => (await t.services.instancesRepo.findByUuid(id))!;
      while (Date.now() < deadline) {
        const [a, b, c] = await Promise.all([state(building), state(deleting), state(looping)]);
        if (a.vm_state === 'error' && b.deleted && c.vm_state === 'error') break;
        await new Promise((r) => setTimeout(r, 20));
      }
      await t.services.worker.drain();
      const a = (await admin().get(`${S}/${building}`)).body.server;
      expect(a).toMatchObject({ status: 'ERROR', 'OS-EXT-STS:task_state': null });
      expect(a.fault.message).toMatch(/interrupted/);
      expect((await admin().get(`${S}/${deleting}`)).status).toBe(404);
      expect(t.fake.containers.has(deleting)).toBe(false);
      const c = (await admin().get(`${S}/${looping}`)).body.server;
      expect(c.status).toBe('ERROR');
      expect(c.fault.message).toMatch(/aborted: it was interrupted 3 times/);
      expect(t.fake.containers.has(looping)).toBe(false);
    } finally {
      await t.services.worker.stop();
    }
  });
});
