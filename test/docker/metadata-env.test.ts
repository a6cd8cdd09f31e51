// Server metadata as the container's environment (contract C3, as nova-docker): the metadata given
// at create is in the environment of the container's processes (`docker exec env`), next to the
// image's own ENV; keys that are not shell identifiers are passed as they are; a key the image also
// sets (PATH) takes the metadata's value; a value with a NUL (which runc refuses) is left out and
// the server still boots; a later metadata change does not reach the running container, and a
// rebuild starts the new container with the metadata of that moment; a snapshot or shelve keeps the
// disk but not the metadata environment. Fails when Docker is missing.
import Docker from 'dockerode';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_IMAGE, removeServerContainers, startDockerTestApp, type DockerTestApp } from '../helpers/docker-app.js';
import { seedImage, waitForStatus } from '../helpers/servers.js';
import type { ImageRow } from '../../src/db/repositories/images-repo.js';

const S = '/compute/v2.1/servers';
const engine = new Docker();
let t: DockerTestApp;
let image: ImageRow;
const created: string[] = [];

beforeAll(async () => {
  t = await startDockerTestApp('metadata-env');
  image = await seedImage(t.built.services, { name: 'busybox', data: t.tarball });
}, 60_000);

afterAll(async () => {
  removeServerContainers(created);
  await t?.close();
}, 60_000);

const call = (req: ReturnType<typeof t.http.get>) =>
  req.set('X-Auth-Token', t.token).set('OpenStack-API-Version', 'compute 2.79');
const getServer = (id: string) => call(t.http.get(`${S}/${id}`));

