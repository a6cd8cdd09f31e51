// 2.81 image pre-caching on the real Docker Engine: after POST /os-aggregates/{id}/images the
// image (a root filesystem tarball, imported as novadock/image:<image id>) exists in the engine of
// the aggregate's host before any server boots, and a server booted there afterwards runs on that
// very Docker image without importing it again. The aggregate's host is a second compute host
// ("zone-cache") on the same engine. Fails (does not skip) when Docker is missing.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type BuiltApp } from '../../src/app.js';
import { testConfig } from '../../src/config.js';
import { ADMIN_PASSWORD, passwordToken } from '../helpers/app.js';
import { seedImage, unlimitedQuota, waitForStatus } from '../helpers/servers.js';
import type { ImageRow } from '../../src/db/repositories/images-repo.js';
import { sql } from '../../src/db/sql.js';

const docker = (...args: string[]) =>
  execFileSync('docker', args, { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const dockerFails = (...args: string[]) => {
  try {
    docker(...args);
    return false;
  } catch {
    return true;
  }
};

let built: BuiltApp;
let http: ReturnType<typeof request>;
let token: string;
let image: ImageRow;
let dataDir: string;
let serverId: string | null = null;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'novadock-image-cache-docker-'));
  const tar = path.join(dataDir, 'rootfs.tar');
  execFileSync('scripts/make-image-tar.sh', ['--rootfs', tar], { stdio: 'ignore', timeout: 60_000 });
  built = await buildApp({
    config: testConfig({
      computeDriver: 'docker',
      dataDir,
      stopTimeoutSeconds: 1,
      computeHosts: [
        { name: 'cache-docker', dockerUrl: 'unix:///var/run/docker.sock', availabilityZone: 'zone-cache' },
      ],
    }),
    background: false,
    logger: false,
  });
  await built.app.ready();
  http = request(built.app.server);
  token = await passwordToken(http, 'admin', ADMIN_PASSWORD, 'admin');
  await unlimitedQuota(built.services);
  image = await seedImage(built.services, { name: 'busybox-rootfs', data: fs.readFileSync(tar) });
}, 90_000);

afterAll(async () => {
  if (serverId) {
    try {
      docker('rm', '-f', `nova-${serverId}`);
    } catch {
      /* already gone */
    }
  }
  if (image) {
    try {
      docker('rmi', '-f', `novadock/image:${image.id}`);
    } catch {
      /* never loaded */
    }
  }
  await built?.app.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

const v = 'compute 2.81';

describe('aggregate image cache on Docker', () => {
  it('puts the image into the engine before any server boots, and a boot there reuses it', async () => {
    const ref = `novadock/image:${image.id}`;
    expect(dockerFails('image', 'inspect', ref)).toBe(true);
    const aggregate = (
      await http.get('/compute/v2.1/os-aggregates').set('X-Auth-Token', token).set('OpenStack-API-Version', v)
    ).body.aggregates.find((a: { name: string }) => a.name === 'zone-cache');
    expect(aggregate.hosts).toEqual(['cache-docker']);

    const res = await http
      .post(`/compute/v2.1/os-aggregates/${aggregate.id}/images`)
      .set('X-Auth-Token', token)
      .set('OpenStack-API-Version', v)
      .send({ cache: [{ id: image.id }] });
    expect(res.status).toBe(202);
    await built.services.worker.drain();
    expect(await sql(built.services.db)('instances').count({ n: '*' }).first()).toEqual({ n: 0 });
    const cachedId = JSON.parse(docker('image', 'inspect', ref, '--format', '{{json .Id}}'));
    const host = (await built.services.hostsRepo.findByName('cache-docker'))!;
    expect((await built.services.imagesRepo.findHostLoad(image.id, host.id))?.docker_image_id).toBe(cachedId);

    const created = await http
      .post('/compute/v2.1/servers')
      .set('X-Auth-Token', token)
      .set('OpenStack-API-Version', v)
      .send({
        server: {
          name: 'after-cache',
          imageRef: image.id,
          flavorRef: '1',
          networks: 'none',
          availability_zone: 'zone-cache',
        },
      });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    serverId = created.body.server.id as string;
    await built.services.worker.drain();
    const shown = await waitForStatus(
      () => http.get(`/compute/v2.1/servers/${serverId}`).set('X-Auth-Token', token).set('OpenStack-API-Version', v),
      'ACTIVE',
      30_000,
    );
    expect(shown.server['OS-EXT-SRV-ATTR:host']).toBe('cache-docker');
    expect(JSON.parse(docker('container', 'inspect', `nova-${serverId}`, '--format', '{{json .Image}}'))).toBe(
      cachedId,
    );
    // the same load record: the boot did not import the image a second time
    expect((await built.services.imagesRepo.findHostLoad(image.id, host.id))?.docker_image_id).toBe(cachedId);
  }, 120_000);
});
