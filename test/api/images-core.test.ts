// The image service pieces compute relies on: the store (streaming, checksums, no partial files),
// getForBoot / assertBootable, snapshots, and the importer (load vs import, reuse, one load at a time).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { Readable, PassThrough, Writable } from 'node:stream';
import { makeTestApp, makeProjectUser, type TestApp } from '../helpers/app.js';
import { makeDockerSaveLikeTar, makeRootfsTar, makeTar } from '../helpers/image-tar.js';
import { seedImage } from '../helpers/servers.js';
import { assertBootable, ImageService } from '../../src/images/image-service.js';
import { ImageStore, ImageStorageFull } from '../../src/images/image-store.js';
import { peekTarFile } from '../../src/images/tar-peek.js';
import { DriverError } from '../../src/errors.js';
import type { AuthContext } from '../../src/identity/auth-context.js';
import type { ComputeDriver } from '../../src/virt/driver.js';

let t: TestApp;
let dataDir: string;

beforeEach(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'novadock-img-'));
  t = await makeTestApp({ dataDir, imageMaxBytes: 64 * 1024 });
});
afterEach(async () => {
  try {
    await t?.close();
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

async function authFor(token: string): Promise<AuthContext> {
  return (await t.services.tokens.validate(token))!;
}

async function activeImage(auth: AuthContext, data: Buffer, extra: Record<string, unknown> = {}) {
  const img = await t.services.images.create(auth, {
    name: 'img',
    container_format: 'docker',
    disk_format: 'raw',
    ...extra,
  });
  return t.services.images.uploadFromStream(img.id, Readable.from([data]));
}

const storeFiles = () =>
  fs.existsSync(path.join(dataDir, 'images')) ? fs.readdirSync(path.join(dataDir, 'images')) : [];

describe('image store', () => {
  it('streams data in, computes md5 and sha512, and becomes active', async () => {
    const admin = await authFor(t.adminToken);
    const data = Buffer.alloc(50_000, 7);
    const img = await activeImage(admin, data);
    expect(img.status).toBe('active');
    expect(img.size).toBe(data.length);
    expect(img.checksum).toBe(createHash('md5').update(data).digest('hex'));
    expect(img.os_hash_algo).toBe('sha512');
    expect(img.os_hash_value).toBe(createHash('sha512').update(data).digest('hex'));
    expect(fs.readFileSync(path.join(dataDir, 'images', img.id)).equals(data)).toBe(true);
    expect(storeFiles()).toEqual([img.id]);
  });

  it('refuses an upload above the maximum with 413, keeps no partial file, and leaves the image queued', async () => {
    const admin = await authFor(t.adminToken);
    const img = await t.services.images.create(admin, { name: 'big', container_format: 'docker', disk_format: 'raw' });
    const chunks = Array.from({ length: 10 }, () => Buffer.alloc(10_000, 1));
    await expect(t.services.images.uploadFromStream(img.id, Readable.from(chunks))).rejects.toMatchObject({
      status: 413,
    });
    expect(storeFiles()).toEqual([]);
    expect((await t.services.imagesRepo.find(img.id))!.status).toBe('queued');
  });

  it('an aborted stream leaves no file and the image queued', async () => {
    const admin = await authFor(t.adminToken);
    const img = await t.services.images.create(admin, { name: 'cut', container_format: 'docker', disk_format: 'raw' });
    const body = new PassThrough();
    const p = t.services.images.uploadFromStream(img.id, body);
    body.write(Buffer.alloc(1000));
    setTimeout(() => body.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })), 10);
    await expect(p).rejects.toMatchObject({ status: 400 });
    expect(storeFiles()).toEqual([]);
    expect((await t.services.imagesRepo.find(img.id))!.status).toBe('queued');
  });

  it('a full disk is a clean 413 failure: no partial file, image back to queued', async () => {
    // A temp file on a "disk" that fills up after 20 000 bytes.
    const fullDisk = (file: string) => {
      const real = fs.createWriteStream(file, { flags: 'wx' });
      let written = 0;
      return new Writable({
        write(chunk: Buffer, _enc, done) {
          written += chunk.length;
          if (written > 20_000)
            return done(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }));
          real.write(chunk, done);
        },
        final(done) {
          real.end(done);
        },
        destroy(err, done) {
          real.destroy();
          done(err);
        },
      });
    };
    const store = new ImageStore(dataDir, 1024 * 1024, fullDisk);
    const service = new ImageService(t.services.db, t.services.imagesRepo, store, { now: () => new Date() });
    const admin = await authFor(t.adminToken);
    const img = await service.create(admin, { name: 'full', container_format: 'docker', disk_format: 'raw' });
    const err = await service
      .uploadFromStream(img.id, Readable.from([Buffer.alloc(15_000), Buffer.alloc(15_000)]))
      .catch((e) => e);
    expect(err).toBeInstanceOf(ImageStorageFull);
    expect(err.status).toBe(413);
    expect(err.message).toBe('Image storage media is full: There is not enough disk space on the image storage media.');
    expect(storeFiles()).toEqual([]);
    expect((await t.services.imagesRepo.find(img.id))!.status).toBe('queued');
  });

  it('removes temporary files of interrupted uploads once they are old, and only those', async () => {
    const dir = path.join(dataDir, 'images');
    fs.mkdirSync(dir, { recursive: true });
    const id = '0b6e4e4c-0000-4000-8000-000000000001';
    fs.writeFileSync(path.join(dir, `${id}.upload-aaaa`), 'partial');
    fs.writeFileSync(path.join(dir, `${id}.upload-bbbb`), 'in progress');
    fs.writeFileSync(path.join(dir, id), 'complete image');
    const old = new Date(Date.now() - 3600_000);
    fs.utimesSync(path.join(dir, `${id}.upload-aaaa`), old, old);
    expect(await t.services.imageStore.removeStaleUploads()).toBe(1);
    expect(fs.readdirSync(dir).sort()).toEqual([id, `${id}.upload-bbbb`]);
  });

  it('a second upload to an active image is a 409 and does not touch the data', async () => {
    const admin = await authFor(t.adminToken);
    const img = await activeImage(admin, Buffer.from('first'));
    await expect(
      t.services.images.uploadFromStream(img.id, Readable.from([Buffer.from('second')])),
    ).rejects.toMatchObject({ status: 409 });
    expect(fs.readFileSync(path.join(dataDir, 'images', img.id), 'utf8')).toBe('first');
  });
});

