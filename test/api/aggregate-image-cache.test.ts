// 2.81 POST /os-aggregates/{id}/images: Nova's rules (admin only, body schema, integer id,
// duplicates, unknown aggregate 404, unknown image 400) and the work behind the 202: the worker
// loads each image on each host of the aggregate (and on no other host), skips a host that is
// down, and logs a load that fails without stopping the others.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { seedImage, unlimitedQuota, waitForStatus } from '../helpers/servers.js';
import { makeRootfsTar } from '../helpers/image-tar.js';
import type { FakeDriver } from '../../src/virt/fake/fake-driver.js';
import type { ImageRow } from '../../src/db/repositories/images-repo.js';

let t: TestApp;
let member: { token: string };
const A = '/compute/v2.1/os-aggregates';
const post = (id: string | number, body: unknown, v = '2.81', token?: string) =>
  t.http
    .post(`${A}/${id}/images`)
    .set('X-Auth-Token', token ?? t.adminToken)
    .set('OpenStack-API-Version', `compute ${v}`)
    .send(body as object);
const cache = (...ids: string[]) => ({ cache: ids.map((id) => ({ id })) });

async function fakeOf(name: string): Promise<FakeDriver> {
  const host = (await t.services.hostsRepo.findByName(name))!;
  return (await t.services.hosts.driverFor(host.id)) as FakeDriver;
}
async function hostId(name: string): Promise<number> {
  return (await t.services.hostsRepo.findByName(name))!.id;
}
const loads = async (name: string) =>
  (await fakeOf(name)).calls.filter((c) => c.startsWith('loadImage') || c.startsWith('importImage'));
async function clearCalls(): Promise<void> {
  for (const h of await t.services.hostsRepo.list())
    ((await t.services.hosts.driverFor(h.id)) as FakeDriver).calls.length = 0;
}

beforeAll(async () => {
  t = await makeTestApp({
    heartbeatIntervalSeconds: 3600,
    computeHosts: [
      { name: 'cache-a1', dockerUrl: 'unix:///tmp/fake-cache-a1.sock', availabilityZone: 'zone-a' },
      { name: 'cache-a2', dockerUrl: 'unix:///tmp/fake-cache-a2.sock', availabilityZone: 'zone-a' },
      { name: 'cache-b1', dockerUrl: 'unix:///tmp/fake-cache-b1.sock', availabilityZone: 'zone-b' },
    ],
  });
  await unlimitedQuota(t.services);
  member = await makeProjectUser(t, 'image-cache', 'member');
});
afterAll(async () => {
  await t.close();
});

describe('POST /os-aggregates/{id}/images: the request', () => {
  let image: ImageRow;
  beforeAll(async () => {
    image = await seedImage(t.services);
  });

  it('exists from 2.81 only', async () => {
    expect((await post(1, cache(image.id), '2.80')).status).toBe(404);
  });

  it('is for admins (compute:aggregates:images)', async () => {
    const res = await post(1, cache(image.id), '2.81', member.token);
    expect(res.status).toBe(403);
    expect(res.body.forbidden.message).toBe("Policy doesn't allow compute:aggregates:images to be performed.");
  });

  it('checks the body as aggregate_images_v2_81 does', async () => {
    const cases: [unknown, string][] = [
      [{}, "'cache' is a required property"],
      [{ cache: [] }, 'Invalid input for field/attribute cache. Value: []. [] is too short'],
      [
        { cache: [{ id: 'not-a-uuid' }] },
        "Invalid input for field/attribute id. Value: not-a-uuid. 'not-a-uuid' is not a 'uuid'",
      ],
      [{ cache: [{}] }, "'id' is a required property"],
      [{ cache: [{ id: image.id, name: 'x' }] }, "Additional properties are not allowed ('name' was unexpected)"],
      [{ cache: [image.id] }, `'${image.id}' is not of type 'object'`],
      [{ cache: { id: image.id } }, "is not of type 'array'"],
      [{ ...cache(image.id), force: true }, "Additional properties are not allowed ('force' was unexpected)"],
    ];
    for (const [body, message] of cases) {
      const res = await post(1, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.badRequest.message).toContain(message);
    }
  });

  it('needs an integer aggregate id', async () => {
    const res = await post('zone-a', cache(image.id));
    expect(res.status).toBe(400);
    expect(res.body.badRequest.message).toBe('Invalid input received: id must be an integer');
  });

  it('refuses an image given twice, before looking the aggregate up', async () => {
    const res = await post(99, cache(image.id, image.id));
    expect(res.status).toBe(400);
    expect(res.body.badRequest.message).toBe('Duplicate images in request');
  });

  it('answers 404 for an unknown aggregate and 400 for an unknown image', async () => {
    const missing = await post(99, cache(image.id));
    expect(missing.status).toBe(404);
    expect(missing.body.itemNotFound.message).toBe('Aggregate 99 could not be found.');
    const unknown = randomUUID();
    const res = await post(1, cache(image.id, unknown));
    expect(res.status).toBe(400);
    expect(res.body.badRequest.message).toBe(`Image ${unknown} could not be found.`);
  });
});

