// Server actions part 2 on the real Docker Engine: a snapshot boots as a new server and holds a
// file written before it; resize changes the cgroup limits (HostConfig.Memory/NanoCpus) and revert
// puts them back; rebuild gives a new container with the same server id; shelve offloads (no
// container) and unshelve brings the server back with its files; the serial console websocket
// runs a command in the container's shell. Fails (does not skip) when Docker is missing.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type BuiltApp } from '../../src/app.js';
import { testConfig } from '../../src/config.js';
import { passwordToken, ADMIN_PASSWORD } from '../helpers/app.js';
import { seedImage, unlimitedQuota, waitForStatus } from '../helpers/servers.js';
import type { ImageRow } from '../../src/db/repositories/images-repo.js';

const TEST_IMAGE = process.env.TEST_IMAGE ?? 'novadock-test/busybox:latest';
const S = '/compute/v2.1/servers';
const docker = (...args: string[]) =>
  execFileSync('docker', args, { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] }).trim();

let built: BuiltApp;
let http: ReturnType<typeof request>;
let token: string;
let image: ImageRow;
let dataDir: string;
let port: number;
const created: string[] = [];
/** Glance ids of the images this test had committed (the Docker tag is novadock/snapshot:<id>) */
const snapshotIds: string[] = [];

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'novadock-actions2-docker-'));
  const tar = path.join(dataDir, 'busybox.tar');
  docker('image', 'save', TEST_IMAGE, '-o', tar);
  built = await buildApp({
    config: testConfig({ computeDriver: 'docker', dataDir, stopTimeoutSeconds: 1 }),
    background: true,
    logger: false,
  });
  await built.app.listen({ host: '127.0.0.1', port: 0 });
  port = (built.app.server.address() as { port: number }).port;
  http = request(built.app.server);
  token = await passwordToken(http, 'admin', ADMIN_PASSWORD, 'admin');
  await unlimitedQuota(built.services);
  image = await seedImage(built.services, { name: 'busybox', data: fs.readFileSync(tar) });
}, 60_000);