describe('getForBoot and assertBootable', () => {
  it('finds visible images, hides private ones of other projects, and says ImageNotFound for names', async () => {
    const a = await makeProjectUser(t, 'proj-a');
    const b = await makeProjectUser(t, 'proj-b');
    const authA = await authFor(a.token);
    const authB = await authFor(b.token);
    const priv = await activeImage(authA, makeRootfsTar(), { visibility: 'private' });
    expect((await t.services.images.getForBoot(authA, priv.id)).id).toBe(priv.id);
    await expect(t.services.images.getForBoot(authB, priv.id)).rejects.toMatchObject({
      status: 404,
      message: `Image ${priv.id} could not be found.`,
    });
    await expect(t.services.images.getForBoot(authA, 'busybox:latest')).rejects.toMatchObject({
      status: 404,
      message: 'Image busybox:latest could not be found.',
    });
    const admin = await authFor(t.adminToken);
    const pub = await activeImage(admin, makeRootfsTar(), { visibility: 'public' });
    expect((await t.services.images.getForBoot(authB, pub.id)).id).toBe(pub.id);
  });

  it('refuses non-docker formats and images that are not active with 400', async () => {
    const admin = await authFor(t.adminToken);
    const bare = await activeImage(admin, Buffer.from('x'), { container_format: 'bare' });
    expect(() => assertBootable(bare)).toThrow(/container_format 'bare', which cannot boot here/);
    try {
      assertBootable(bare);
    } catch (e) {
      expect((e as { status: number }).status).toBe(400);
    }
    const queued = await t.services.images.create(admin, { name: 'q', container_format: 'docker', disk_format: 'raw' });
    expect(() => assertBootable(queued)).toThrow(`Image ${queued.id} is not active.`);
    const ok = await activeImage(admin, makeRootfsTar());
    expect(() => assertBootable(ok)).not.toThrow();
  });
});