describe('POST /os-aggregates/{id}/images: the work', () => {
  it('loads each image once on each host of the aggregate, and nowhere else', async () => {
    const aggregates = (
      await t.http.get(A).set('X-Auth-Token', t.adminToken).set('OpenStack-API-Version', 'compute 2.81')
    ).body.aggregates;
    const zoneA = aggregates.find((a: { name: string }) => a.name === 'zone-a');
    expect(zoneA.hosts).toEqual(['cache-a1', 'cache-a2']);
    const archive = await seedImage(t.services, { name: 'docker-save' });
    const rootfs = await seedImage(t.services, { name: 'rootfs', data: makeRootfsTar() });
    await clearCalls();
    const res = await post(zoneA.id, cache(archive.id, rootfs.id));
    expect(res.status).toBe(202);
    expect(res.text).toBe('');
    await t.services.worker.drain();
    for (const name of ['cache-a1', 'cache-a2']) {
      expect(await loads(name)).toEqual(['loadImage ', `importImage novadock/image:${rootfs.id}`]);
      for (const img of [archive, rootfs]) {
        const load = await t.services.imagesRepo.findHostLoad(img.id, await hostId(name));
        expect(await (await fakeOf(name)).imageExists(load!.docker_image_id)).toBe(true);
      }
    }
    for (const other of ['cache-b1', (await t.services.hostsRepo.list())[0].name])
      expect(await loads(other)).toEqual([]);

    // asked again: already there, nothing is loaded twice
    await clearCalls();
    expect((await post(zoneA.id, cache(archive.id))).status).toBe(202);
    await t.services.worker.drain();
    expect(await loads('cache-a1')).toEqual([]);
  });

  it('lets a later boot on a cached host use the loaded image', async () => {
    const image = await seedImage(t.services, { name: 'boot-after-cache' });
    const zoneB = (await t.services.aggregates.list()).find((a) => a.name === 'zone-b')!;
    expect((await post(zoneB.id, cache(image.id))).status).toBe(202);
    await t.services.worker.drain();
    expect(await loads('cache-b1')).toEqual(['loadImage ']);
    await clearCalls();
    const S = '/compute/v2.1/servers';
    const created = await t.http
      .post(S)
      .set('X-Auth-Token', t.adminToken)
      .set('OpenStack-API-Version', 'compute 2.81')
      .send({
        server: {
          name: 'after-cache',
          imageRef: image.id,
          flavorRef: '1',
          networks: 'none',
          availability_zone: 'zone-b',
        },
      });
    expect(created.status).toBe(202);
    await t.services.worker.drain();
    const id = created.body.server.id;
    const shown = await waitForStatus(
      () => t.http.get(`${S}/${id}`).set('X-Auth-Token', t.adminToken).set('OpenStack-API-Version', 'compute 2.81'),
      'ACTIVE',
    );
    expect(shown.server['OS-EXT-SRV-ATTR:host']).toBe('cache-b1');
    expect(await loads('cache-b1')).toEqual([]);
    expect((await fakeOf('cache-b1')).calls).toContain(`spawn ${id}`);
  });

  it('skips a host that is down, and logs a failed load without stopping the others', async () => {
    const image = await seedImage(t.services, { name: 'partly-cached' });
    const queued = { ...(await seedImage(t.services, { name: 'queued' })), id: randomUUID() };
    await t.services.imagesRepo.insert({ ...queued, status: 'queued' });
    const warn = vi.spyOn(t.services.computeManager.log, 'warn');
    await clearCalls();
    (await fakeOf('cache-a1')).failNext('loadImage', undefined, 1);
    const res = await post(1, cache(image.id, queued.id));
    expect(res.status).toBe(202); // Nova checks only that the image exists
    await t.services.worker.drain();
    // a1: the injected failure for the first image; the queued one has no data on either host
    expect(await t.services.imagesRepo.findHostLoad(image.id, await hostId('cache-a1'))).toBeUndefined();
    expect(await t.services.imagesRepo.findHostLoad(image.id, await hostId('cache-a2'))).toBeDefined();
    expect(await t.services.imagesRepo.findHostLoad(queued.id, await hostId('cache-a2'))).toBeUndefined();
    const failures = warn.mock.calls.filter(([, msg]) => msg === 'image cache: could not load the image on the host');
    expect(failures.map(([o]) => [(o as { host: string }).host, (o as { image: string }).image])).toEqual([
      ['cache-a1', image.id],
      ['cache-a1', queued.id],
      ['cache-a2', queued.id],
    ]);

    // a host that is down is skipped
    warn.mockClear();
    await clearCalls();
    await t.services.hostsRepo.update(await hostId('cache-a1'), { forced_down: true });
    try {
      expect((await post(1, cache(image.id))).status).toBe(202);
      await t.services.worker.drain();
      expect(await loads('cache-a1')).toEqual([]);
      expect(
        warn.mock.calls.some(
          ([o, msg]) => msg === 'image cache: host is not up; skipped' && (o as { host: string }).host === 'cache-a1',
        ),
      ).toBe(true);
    } finally {
      await t.services.hostsRepo.update(await hostId('cache-a1'), { forced_down: false });
      warn.mockRestore();
    }
    // the service goes on answering
    expect((await post(1, cache(image.id))).status).toBe(202);
    await t.services.worker.drain();
    expect(await t.services.imagesRepo.findHostLoad(image.id, await hostId('cache-a1'))).toBeDefined();
  });
});