afterAll(async () => {
  for (const id of created) {
    try {
      docker('rm', '-f', `nova-${id}`);
    } catch {
      /* already gone */
    }
  }
  // the snapshot images this test committed (tag = the Glance image id)
  for (const imageId of snapshotIds) {
    try {
      docker('rmi', '-f', `novadock/snapshot:${imageId}`);
    } catch {
      /* gone */
    }
  }
  await built?.app.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

const api = (v = '2.79') => ({
  post: (body: unknown) =>
    http
      .post(S)
      .set('X-Auth-Token', token)
      .set('OpenStack-API-Version', `compute ${v}`)
      .send(body as object),
  action: (id: string, body: unknown) =>
    http
      .post(`${S}/${id}/action`)
      .set('X-Auth-Token', token)
      .set('OpenStack-API-Version', `compute ${v}`)
      .send(body as object),
  get: (id: string) => http.get(`${S}/${id}`).set('X-Auth-Token', token).set('OpenStack-API-Version', `compute ${v}`),
});
const inspect = (id: string) => JSON.parse(docker('inspect', `nova-${id}`))[0];
const exists = (id: string) => docker('ps', '-a', '--filter', `name=^nova-${id}$`, '--format', '{{.Names}}') !== '';

async function boot(name: string, imageRef = image.id, flavorRef = '6'): Promise<string> {
  const res = await api().post({ server: { name, imageRef, flavorRef, networks: 'none' } });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const id = res.body.server.id as string;
  created.push(id);
  await waitForStatus(() => api().get(id), 'ACTIVE', 60_000);
  return id;
}

async function waitImageActive(imageId: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const row = await built.services.imagesRepo.find(imageId);
    if (row?.status === 'active') return;
    if (Date.now() > deadline || !row) throw new Error(`image ${imageId}: ${row?.status ?? 'gone'}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('server actions on Docker', () => {
  it('createImage: the snapshot boots as a new server holding a file written before the snapshot', async () => {
    const id = await boot('snap-src');
    docker('exec', `nova-${id}`, 'sh', '-c', 'echo before-snapshot > /root/marker');
    const res = await api('2.45').action(id, { createImage: { name: 'docker-snap' } });
    expect(res.status).toBe(202);
    snapshotIds.push(res.body.image_id);
    await waitImageActive(res.body.image_id);
    const row = (await built.services.imagesRepo.find(res.body.image_id))!;
    expect(row).toMatchObject({ container_format: 'docker', disk_format: 'raw' });
    expect(row.size).toBeGreaterThan(1_000_000);
    await waitForStatus(() => api().get(id), 'ACTIVE', 60_000);
    const copy = await boot('snap-copy', res.body.image_id);
    expect(docker('exec', `nova-${copy}`, 'cat', '/root/marker')).toBe('before-snapshot');
  }, 90_000);

  it('resize: docker update applies the new flavor (HostConfig.Memory, NanoCpus); revert restores the old one', async () => {
    const id = await boot('resize-me', image.id, '6');
    expect(inspect(id).HostConfig.Memory).toBe(64 * 1024 * 1024);
    expect((await api().action(id, { resize: { flavorRef: '3' } })).status).toBe(202);
    await waitForStatus(() => api().get(id), 'VERIFY_RESIZE', 60_000);
    let hc = inspect(id).HostConfig;
    expect(hc.Memory).toBe(4096 * 1024 * 1024);
    expect(hc.NanoCpus).toBe(2e9);
    expect(inspect(id).State.Status).toBe('running');
    expect((await api().action(id, { revertResize: null })).status).toBe(202);
    await waitForStatus(() => api().get(id), 'ACTIVE', 60_000);
    hc = inspect(id).HostConfig;
    expect(hc.Memory).toBe(64 * 1024 * 1024);
    expect(hc.NanoCpus).toBe(1e9);
    expect((await api().action(id, { resize: { flavorRef: '7' } })).status).toBe(202);
    await waitForStatus(() => api().get(id), 'VERIFY_RESIZE', 60_000);
    expect((await api().action(id, { confirmResize: null })).status).toBe(204);
    const s = await waitForStatus(() => api().get(id), 'ACTIVE', 60_000);
    expect((s.server.flavor as { original_name: string }).original_name).toBe('c1.micro');
    expect(inspect(id).HostConfig.Memory).toBe(128 * 1024 * 1024);
  }, 90_000);

  it('rebuild: a new container id, the same server id and name, files of the old container gone', async () => {
    const id = await boot('rebuild-me');
    docker('exec', `nova-${id}`, 'sh', '-c', 'echo old > /root/old-file');
    const before = inspect(id).Id;
    const res = await api().action(id, { rebuild: { imageRef: image.id } });
    expect(res.status).toBe(202);
    expect(res.body.server).toMatchObject({ id, status: 'REBUILD' });
    await waitForStatus(() => api().get(id), 'ACTIVE', 60_000);
    const after = inspect(id);
    expect(after.Id).not.toBe(before);
    expect(after.Name).toBe(`/nova-${id}`);
    expect(after.State.Status).toBe('running');
    expect(() => docker('exec', `nova-${id}`, 'cat', '/root/old-file')).toThrow();
  }, 90_000);

  it('shelve → SHELVED_OFFLOADED (no container) → unshelve → ACTIVE with the files it had', async () => {
    const id = await boot('shelve-me');
    docker('exec', `nova-${id}`, 'sh', '-c', 'echo kept > /root/kept');
    expect((await api().action(id, { shelve: null })).status).toBe(202);
    await waitForStatus(() => api().get(id), 'SHELVED_OFFLOADED', 60_000);
    snapshotIds.push((await built.services.instanceSysmetaRepo.get(id)).shelved_image_id);
    expect(exists(id)).toBe(false);
    expect((await api().action(id, { unshelve: null })).status).toBe(202);
    await waitForStatus(() => api().get(id), 'ACTIVE', 60_000);
    expect(inspect(id).State.Status).toBe('running');
    expect(docker('exec', `nova-${id}`, 'cat', '/root/kept')).toBe('kept');
  }, 120_000);

  it('serial console: the websocket runs `echo hello` in the container and reads it back', async () => {
    const id = await boot('console-me');
    const res = await http
      .post(`${S}/${id}/remote-consoles`)
      .set('X-Auth-Token', token)
      .set('OpenStack-API-Version', 'compute 2.6')
      .send({ remote_console: { protocol: 'serial', type: 'serial' } });
    expect(res.status).toBe(200);
    const url = res.body.remote_console.url as string;
    expect(url.startsWith(`ws://127.0.0.1:${port}/compute/console/serial?token=`)).toBe(true);
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    let out = '';
    let sent = false;
    const saw = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no hello in ${JSON.stringify(out)}`)), 20_000);
      ws.on('message', (d) => {
        const text = String(d);
        out += text;
        // busybox ash asks the terminal where the cursor is (DSR); answer as a terminal would
        if (text.includes('\x1b[6n')) ws.send('\x1b[1;3R');
        if (!sent && /# /.test(out)) {
          sent = true;
          // let the shell take the cursor report before the command line arrives
          setTimeout(() => ws.send('echo hel""lo\n'), 300);
        }
        if (/\nhello\r?\n/.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await saw;
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    // the shell ends → the exec ends → the socket closes
    await new Promise((r) => setTimeout(r, 300));
    ws.send('exit\n');
    await closed;
  }, 60_000);
});