describe('snapshots', () => {
  it('creates a queued private docker image owned by the server project, inheriting base properties', async () => {
    const a = await makeProjectUser(t, 'proj-snap');
    const authA = await authFor(a.token);
    const base = await activeImage(authA, makeRootfsTar(), { os_command_line: 'sleep 1000', min_ram: 64 });
    const snap = await t.services.images.createSnapshot(authA, {
      name: 'snap1',
      instanceUuid: '11111111-2222-3333-4444-555555555555',
      baseImageRef: base.id,
      metadata: { purpose: 'test' },
    });
    expect(snap).toMatchObject({
      status: 'queued',
      visibility: 'private',
      owner: a.projectId,
      container_format: 'docker',
      disk_format: 'raw',
      min_ram: 64,
    });
    const props = JSON.parse(snap.properties);
    expect(props).toMatchObject({
      image_type: 'snapshot',
      instance_uuid: '11111111-2222-3333-4444-555555555555',
      base_image_ref: base.id,
      os_command_line: 'sleep 1000',
      purpose: 'test',
    });
    const done = await t.services.images.uploadFromStream(snap.id, Readable.from([makeDockerSaveLikeTar()]));
    expect(done.status).toBe('active');
  });

  it("an admin snapshotting another project's server gives the image to that project", async () => {
    const admin = await authFor(t.adminToken);
    const snap = await t.services.images.createSnapshot(admin, {
      name: 's',
      instanceUuid: 'u',
      baseImageRef: null,
      ownerProjectId: 'other-project',
    });
    expect(snap.owner).toBe('other-project');
  });
});

