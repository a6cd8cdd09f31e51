// Nova's image proxy (/compute/v2.1/images…), deprecated at 2.36: shapes from the golden files.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { makeTestApp, makeProjectUser, type TestApp } from '../helpers/app.js';
import { GOLDEN_DIR } from '../helpers/golden.js';

let t: TestApp;
let dataDir: string;
let alice: { projectId: string; token: string };
let bob: { projectId: string; token: string };
let imageId: string;

const golden = (name: string) => JSON.parse(fs.readFileSync(`${GOLDEN_DIR}/${name}.json`, 'utf8')).response.body;
const as = (token: string) => ({ 'X-Auth-Token': token });

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'novadock-proxy-'));
  t = await makeTestApp({ dataDir });
  alice = await makeProjectUser(t, 'pa');
  bob = await makeProjectUser(t, 'pb');
  const res = await t.http.post('/image/v2/images').set(as(alice.token)).send({
    name: 'tiny',
    container_format: 'docker',
    disk_format: 'raw',
    visibility: 'private',
    os_distro: 'busybox',
  });
  imageId = res.body.id;
  await t.http
    .put(`/image/v2/images/${imageId}/file`)
    .set(as(alice.token))
    .set('Content-Type', 'application/octet-stream')
    .send(Buffer.alloc(1024));
});
afterAll(async () => {
  try {
    await t?.close();
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

describe('compute image proxy', () => {
  it('list and detail have the golden keys', async () => {
    const list = await t.http.get('/compute/v2.1/images').set(as(alice.token));
    expect(list.status).toBe(200);
    const want = golden('images_proxy_list_2.1').images[0];
    expect(Object.keys(list.body.images[0])).toEqual(Object.keys(want));
    expect(list.body.images[0].links.map((l: { rel: string }) => l.rel)).toEqual(['self', 'bookmark', 'alternate']);
    expect(list.body.images[0].links[0].href).toMatch(new RegExp(`/compute/v2.1/images/${imageId}$`));
    const detail = await t.http.get('/compute/v2.1/images/detail').set(as(alice.token));
    const wantDetail = golden('images_proxy_detail_2.1').images[0];
    expect(Object.keys(detail.body.images[0])).toEqual(Object.keys(wantDetail));
    expect(detail.body.images[0]).toMatchObject({
      id: imageId,
      name: 'tiny',
      status: 'ACTIVE',
      progress: 100,
      'OS-EXT-IMG-SIZE:size': 1024,
      metadata: { os_distro: 'busybox' },
      minRam: 0,
      minDisk: 0,
    });
  });

  it('show, 404 for unknown, invisible and non-UUID ids', async () => {
    const show = await t.http.get(`/compute/v2.1/images/${imageId}`).set(as(alice.token));
    expect(Object.keys(show.body.image)).toEqual(Object.keys(golden('images_proxy_show_2.1').image));
    const other = await t.http.get(`/compute/v2.1/images/${imageId}`).set(as(bob.token));
    expect(other.status).toBe(404);
    expect(other.body).toEqual({ itemNotFound: { code: 404, message: 'Image not found.' } });
    expect((await t.http.get('/compute/v2.1/images/busybox:latest').set(as(alice.token))).status).toBe(404);
    expect((await t.http.get(`/compute/v2.1/images/${randomUUID()}`).set(as(alice.token))).status).toBe(404);
  });

  it('is gone from 2.36', async () => {
    const res = await t.http
      .get('/compute/v2.1/images')
      .set(as(alice.token))
      .set('OpenStack-API-Version', 'compute 2.36');
    expect(res.status).toBe(404);
    expect(res.body).toEqual(golden('images_proxy_max_404'));
    const ok = await t.http
      .get('/compute/v2.1/images')
      .set(as(alice.token))
      .set('OpenStack-API-Version', 'compute 2.35');
    expect(ok.status).toBe(200);
  });

  it('filters by name and paginates with images_links', async () => {
    const res = await t.http.get('/compute/v2.1/images?name=tiny').set(as(alice.token));
    expect(res.body.images.map((i: { id: string }) => i.id)).toEqual([imageId]);
    const page = await t.http.get('/compute/v2.1/images?limit=1').set(as(alice.token));
    expect(page.body.images).toHaveLength(1);
    expect(page.body.images_links[0].href).toContain(`marker=${page.body.images[0].id}`);
  });

  it('metadata: show, set, update, replace and delete keys', async () => {
    const base = `/compute/v2.1/images/${imageId}/metadata`;
    expect((await t.http.get(base).set(as(alice.token))).body).toEqual({ metadata: { os_distro: 'busybox' } });
    const post = await t.http
      .post(base)
      .set(as(alice.token))
      .send({ metadata: { a: '1' } });
    expect(post.body.metadata).toEqual({ os_distro: 'busybox', a: '1' });
    const putKey = await t.http
      .put(`${base}/b`)
      .set(as(alice.token))
      .send({ meta: { b: '2' } });
    expect(putKey.body).toEqual({ meta: { b: '2' } });
    expect((await t.http.get(`${base}/b`).set(as(alice.token))).body).toEqual({ meta: { b: '2' } });
    expect(
      (
        await t.http
          .put(`${base}/c`)
          .set(as(alice.token))
          .send({ meta: { b: '2' } })
      ).status,
    ).toBe(400);
    expect((await t.http.delete(`${base}/a`).set(as(alice.token))).status).toBe(204);
    expect((await t.http.get(`${base}/a`).set(as(alice.token))).status).toBe(404);
    const put = await t.http
      .put(base)
      .set(as(alice.token))
      .send({ metadata: { only: 'x' } });
    expect(put.body).toEqual({ metadata: { only: 'x' } });
    expect((await t.http.get(`/image/v2/images/${imageId}`).set(as(alice.token))).body.only).toBe('x');
    expect(
      (
        await t.http
          .post(base)
          .set(as(alice.token))
          .send({ metadata: { n: 5 } })
      ).status,
    ).toBe(400);
  });

  it('delete is 204 and the image is gone from Glance too', async () => {
    const res = await t.http.post('/image/v2/images').set(as(alice.token)).send({ name: 'doomed' });
    expect((await t.http.delete(`/compute/v2.1/images/${res.body.id}`).set(as(bob.token))).status).toBe(404);
    expect((await t.http.delete(`/compute/v2.1/images/${res.body.id}`).set(as(alice.token))).status).toBe(204);
    expect((await t.http.get(`/image/v2/images/${res.body.id}`).set(as(alice.token))).status).toBe(404);
  });
});
