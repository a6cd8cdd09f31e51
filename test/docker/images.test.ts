// Images into the real Docker Engine: a `docker save` archive (plain and gzipped) is loaded, a
// root-filesystem tarball is imported, the result is recorded and reused, and bad archives fail
// with a clear DriverError. Fails (never skips) without Docker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { buildApp, type BuiltApp } from '../../src/app.js';
import { testConfig } from '../../src/config.js';
import { DriverError } from '../../src/errors.js';
import type { ComputeDriver } from '../../src/virt/driver.js';
import { passwordToken, ADMIN_PASSWORD } from '../helpers/app.js';
import { makeTar } from '../helpers/image-tar.js';
import { requireDocker, run, TEST_IMAGE } from './driver-helpers.js';

let built: BuiltApp;
let http: ReturnType<typeof request>;
let token: string;
let dataDir: string;
let driver: ComputeDriver;
let hostId: number;
const suffix = randomBytes(4).toString('hex');
const savedTag = `novadock-imgtest/save-${suffix}:v1`;
const createdTags: string[] = [];

beforeAll(async () => {
  await requireDocker();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'novadock-dimg-'));
  built = await buildApp({
    config: testConfig({ dataDir, computeDriver: 'docker' }),
    background: false,
    logger: false,
  });
  await built.app.ready();
  http = request(built.app.server);
  token = await passwordToken(http, 'admin', ADMIN_PASSWORD, 'admin');
  const host = (await built.services.hostsRepo.list())[0];
  hostId = host.id;
  driver = await built.services.hosts.driverFor(host.id);
  // a uniquely tagged copy of the test image, so that loading it is observable (the tag appears)
  await run('docker', ['tag', TEST_IMAGE, savedTag]);
  createdTags.push(savedTag);
  await run('docker', ['image', 'save', savedTag, '-o', path.join(dataDir, 'busybox.tar')]);
  await run('bash', ['scripts/make-image-tar.sh', '--rootfs', path.join(dataDir, 'rootfs.tar')]);
}, 60_000);

afterAll(async () => {
  // untag only what this file created (never the shared test image)
  for (const tag of createdTags) await run('docker', ['rmi', tag]).catch(() => undefined);
  await built?.app.close();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

async function uploadFile(name: string, file: string) {
  const img = await http
    .post('/image/v2/images')
    .set('X-Auth-Token', token)
    .send({ name, container_format: 'docker', disk_format: 'raw', visibility: 'public' });
  expect(img.status).toBe(201);
  const up = await http
    .put(`/image/v2/images/${img.body.id}/file`)
    .set('X-Auth-Token', token)
    .set('Content-Type', 'application/octet-stream')
    .send(fs.readFileSync(file));
  expect(up.status).toBe(204);
  return (await built.services.imagesRepo.find(img.body.id))!;
}

const inspect = async (ref: string) => JSON.parse((await run('docker', ['image', 'inspect', ref])).stdout)[0];

describe('image import into Docker', () => {
  it('loads a docker save archive, records the id, and reuses it on the next boot', async () => {
    const image = await uploadFile('busybox-save', path.join(dataDir, 'busybox.tar'));
    await run('docker', ['rmi', savedTag]); // the load must bring the tag back
    const id = await built.services.imageImporter.ensureLoaded(image, hostId, driver);
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    const info = await inspect(savedTag);
    expect(info.Id).toBe(id);
    expect(info.Config.Cmd).toEqual(['/bin/sh']);
    expect((await built.services.imagesRepo.findHostLoad(image.id, hostId))!.docker_image_id).toBe(id);
    // second boot: no load (the tag, removed again, does not come back)
    await run('docker', ['rmi', savedTag]);
    expect(await built.services.imageImporter.ensureLoaded(image, hostId, driver)).toBe(id);
    await expect(run('docker', ['image', 'inspect', savedTag])).rejects.toThrow();
  }, 60_000);

  it('loads a gzip-compressed docker save archive', async () => {
    const gz = path.join(dataDir, 'busybox.tar.gz');
    fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(path.join(dataDir, 'busybox.tar'))));
    const image = await uploadFile('busybox-gz', gz);
    await run('docker', ['rmi', savedTag]).catch(() => undefined);
    const id = await built.services.imageImporter.ensureLoaded(image, hostId, driver);
    expect((await inspect(savedTag)).Id).toBe(id);
  }, 60_000);

  it('imports a root filesystem tarball as novadock/image:<image id>, runnable with a shell CMD', async () => {
    const image = await uploadFile('busybox-rootfs', path.join(dataDir, 'rootfs.tar'));
    const id = await built.services.imageImporter.ensureLoaded(image, hostId, driver);
    createdTags.push(`novadock/image:${image.id}`);
    const info = await inspect(`novadock/image:${image.id}`);
    expect(info.Id).toBe(id);
    expect(info.Config.Cmd).toEqual(['/bin/sh']);
    const { stdout } = await run('docker', [
      'run',
      '--rm',
      '--network',
      'none',
      '--label',
      `novadock-imgtest=${suffix}`,
      id,
      '/bin/echo',
      'booted',
    ]);
    expect(stdout.trim()).toBe('booted');
  }, 60_000);

  it('deleting an imported image through the API removes its novadock/image tag from the engine', async () => {
    const image = await uploadFile('rootfs-doomed', path.join(dataDir, 'rootfs.tar'));
    const ref = `novadock/image:${image.id}`;
    createdTags.push(ref);
    await built.services.imageImporter.ensureLoaded(image, hostId, driver);
    await inspect(ref);
    const del = await http.delete(`/image/v2/images/${image.id}`).set('X-Auth-Token', token);
    expect(del.status).toBe(204);
    await expect(run('docker', ['image', 'inspect', ref])).rejects.toThrow();
    // the shared test image (loaded from a docker save archive elsewhere) is never touched
    await inspect(TEST_IMAGE);
  }, 60_000);

  it('a docker-archive-looking tarball that Docker cannot load fails with a clear DriverError', async () => {
    const bogus = path.join(dataDir, 'bogus.tar');
    fs.writeFileSync(
      bogus,
      makeTar([
        { name: 'manifest.json', data: '[{"Config":"missing.json","RepoTags":[],"Layers":["nope/layer.tar"]}]' },
      ]),
    );
    const image = await uploadFile('bogus', bogus);
    const err = await built.services.imageImporter.ensureLoaded(image, hostId, driver).catch((e) => e);
    expect(err).toBeInstanceOf(DriverError);
    expect(err.message).toMatch(new RegExp(`^Image ${image.id} could not be loaded into Docker: `));
    expect(await built.services.imagesRepo.findHostLoad(image.id, hostId)).toBeUndefined();
  }, 60_000);

  it('a file that is no tar at all never reaches Docker and says why', async () => {
    const junk = path.join(dataDir, 'junk.bin');
    fs.writeFileSync(junk, randomBytes(4096));
    const image = await uploadFile('junk', junk);
    const err = await built.services.imageImporter.ensureLoaded(image, hostId, driver).catch((e) => e);
    expect(err).toBeInstanceOf(DriverError);
    expect(err.message).toContain(`Image ${image.id} is not a valid Docker image`);
  }, 30_000);
});