describe('tar classification', () => {
  it('tells docker save archives from root filesystems and rejects what is not a tar', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'novadock-tar-'));
    try {
      const f = (name: string, data: Buffer) => {
        const p = path.join(dir, name);
        fs.writeFileSync(p, data);
        return p;
      };
      expect((await peekTarFile(f('save.tar', makeDockerSaveLikeTar()))).kind).toBe('docker-archive');
      expect(
        (
          await peekTarFile(
            f(
              'oci.tar',
              makeTar([
                { name: 'blobs/', type: 'dir' },
                { name: 'oci-layout', data: '{}' },
                { name: 'index.json', data: '{}' },
              ]),
            ),
          )
        ).kind,
      ).toBe('docker-archive');
      expect((await peekTarFile(f('rootfs.tar', makeRootfsTar()))).kind).toBe('rootfs');
      // a rootfs that happens to contain a nested manifest.json is still a rootfs
      expect((await peekTarFile(f('nested.tar', makeTar([{ name: 'app/manifest.json', data: '{}' }])))).kind).toBe(
        'rootfs',
      );
      const zlib = await import('node:zlib');
      const gz = await peekTarFile(f('save.tar.gz', zlib.gzipSync(makeDockerSaveLikeTar())));
      expect(gz).toMatchObject({ kind: 'docker-archive', compressed: true });
      await expect(peekTarFile(f('text', Buffer.from('hello, this is not a tar file'.repeat(40))))).rejects.toThrow(
        /does not start with a tar header/,
      );
      await expect(peekTarFile(f('empty', Buffer.alloc(0)))).rejects.toThrow(/empty/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('importer', () => {
  async function hostAndDriver(): Promise<{ hostId: number; driver: ComputeDriver }> {
    const host = (await t.services.hostsRepo.list())[0];
    return { hostId: host.id, driver: await t.services.hosts.driverFor(host.id) };
  }

  it('loads a docker save archive once, records it, and reuses it while the engine has it', async () => {
    const admin = await authFor(t.adminToken);
    const img = await activeImage(admin, makeDockerSaveLikeTar());
    const { hostId, driver } = await hostAndDriver();
    const id = await t.services.imageImporter.ensureLoaded(img, hostId, driver);
    expect(await driver.imageExists(id)).toBe(true);
    expect(t.fake.calls.filter((c) => c.startsWith('loadImage'))).toHaveLength(1);
    expect((await t.services.imagesRepo.findHostLoad(img.id, hostId))!.docker_image_id).toBe(id);
    expect(await t.services.imageImporter.ensureLoaded(img, hostId, driver)).toBe(id);
    expect(t.fake.calls.filter((c) => c.startsWith('loadImage'))).toHaveLength(1);
    // engine lost it: loaded again
    await driver.removeImage(id);
    expect(await t.services.imageImporter.ensureLoaded(img, hostId, driver)).toBe(id);
    expect(t.fake.calls.filter((c) => c.startsWith('loadImage'))).toHaveLength(2);
  });

  it('boots take the recorded image without asking Docker; one the engine lost is loaded again and the spawn retried', async () => {
    const image = await seedImage(t.services, { name: 'recorded' });
    const S = '/compute/v2.1/servers';
    const boot = async (name: string) => {
      const created = await t.http
        .post(S)
        .set('X-Auth-Token', t.adminToken)
        .set('OpenStack-API-Version', 'compute 2.81')
        .send({ server: { name, imageRef: image.id, flavorRef: '1', networks: 'none' } });
      expect(created.status).toBe(202);
      await t.services.worker.drain();
      const id = created.body.server.id as string;
      const shown = await t.http.get(`${S}/${id}`).set('X-Auth-Token', t.adminToken);
      expect(shown.body.server.status).toBe('ACTIVE');
      return id;
    };
    const loads = () => t.fake.calls.filter((c) => c.startsWith('loadImage')).length;
    await boot('first');
    expect(loads()).toBe(1);
    const asked = vi.spyOn(t.fake, 'imageExists');
    const second = await boot('second');
    expect(asked).not.toHaveBeenCalled();
    expect(loads()).toBe(1);
    expect(t.fake.calls.filter((c) => c === `spawn ${second}`)).toHaveLength(1);
    // the engine loses the image behind the service's back
    const { hostId } = await hostAndDriver();
    t.fake.images.delete((await t.services.imagesRepo.findHostLoad(image.id, hostId))!.docker_image_id);
    const third = await boot('third');
    expect(loads()).toBe(2);
    expect(t.fake.calls.filter((c) => c === `spawn ${third}`)).toHaveLength(2);
    asked.mockRestore();
  });

  it('imports a root filesystem tarball as novadock/image:<id>', async () => {
    const admin = await authFor(t.adminToken);
    const img = await activeImage(admin, makeRootfsTar());
    const { hostId, driver } = await hostAndDriver();
    const id = await t.services.imageImporter.ensureLoaded(img, hostId, driver);
    expect(id).toMatch(/^sha256:/);
    expect(t.fake.calls.filter((c) => c.startsWith('importImage'))).toEqual([`importImage novadock/image:${img.id}`]);
  });

  it('concurrent boots share one load', async () => {
    const admin = await authFor(t.adminToken);
    const img = await activeImage(admin, makeDockerSaveLikeTar());
    const { hostId, driver } = await hostAndDriver();
    const ids = await Promise.all(
      Array.from({ length: 5 }, () => t.services.imageImporter.ensureLoaded(img, hostId, driver)),
    );
    expect(new Set(ids).size).toBe(1);
    expect(t.fake.calls.filter((c) => c.startsWith('loadImage'))).toHaveLength(1);
  });

  it('a file that is not an image is a DriverError with a clear message', async () => {
    const admin = await authFor(t.adminToken);
    const img = await activeImage(admin, Buffer.from('definitely not a tarball '.repeat(50)));
    const { hostId, driver } = await hostAndDriver();
    const err = await t.services.imageImporter.ensureLoaded(img, hostId, driver).catch((e) => e);
    expect(err).toBeInstanceOf(DriverError);
    expect(err.message).toBe(
      `Image ${img.id} is not a valid Docker image: expected a docker save archive or a root filesystem tarball, but the file does not start with a tar header.`,
    );
    expect(await t.services.imagesRepo.findHostLoad(img.id, hostId)).toBeUndefined();
  });
});