async function boot(name: string, metadata: Record<string, string>, imageRef = image.id): Promise<string> {
  const res = await call(t.http.post(S)).send({
    server: { name, imageRef, flavorRef: '1', networks: 'none', metadata },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const id = res.body.server.id as string;
  created.push(id);
  await waitForStatus(() => getServer(id), 'ACTIVE', 30_000);
  return id;
}

/** `docker exec nova-<id> env`, through the Engine API: the environment a new process gets. */
async function containerEnv(id: string): Promise<Map<string, string>> {
  const exec = await engine
    .getContainer(`nova-${id}`)
    .exec({ Cmd: ['env'], AttachStdout: true, AttachStderr: true, Tty: false });
  const stream = await exec.start({ hijack: true, stdin: false });
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  engine.modem.demuxStream(stream, out, out);
  await new Promise<void>((resolve, reject) => {
    stream.on('end', () => resolve());
    stream.on('error', reject);
  });
  const env = new Map<string, string>();
  for (const line of Buffer.concat(chunks).toString('utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) env.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return env;
}

describe('server metadata → container environment (Docker)', () => {
  it('create: metadata, odd key names and the image ENV are all in the environment; a NUL value is left out', async () => {
    const id = await boot('meta-env', {
      APP_MODE: 'prod',
      'app.tier': 'web front',
      'a-b:c': '1',
      'with space': 'x=y',
      BAD: 'a\u0000b',
    });
    const env = await containerEnv(id);
    expect(env.get('APP_MODE')).toBe('prod');
    expect(env.get('app.tier')).toBe('web front');
    expect(env.get('a-b:c')).toBe('1');
    expect(env.get('with space')).toBe('x=y');
    expect(env.has('BAD')).toBe(false);
    // the image's own ENV (busybox: PATH=/bin) still applies
    const imageEnv = (await engine.getImage(TEST_IMAGE).inspect()).Config.Env;
    const imagePath = imageEnv.find((e) => e.startsWith('PATH='));
    expect(imagePath).toBeDefined();
    expect(`PATH=${env.get('PATH')}`).toBe(imagePath);
    // the NUL value is still the server's metadata
    const meta = await call(t.http.get(`${S}/${id}/metadata`));
    expect(meta.body.metadata.BAD).toBe('a\u0000b');

    // a metadata change does not reach the running container (no restart)
    const started = (await engine.getContainer(`nova-${id}`).inspect()).State.StartedAt;
    const put = await call(t.http.put(`${S}/${id}/metadata/APP_MODE`)).send({ meta: { APP_MODE: 'staging' } });
    expect(put.status).toBe(200);
    expect((await containerEnv(id)).get('APP_MODE')).toBe('prod');
    expect((await engine.getContainer(`nova-${id}`).inspect()).State.StartedAt).toBe(started);

    // rebuild: the new container carries the metadata of that moment
    const oldContainer = (await engine.getContainer(`nova-${id}`).inspect()).Id;
    const rb = await call(t.http.post(`${S}/${id}/action`)).send({ rebuild: { imageRef: image.id } });
    expect(rb.status, JSON.stringify(rb.body)).toBe(202);
    await waitForStatus(() => getServer(id), 'ACTIVE', 30_000);
    expect((await engine.getContainer(`nova-${id}`).inspect()).Id).not.toBe(oldContainer);
    const after = await containerEnv(id);
    expect(after.get('APP_MODE')).toBe('staging');
    expect(after.get('app.tier')).toBe('web front');
    expect(after.has('BAD')).toBe(false);
  }, 90_000);

  it('a metadata key the image also sets (PATH) replaces the image value, as docker run -e does', async () => {
    const id = await boot('meta-path', { PATH: '/bin:/sbin:/opt/tools' });
    expect((await containerEnv(id)).get('PATH')).toBe('/bin:/sbin:/opt/tools');
  }, 60_000);

  it('a snapshot keeps the disk, not the metadata: a server booted from it has the image ENV only', async () => {
    const id = await boot('meta-snap', { SECRET: 's3cr3t', PATH: '/bin:/opt/x' });
    const res = await call(t.http.post(`${S}/${id}/action`)).send({ createImage: { name: 'meta-snap-image' } });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const snapId = res.body.image_id as string;
    const end = Date.now() + 60_000;
    while ((await t.built.services.imagesRepo.find(snapId))?.status !== 'active') {
      if (Date.now() > end) throw new Error('snapshot not active within 60 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    await waitForStatus(() => getServer(id), 'ACTIVE', 30_000);
    const copy = await boot('meta-snap-copy', { OTHER: '1' }, snapId);
    const env = await containerEnv(copy);
    expect(env.has('SECRET')).toBe(false);
    expect(env.get('OTHER')).toBe('1');
    const imagePath = (await engine.getImage(TEST_IMAGE).inspect()).Config.Env.find((e) => e.startsWith('PATH='));
    expect(`PATH=${env.get('PATH')}`).toBe(imagePath);
    await call(t.http.delete(`/compute/v2.1/images/${snapId}`)).set('OpenStack-API-Version', 'compute 2.35');
  }, 120_000);

  it('a key deleted before a shelve stays deleted after unshelve (the shelved image does not bring it back)', async () => {
    const id = await boot('meta-shelve', { KEEP: 'k', DROP: 'd' });
    // Nova allows metadata changes when ACTIVE, PAUSED, SUSPENDED or STOPPED, not when shelved.
    expect((await call(t.http.delete(`${S}/${id}/metadata/DROP`))).status).toBe(204);
    expect((await containerEnv(id)).get('DROP')).toBe('d'); // the running container keeps it
    expect((await call(t.http.post(`${S}/${id}/action`)).send({ shelve: null })).status).toBe(202);
    await waitForStatus(() => getServer(id), 'SHELVED_OFFLOADED', 60_000);
    expect((await call(t.http.post(`${S}/${id}/action`)).send({ unshelve: null })).status).toBe(202);
    await waitForStatus(() => getServer(id), 'ACTIVE', 60_000);
    const env = await containerEnv(id);
    expect(env.get('KEEP')).toBe('k');
    expect(env.has('DROP')).toBe(false);
  }, 120_000);
});
