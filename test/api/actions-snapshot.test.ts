// createImage and createBackup on the fake driver: codes, Location vs image_id by microversion,
// the task_state steps, the image record (queued before the 202, active after), the host-load
// record, failure handling (image gone, fault, task_state back to None) and backup rotation.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';
import { type ImageRow, imageProperties } from '../../src/db/repositories/images-repo.js';
import { sql } from '../../src/db/sql.js';

let t: TestApp;
let image: ImageRow;
const S = '/compute/v2.1/servers';

beforeAll(async () => {
  t = await makeTestApp();
  image = await seedImage(t.services, { properties: { os_distro: 'busybox' } });
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

async function boot(token = t.adminToken): Promise<string> {
  const res = await as(token, '2.79').post(S, {
    server: { name: 'snap-vm', imageRef: image.id, flavorRef: '1', networks: 'none' },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  await t.services.worker.drain();
  return res.body.server.id;
}
const show = async (id: string) => (await admin('2.1').get(`${S}/${id}`)).body.server;

describe('createImage', () => {
  it('below 2.45: 202, no body, Location of the new image, which is queued at once and active after the worker', async () => {
    const id = await boot();
    t.fake.delay('snapshot', 500);
    const res = await action(id, { createImage: { name: 'snap-1', metadata: { purpose: 'test' } } }, '2.44');
    expect(res.status).toBe(202);
    expect(res.text).toBe('');
    // nova generate_image_url: the catalog image endpoint (unversioned /image here), then /images/<id>
    const m = /^http:\/\/[^/]+\/image\/images\/([0-9a-f-]{36})$/.exec(res.headers.location);
    expect(m, res.headers.location).not.toBeNull();
    const imageId = m![1];
    const queued = await t.services.imagesRepo.find(imageId);
    expect(queued).toMatchObject({ status: 'queued', name: 'snap-1' });
    const during = await show(id);
    expect(during.status).toBe('ACTIVE');
    expect(['image_snapshot_pending', 'image_snapshot']).toContain(during['OS-EXT-STS:task_state']);
    await t.services.worker.drain();
    const done = (await t.services.imagesRepo.find(imageId))!;
    expect(done).toMatchObject({ status: 'active', container_format: 'docker', disk_format: 'raw' });
    expect(done.size).toBeGreaterThan(0);
    const props = imageProperties(done);
    expect(props).toMatchObject({
      image_type: 'snapshot',
      instance_uuid: id,
      base_image_ref: image.id,
      purpose: 'test',
      os_distro: 'busybox',
    });
    const server = (await t.services.instancesRepo.findByUuid(id))!;
    expect(done.owner).toBe(server.project_id);
    expect((await show(id))['OS-EXT-STS:task_state']).toBeNull();
    // the committed Docker image is recorded as loaded on this host: booting the snapshot needs no load
    const load = await t.services.imagesRepo.findHostLoad(imageId, server.host_id!);
    expect(load && t.fake.images.has(load.docker_image_id)).toBe(true);
    expect(t.fake.calls.filter((c) => c.startsWith('snapshot '))).toContain(`snapshot ${id}`);
    const steps = t.fake.calls.slice(-3);
    expect(steps.some((c) => c.startsWith('saveImage '))).toBe(true);
    const loadsBefore = t.fake.calls.filter((c) => c.startsWith('loadImage')).length;
    const res2 = await admin('2.79').post(S, {
      server: { name: 'from-snap', imageRef: imageId, flavorRef: '1', networks: 'none' },
    });
    expect(res2.status).toBe(202);
    await t.services.worker.drain();
    expect((await show(res2.body.server.id)).status).toBe('ACTIVE');
    expect(t.fake.calls.filter((c) => c.startsWith('loadImage')).length).toBe(loadsBefore);
  });

  it('from 2.45: {"image_id"} and no Location', async () => {
    const id = await boot();
    const res = await action(id, { createImage: { name: 'snap-245' } }, '2.45');
    expect(res.status).toBe(202);
    expect(Object.keys(res.body)).toEqual(['image_id']);
    expect(res.headers.location).toBeUndefined();
    await t.services.worker.drain();
    expect((await t.services.imagesRepo.find(res.body.image_id))!.status).toBe('active');
  });

  it("the snapshot needs at least the server's root disk (min_disk, Nova's image_min_disk) and keeps the base image's min_ram", async () => {
    const base = await seedImage(t.services, { name: 'min-base', minRam: 128 });
    const res = await admin('2.79').post(S, {
      server: { name: 'small-disk', imageRef: base.id, flavorRef: '2', networks: 'none' },
    });
    expect(res.status).toBe(202);
    await t.services.worker.drain();
    const snap = await action(res.body.server.id, { createImage: { name: 'snap-min' } }, '2.45');
    expect(snap.status).toBe(202);
    await t.services.worker.drain();
    // m1.small has a 20 GB root disk; the base image asked for none
    expect(await t.services.imagesRepo.find(snap.body.image_id)).toMatchObject({
      status: 'active',
      min_disk: 20,
      min_ram: 128,
    });
  });

  it('allowed from SHUTOFF, PAUSED, SUSPENDED; 409 while another task runs and from other states', async () => {
    const id = await boot();
    expect((await action(id, { pause: null })).status).toBe(202);
    await t.services.worker.drain();
    expect((await action(id, { createImage: { name: 'p' } })).status).toBe(202);
    await t.services.worker.drain();
    expect((await action(id, { unpause: null })).status).toBe(202);
    await t.services.worker.drain();
    expect((await action(id, { 'os-stop': null })).status).toBe(202);
    await t.services.worker.drain();
    t.fake.delay('snapshot', 500);
    expect((await action(id, { createImage: { name: 's' } })).status).toBe(202);
    const busy = await action(id, { createImage: { name: 'again' } });
    expect(busy.status).toBe(409);
    expect(busy.body.conflictingRequest.message).toMatch(
      new RegExp(`^Cannot 'createImage' instance ${id} while it is in task_state image_snapshot`),
    );
    await t.services.worker.drain();
    expect((await show(id)).status).toBe('SHUTOFF');
    // ERROR is not allowed
    await t.services.instancesRepo.update(id, { vm_state: 'error' });
    const err = await action(id, { createImage: { name: 'x' } });
    expect(err.status).toBe(409);
    expect(err.body.conflictingRequest.message).toBe(
      `Cannot 'createImage' instance ${id} while it is in vm_state error`,
    );
  });

  it('400 for a missing name, an unknown key or bad metadata', async () => {
    const id = await boot();
    expect((await action(id, { createImage: {} })).status).toBe(400);
    expect((await action(id, { createImage: { name: 'a', bogus: 1 } })).status).toBe(400);
    expect((await action(id, { createImage: { name: 'a', metadata: { k: 1 } } })).status).toBe(400);
  });

  it('a failed commit deletes the image, records a fault and puts task_state back to None', async () => {
    const id = await boot();
    t.fake.failNext('snapshot');
    const res = await action(id, { createImage: { name: 'doomed' } }, '2.45');
    expect(res.status).toBe(202);
    await t.services.worker.drain();
    expect(await t.services.imagesRepo.find(res.body.image_id)).toBeUndefined();
    const s = await show(id);
    expect(s).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:task_state': null });
    const faults = await sql(t.services.db)('instance_faults').where({ instance_uuid: id });
    expect(faults.map((f: { message: string }) => f.message)).toContain('injected snapshot failure');
  });

  it("another project's server is 404; a member may snapshot its own server, owned by its project", async () => {
    const other = await makeProjectUser(t, 'snap-other');
    const mine = await boot(other.token);
    const adminServer = await boot();
    expect((await action(adminServer, { createImage: { name: 'x' } }, '2.45', other.token)).status).toBe(404);
    const res = await action(mine, { createImage: { name: 'mine' } }, '2.45', other.token);
    expect(res.status).toBe(202);
    await t.services.worker.drain();
    expect((await t.services.imagesRepo.find(res.body.image_id))!.owner).toBe(other.projectId);
  });
});

describe('resumed after a restart', () => {
  it('a snapshot task found half-way (image_uploading) fails cleanly: image deleted, task_state None, fault', async () => {
    const id = await boot();
    const img = await t.services.images.createSnapshot({ userId: 'u', projectId: null, roles: ['admin'] } as never, {
      name: 'half',
      instanceUuid: id,
      baseImageRef: null,
      ownerProjectId: 'p',
    });
    await t.services.instancesRepo.update(id, { task_state: 'image_uploading' });
    await sql(t.services.db).transaction((trx) =>
      t.services.worker.enqueue(trx, {
        instanceUuid: id,
        kind: 'snapshot',
        payload: { imageId: img.id, imageType: 'snapshot' },
      }),
    );
    await t.services.worker.drain();
    expect(await t.services.imagesRepo.find(img.id)).toBeUndefined();
    expect((await show(id))['OS-EXT-STS:task_state']).toBeNull();
    const faults = await sql(t.services.db)('instance_faults').where({ instance_uuid: id });
    expect(faults.map((f: { message: string }) => f.message)).toContain(
      'Snapshot was interrupted by a service restart.',
    );
  });
});

describe('createBackup', () => {
  const backups = async (id: string, type: string) =>
    (await sql(t.services.db)('images').select('id', 'properties', 'name'))
      .filter((r: { properties: string }) => {
        const p = imageProperties(r);
        return p.instance_uuid === id && p.image_type === 'backup' && p.backup_type === type;
      })
      .map((r: { name: string }) => r.name)
      .sort();

  it('image_type=backup with backup_type; rotation keeps only the newest N of that server and type', async () => {
    const id = await boot();
    for (const n of ['b1', 'b2', 'b3']) {
      const res = await action(id, { createBackup: { name: n, backup_type: 'daily', rotation: 2 } }, '2.44');
      expect(res.status).toBe(202);
      expect(res.headers.location).toMatch(/\/image\/images\/[0-9a-f-]{36}$/);
      await t.services.worker.drain();
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(await backups(id, 'daily')).toEqual(['b2', 'b3']);
    const weekly = await action(id, { createBackup: { name: 'w1', backup_type: 'weekly', rotation: '1' } }, '2.45');
    expect(Object.keys(weekly.body)).toEqual(['image_id']);
    await t.services.worker.drain();
    expect(await backups(id, 'weekly')).toEqual(['w1']);
    expect(await backups(id, 'daily')).toEqual(['b2', 'b3']);
    const during = await t.services.imagesRepo.find(weekly.body.image_id);
    expect(imageProperties(during!)).toMatchObject({ image_type: 'backup', backup_type: 'weekly' });
  });

  it('rotation 0 deletes every backup of that type (the new one too) and gives no Location', async () => {
    const id = await boot();
    await action(id, { createBackup: { name: 'z1', backup_type: 'hourly', rotation: 5 } });
    await t.services.worker.drain();
    const res = await action(id, { createBackup: { name: 'z2', backup_type: 'hourly', rotation: 0 } }, '2.44');
    expect(res.status).toBe(202);
    expect(res.headers.location).toBeUndefined();
    await t.services.worker.drain();
    expect(await backups(id, 'hourly')).toEqual([]);
  });

  it('400 without backup_type or rotation, or with a negative rotation', async () => {
    const id = await boot();
    expect((await action(id, { createBackup: { name: 'x', rotation: 1 } })).status).toBe(400);
    expect((await action(id, { createBackup: { name: 'x', backup_type: 'd' } })).status).toBe(400);
    expect((await action(id, { createBackup: { name: 'x', backup_type: 'd', rotation: -1 } })).status).toBe(400);
  });
});
