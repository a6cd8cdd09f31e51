// Glance v2 API rules over HTTP (fake driver, in-memory SQLite, temp data dir).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { createHash, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { makeTestApp, makeProjectUser, type TestApp } from '../helpers/app.js';

let t: TestApp;
let dataDir: string;
let alice: { projectId: string; token: string };
let bob: { projectId: string; token: string };
let reader: { projectId: string; token: string };

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'novadock-glance-'));
  t = await makeTestApp({ dataDir, imageMaxBytes: 20 * 1024 * 1024 });
  alice = await makeProjectUser(t, 'alice');
  bob = await makeProjectUser(t, 'bob');
  reader = await makeProjectUser(t, 'alice', 'reader');
});
afterAll(async () => {
  try {
    await t?.close();
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

const as = (token: string) => ({ 'X-Auth-Token': token });
const PATCH = 'application/openstack-images-v2.1-json-patch';

async function create(token: string, body: Record<string, unknown> = {}) {
  const res = await t.http
    .post('/image/v2/images')
    .set(as(token))
    .send({ name: 'img', container_format: 'docker', disk_format: 'raw', ...body });
  expect(res.status).toBe(201);
  return res.body as Record<string, unknown> & { id: string };
}

async function upload(token: string, id: string, data: Buffer) {
  return t.http
    .put(`/image/v2/images/${id}/file`)
    .set(as(token))
    .set('Content-Type', 'application/octet-stream')
    .send(data);
}

describe('schemas', () => {
  it('serves the image schema without stores and with string additional properties', async () => {
    const res = await t.http
      .get('/image/v2/schemas/image')
      .set(as(t.adminToken))
      .set('Content-Type', 'application/octet-stream');
    expect(res.status).toBe(200);
    expect(res.body.name).toBe('image');
    expect(res.body.properties.stores).toBeUndefined();
    expect(res.body.additionalProperties).toEqual({ type: 'string' });
    expect(res.body.properties.size.type).toEqual(['null', 'integer']);
    const list = await t.http.get('/image/v2/schemas/images').set(as(t.adminToken));
    expect(list.body.properties.images.items.name).toBe('image');
  });

  it('the metadefs namespace schema is served (the catalog itself: image-metadefs.test.ts)', async () => {
    const res = await t.http.get('/image/v2/schemas/metadefs/namespace').set(as(t.adminToken));
    expect(res.status).toBe(200);
    expect(res.body.name).toBe('namespace');
  });

  it('image responses validate against the served schema types', async () => {
    const img = await create(alice.token, { 'owner_specified.openstack.md5': '' });
    const schema = (await t.http.get('/image/v2/schemas/image').set(as(t.adminToken))).body;
    for (const [k, v] of Object.entries(img)) {
      const decl = schema.properties[k]?.type ?? 'string';
      const types = Array.isArray(decl) ? decl : [decl];
      const actual = v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v;
      expect(types, `${k}=${JSON.stringify(v)}`).toContain(actual);
    }
  });
});

describe('create and show', () => {
  it('creates a queued image (201 + Location) shaped as Glance', async () => {
    const res = await t.http
      .post('/image/v2/images')
      .set(as(alice.token))
      .send({ name: 'golden-img', container_format: 'bare', disk_format: 'raw' });
    expect(res.status).toBe(201);
    expect(res.headers.location).toMatch(new RegExp(`/image/v2/images/${res.body.id}$`));
    expect(Object.keys(res.body)).toEqual([
      'name',
      'disk_format',
      'container_format',
      'visibility',
      'size',
      'virtual_size',
      'status',
      'checksum',
      'protected',
      'min_ram',
      'min_disk',
      'owner',
      'os_hidden',
      'os_hash_algo',
      'os_hash_value',
      'id',
      'created_at',
      'updated_at',
      'tags',
      'self',
      'file',
      'schema',
    ]);
    expect(res.body).toMatchObject({
      status: 'queued',
      visibility: 'shared',
      size: null,
      checksum: null,
      owner: alice.projectId,
      tags: [],
      self: `/v2/images/${res.body.id}`,
      file: `/v2/images/${res.body.id}/file`,
      schema: '/v2/schemas/image',
    });
    expect(res.body.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('accepts a client-chosen id, dotted extra properties and tags', async () => {
    const id = randomUUID();
    const img = await create(alice.token, {
      id,
      'owner_specified.openstack.md5': '',
      'owner_specified.openstack.object': 'images/x',
      tags: ['a', 'b'],
    });
    expect(img.id).toBe(id);
    expect(img['owner_specified.openstack.object']).toBe('images/x');
    expect(img.tags).toEqual(['a', 'b']);
    const again = await t.http.post('/image/v2/images').set(as(alice.token)).send({ id, name: 'dup' });
    expect(again.status).toBe(409);
  });

  it('rejects read-only and reserved attributes with 403 and bad values with 400', async () => {
    const ro = await t.http.post('/image/v2/images').set(as(alice.token)).send({ name: 'x', status: 'active' });
    expect(ro.status).toBe(403);
    expect(ro.body).toEqual({
      message: "Attribute 'status' is read-only.<br /><br />\n\n\n",
      code: '403 Forbidden',
      title: 'Forbidden',
    });
    expect((await t.http.post('/image/v2/images').set(as(alice.token)).send({ location: 'http://x' })).status).toBe(
      403,
    );
    const bad = await t.http.post('/image/v2/images').set(as(alice.token)).send({ container_format: 'zip' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain("Provided object does not match schema 'image'");
    expect((await t.http.post('/image/v2/images').set(as(alice.token)).send({ min_ram: -1 })).status).toBe(400);
    expect((await t.http.post('/image/v2/images').set(as(alice.token)).send({ custom: 5 })).status).toBe(400);
    expect((await t.http.post('/image/v2/images').set(as(alice.token)).send({ id: 'not-a-uuid' })).status).toBe(400);
  });

  it('only admin may publicize; readers may not create', async () => {
    const res = await t.http.post('/image/v2/images').set(as(alice.token)).send({ name: 'p', visibility: 'public' });
    expect(res.status).toBe(403);
    expect((await t.http.post('/image/v2/images').set(as(reader.token)).send({ name: 'r' })).status).toBe(403);
    expect(
      (await t.http.post('/image/v2/images').set(as(t.adminToken)).send({ name: 'p', visibility: 'public' })).status,
    ).toBe(201);
  });

  it('show is 404 in Glance format for unknown and non-UUID ids, GETs with octet-stream content type work', async () => {
    const res = await t.http
      .get('/image/v2/images/alpine:latest')
      .set(as(alice.token))
      .set('Content-Type', 'application/octet-stream');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      message: 'No image found with ID alpine:latest<br /><br />\n\n\n',
      code: '404 Not Found',
      title: 'Not Found',
    });
    const id = randomUUID();
    expect((await t.http.get(`/image/v2/images/${id}`).set(as(alice.token))).status).toBe(404);
    const img = await create(alice.token);
    const ok = await t.http
      .get(`/image/v2/images/${img.id}`)
      .set(as(alice.token))
      .set('Content-Type', 'application/octet-stream');
    expect(ok.status).toBe(200);
    expect(ok.body.id).toBe(img.id);
  });

  it('requires a token', async () => {
    expect((await t.http.get('/image/v2/images')).status).toBe(401);
  });
});

describe('visibility', () => {
  it('private and shared images are 404 to other projects; public and community are visible; admin sees all', async () => {
    const priv = await create(alice.token, { visibility: 'private', name: 'vis-priv' });
    const shared = await create(alice.token, { visibility: 'shared', name: 'vis-shared' });
    const comm = await create(alice.token, { visibility: 'community', name: 'vis-comm' });
    const pub = await create(t.adminToken, { visibility: 'public', name: 'vis-pub' });
    expect((await t.http.get(`/image/v2/images/${priv.id}`).set(as(bob.token))).status).toBe(404);
    expect((await t.http.get(`/image/v2/images/${shared.id}`).set(as(bob.token))).status).toBe(404);
    expect((await t.http.get(`/image/v2/images/${comm.id}`).set(as(bob.token))).status).toBe(200);
    expect((await t.http.get(`/image/v2/images/${pub.id}`).set(as(bob.token))).status).toBe(200);
    expect((await t.http.get(`/image/v2/images/${priv.id}`).set(as(t.adminToken))).status).toBe(200);
    const bobList = (await t.http.get('/image/v2/images?limit=1000').set(as(bob.token))).body.images.map(
      (i: { name: string }) => i.name,
    );
    expect(bobList).toContain('vis-pub');
    expect(bobList).not.toContain('vis-priv');
    expect(bobList).not.toContain('vis-shared');
    expect(bobList).not.toContain('vis-comm'); // community only when asked
    const commList = (await t.http.get('/image/v2/images?visibility=community').set(as(bob.token))).body.images.map(
      (i: { name: string }) => i.name,
    );
    expect(commList).toEqual(['vis-comm']);
    // bob cannot change alice's community image
    const patch = await t.http
      .patch(`/image/v2/images/${comm.id}`)
      .set(as(bob.token))
      .set('Content-Type', PATCH)
      .send(JSON.stringify([{ op: 'replace', path: '/name', value: 'x' }]));
    expect(patch.status).toBe(403);
  });

  it('members: shared image visible to a member, listed once accepted; only the member accepts', async () => {
    const shared = await create(alice.token, { visibility: 'shared', name: 'to-share' });
    const add = await t.http
      .post(`/image/v2/images/${shared.id}/members`)
      .set(as(alice.token))
      .send({ member: bob.projectId });
    expect(add.status).toBe(200);
    expect(add.body).toMatchObject({
      image_id: shared.id,
      member_id: bob.projectId,
      status: 'pending',
      schema: '/v2/schemas/member',
    });
    expect(
      (await t.http.post(`/image/v2/images/${shared.id}/members`).set(as(alice.token)).send({ member: bob.projectId }))
        .status,
    ).toBe(409);
    expect((await t.http.get(`/image/v2/images/${shared.id}`).set(as(bob.token))).status).toBe(200);
    const before = (await t.http.get('/image/v2/images?limit=1000').set(as(bob.token))).body.images.map(
      (i: { id: string }) => i.id,
    );
    expect(before).not.toContain(shared.id);
    expect(
      (
        await t.http
          .put(`/image/v2/images/${shared.id}/members/${bob.projectId}`)
          .set(as(alice.token))
          .send({ status: 'accepted' })
      ).status,
    ).toBe(403);
    const acc = await t.http
      .put(`/image/v2/images/${shared.id}/members/${bob.projectId}`)
      .set(as(bob.token))
      .send({ status: 'accepted' });
    expect(acc.status).toBe(200);
    expect(acc.body.status).toBe('accepted');
    const after = (await t.http.get('/image/v2/images?limit=1000').set(as(bob.token))).body.images.map(
      (i: { id: string }) => i.id,
    );
    expect(after).toContain(shared.id);
    const list = await t.http.get(`/image/v2/images/${shared.id}/members`).set(as(alice.token));
    expect(list.body).toMatchObject({
      members: [{ member_id: bob.projectId, status: 'accepted' }],
      schema: '/v2/schemas/members',
    });
    expect(
      (await t.http.delete(`/image/v2/images/${shared.id}/members/${bob.projectId}`).set(as(alice.token))).status,
    ).toBe(204);
    expect((await t.http.get(`/image/v2/images/${shared.id}`).set(as(bob.token))).status).toBe(404);
    const priv = await create(alice.token, { visibility: 'private' });
    expect(
      (await t.http.post(`/image/v2/images/${priv.id}/members`).set(as(alice.token)).send({ member: bob.projectId }))
        .status,
    ).toBe(403);
  });
});

describe('list', () => {
  it('filters, sorts, paginates with a relative next link that keeps the filters', async () => {
    const tag = `t-${Date.now()}`;
    const names = ['pg-c', 'pg-a', 'pg-b', 'pg-d'];
    for (const n of names)
      await create(alice.token, { name: n, tags: [tag], disk_format: n === 'pg-d' ? 'qcow2' : 'raw' });
    const first = await t.http
      .get(`/image/v2/images?tag=${tag}&sort_key=name&sort_dir=asc&limit=2`)
      .set(as(alice.token));
    expect(first.status).toBe(200);
    expect(first.body.images.map((i: { name: string }) => i.name)).toEqual(['pg-a', 'pg-b']);
    expect(first.body.schema).toBe('/v2/schemas/images');
    expect(first.body.first).toBe(`/v2/images?tag=${tag}&sort_key=name&sort_dir=asc&limit=2`);
    expect(first.body.next).toBe(
      `/v2/images?tag=${tag}&sort_key=name&sort_dir=asc&limit=2&marker=${first.body.images[1].id}`,
    );
    const second = await t.http.get(`/image${first.body.next}`).set(as(alice.token));
    expect(second.body.images.map((i: { name: string }) => i.name)).toEqual(['pg-c', 'pg-d']);
    expect(second.body.next).toBeUndefined();
    const byName = await t.http.get('/image/v2/images?name=pg-b').set(as(alice.token));
    expect(byName.body.images.map((i: { name: string }) => i.name)).toEqual(['pg-b']);
    const byFormat = await t.http.get(`/image/v2/images?tag=${tag}&disk_format=qcow2`).set(as(alice.token));
    expect(byFormat.body.images.map((i: { name: string }) => i.name)).toEqual(['pg-d']);
    const sorted = await t.http.get(`/image/v2/images?tag=${tag}&sort=name:desc`).set(as(alice.token));
    expect(sorted.body.images.map((i: { name: string }) => i.name)).toEqual(['pg-d', 'pg-c', 'pg-b', 'pg-a']);
    const byStatus = await t.http.get(`/image/v2/images?tag=${tag}&status=active`).set(as(alice.token));
    expect(byStatus.body.images).toEqual([]);
  });

  it('filters on custom properties and owner', async () => {
    await create(alice.token, { name: 'prop-1', os_distro: 'busybox_x' });
    const res = await t.http.get('/image/v2/images?os_distro=busybox_x').set(as(alice.token));
    expect(res.body.images.map((i: { name: string }) => i.name)).toEqual(['prop-1']);
    const none = await t.http.get('/image/v2/images?os_distro=busybox').set(as(alice.token));
    expect(none.body.images).toEqual([]);
    const own = await t.http.get(`/image/v2/images?owner=${bob.projectId}`).set(as(alice.token));
    expect(own.body.images).toEqual([]);
  });

  it('answers 400 to bad parameters', async () => {
    expect((await t.http.get('/image/v2/images?limit=abc').set(as(alice.token))).status).toBe(400);
    expect((await t.http.get('/image/v2/images?sort_key=bogus').set(as(alice.token))).status).toBe(400);
    expect((await t.http.get('/image/v2/images?sort_dir=sideways').set(as(alice.token))).status).toBe(400);
    expect((await t.http.get(`/image/v2/images?marker=${randomUUID()}`).set(as(alice.token))).status).toBe(400);
    expect((await t.http.get('/image/v2/images?visibility=everyone').set(as(alice.token))).status).toBe(400);
  });
});

describe('update (JSON patch)', () => {
  it('adds, replaces and removes base and custom properties', async () => {
    const img = await create(alice.token, { name: 'p1' });
    const res = await t.http
      .patch(`/image/v2/images/${img.id}`)
      .set(as(alice.token))
      .set('Content-Type', PATCH)
      .send(
        JSON.stringify([
          { op: 'replace', path: '/name', value: 'p2' },
          { op: 'add', path: '/os_command_line', value: 'sleep 100' },
          { op: 'add', path: '/min_ram', value: 128 },
          { op: 'replace', path: '/tags', value: ['x'] },
        ]),
      );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'p2', os_command_line: 'sleep 100', min_ram: 128, tags: ['x'] });
    const rm = await t.http
      .patch(`/image/v2/images/${img.id}`)
      .set(as(alice.token))
      .set('Content-Type', PATCH)
      .send(JSON.stringify([{ op: 'remove', path: '/os_command_line' }]));
    expect(rm.status).toBe(200);
    expect(rm.body.os_command_line).toBeUndefined();
    const missing = await t.http
      .patch(`/image/v2/images/${img.id}`)
      .set(as(alice.token))
      .set('Content-Type', PATCH)
      .send(JSON.stringify([{ op: 'replace', path: '/nope', value: 'x' }]));
    expect(missing.status).toBe(409);
  });

  it('read-only attributes are 403, wrong media type 415, formats frozen once active', async () => {
    const img = await create(alice.token);
    const ro = await t.http
      .patch(`/image/v2/images/${img.id}`)
      .set(as(alice.token))
      .set('Content-Type', PATCH)
      .send(JSON.stringify([{ op: 'replace', path: '/status', value: 'active' }]));
    expect(ro.status).toBe(403);
    expect(ro.body.message).toContain("Attribute 'status' is read-only.");
    const json = await t.http
      .patch(`/image/v2/images/${img.id}`)
      .set(as(alice.token))
      .set('Content-Type', 'application/json')
      .send(JSON.stringify([{ op: 'replace', path: '/name', value: 'x' }]));
    expect(json.status).toBe(415);
    await upload(alice.token, img.id, Buffer.from('data'));
    const fmt = await t.http
      .patch(`/image/v2/images/${img.id}`)
      .set(as(alice.token))
      .set('Content-Type', PATCH)
      .send(JSON.stringify([{ op: 'replace', path: '/disk_format', value: 'qcow2' }]));
    expect(fmt.status).toBe(403);
    const bad = await t.http
      .patch(`/image/v2/images/${img.id}`)
      .set(as(alice.token))
      .set('Content-Type', PATCH)
      .send(JSON.stringify([{ op: 'move', path: '/name' }]));
    expect(bad.status).toBe(400);
  });
});

describe('tags, delete, deactivate', () => {
  it('tags PUT and DELETE', async () => {
    const img = await create(alice.token);
    expect((await t.http.put(`/image/v2/images/${img.id}/tags/web`).set(as(alice.token))).status).toBe(204);
    expect((await t.http.get(`/image/v2/images/${img.id}`).set(as(alice.token))).body.tags).toEqual(['web']);
    expect((await t.http.delete(`/image/v2/images/${img.id}/tags/web`).set(as(alice.token))).status).toBe(204);
    expect((await t.http.delete(`/image/v2/images/${img.id}/tags/web`).set(as(alice.token))).status).toBe(404);
  });

  it('delete is 204, protected is 403, other projects 404, data removed', async () => {
    const img = await create(alice.token, { protected: true });
    await upload(alice.token, img.id, Buffer.from('bytes'));
    expect(fs.existsSync(path.join(dataDir, 'images', img.id))).toBe(true);
    const prot = await t.http.delete(`/image/v2/images/${img.id}`).set(as(alice.token));
    expect(prot.status).toBe(403);
    expect(prot.body.message).toContain(`Image ${img.id} is protected and cannot be deleted.`);
    await t.http
      .patch(`/image/v2/images/${img.id}`)
      .set(as(alice.token))
      .set('Content-Type', PATCH)
      .send(JSON.stringify([{ op: 'replace', path: '/protected', value: false }]));
    expect((await t.http.delete(`/image/v2/images/${img.id}`).set(as(bob.token))).status).toBe(404);
    const del = await t.http
      .delete(`/image/v2/images/${img.id}`)
      .set(as(alice.token))
      .set('Content-Type', 'application/octet-stream');
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    expect(fs.existsSync(path.join(dataDir, 'images', img.id))).toBe(false);
    expect((await t.http.get(`/image/v2/images/${img.id}`).set(as(alice.token))).status).toBe(404);
  });

  it('deactivate/reactivate: admin only; deactivated data is not downloadable by users', async () => {
    const img = await create(t.adminToken, { visibility: 'public' });
    await upload(t.adminToken, img.id, Buffer.from('xyz'));
    expect((await t.http.post(`/image/v2/images/${img.id}/actions/deactivate`).set(as(alice.token))).status).toBe(403);
    expect(
      (
        await t.http
          .post(`/image/v2/images/${img.id}/actions/deactivate`)
          .set(as(t.adminToken))
          .set('Content-Type', 'application/octet-stream')
      ).status,
    ).toBe(204);
    expect((await t.http.get(`/image/v2/images/${img.id}`).set(as(alice.token))).body.status).toBe('deactivated');
    expect((await t.http.get(`/image/v2/images/${img.id}/file`).set(as(alice.token))).status).toBe(403);
    expect((await t.http.post(`/image/v2/images/${img.id}/actions/reactivate`).set(as(t.adminToken))).status).toBe(204);
    expect((await t.http.get(`/image/v2/images/${img.id}`).set(as(alice.token))).body.status).toBe('active');
    const queued = await create(t.adminToken);
    expect((await t.http.post(`/image/v2/images/${queued.id}/actions/deactivate`).set(as(t.adminToken))).status).toBe(
      403,
    );
  });
});

describe('upload and download', () => {
  it('fixed-length upload: 204 with no body, checksums, then byte-identical download with Content-MD5', async () => {
    const img = await create(alice.token);
    const data = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
    const up = await upload(alice.token, img.id, data);
    expect(up.status).toBe(204);
    expect(up.text).toBe('');
    const shown = (await t.http.get(`/image/v2/images/${img.id}`).set(as(alice.token))).body;
    expect(shown).toMatchObject({
      status: 'active',
      size: data.length,
      checksum: createHash('md5').update(data).digest('hex'),
      os_hash_algo: 'sha512',
      os_hash_value: createHash('sha512').update(data).digest('hex'),
    });
    const down = await t.http
      .get(`/image/v2/images/${img.id}/file`)
      .set(as(alice.token))
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect(down.status).toBe(200);
    expect(down.headers['content-md5']).toBe(shown.checksum);
    expect(down.headers['content-length']).toBe(String(data.length));
    expect((down.body as Buffer).equals(data)).toBe(true);
    const again = await upload(alice.token, img.id, data);
    expect(again.status).toBe(409);
  });

  it('download of a queued image is 204', async () => {
    const img = await create(alice.token);
    expect((await t.http.get(`/image/v2/images/${img.id}/file`).set(as(alice.token))).status).toBe(204);
  });

  it('chunked upload (no Content-Length, as glanceclient) and Expect: 100-continue (as curl) both work, above the JSON body limit', async () => {
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (t.app.server.address() as AddressInfo).port;
    const chunked = await create(alice.token);
    const chunk = Buffer.alloc(64 * 1024, 3);
    const count = 17 * 16 + 1; // 17 MiB + 64 KiB: over Fastify's 16 MiB body limit
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method: 'PUT',
          path: `/image/v2/images/${chunked.id}/file`,
          headers: {
            'X-Auth-Token': alice.token,
            'Content-Type': 'application/octet-stream',
            'Transfer-Encoding': 'chunked',
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      );
      req.on('error', reject);
      let i = 0;
      const pump = () => {
        while (i < count) {
          i++;
          if (!req.write(chunk)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    });
    expect(status).toBe(204);
    const shown = (await t.http.get(`/image/v2/images/${chunked.id}`).set(as(alice.token))).body;
    expect(shown.size).toBe(count * chunk.length);
    const expect100 = await create(alice.token);
    const body = Buffer.alloc(2_000_000, 9);
    const got = await new Promise<{ status: number; continued: boolean }>((resolve, reject) => {
      let continued = false;
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method: 'PUT',
          path: `/image/v2/images/${expect100.id}/file`,
          headers: {
            'X-Auth-Token': alice.token,
            'Content-Type': 'application/octet-stream',
            'Content-Length': body.length,
            Expect: '100-continue',
          },
        },
        (res) => {
          res.resume();
          resolve({ status: res.statusCode!, continued });
        },
      );
      req.on('continue', () => {
        continued = true;
        req.end(body);
      });
      req.on('error', reject);
    });
    expect(got).toEqual({ status: 204, continued: true });
  });

  it('too large: 413 when declared and when streamed; the image stays queued and no file is left', async () => {
    const small = await makeTestApp({ dataDir, imageMaxBytes: 1000 });
    try {
      const token = small.adminToken;
      const img = (
        await small.http
          .post('/image/v2/images')
          .set(as(token))
          .send({ name: 'big', container_format: 'docker', disk_format: 'raw' })
      ).body;
      const declared = await small.http
        .put(`/image/v2/images/${img.id}/file`)
        .set(as(token))
        .set('Content-Type', 'application/octet-stream')
        .send(Buffer.alloc(5000));
      expect(declared.status).toBe(413);
      expect(declared.body.message).toContain('The incoming image is too large');
      expect((await small.http.get(`/image/v2/images/${img.id}`).set(as(token))).body.status).toBe('queued');
      expect(fs.readdirSync(path.join(dataDir, 'images')).filter((n) => n.startsWith(img.id))).toEqual([]);
    } finally {
      await small.close();
    }
  });

  it('a chunked upload that grows too large gets its 413 (the socket is not torn down first)', async () => {
    const small = await makeTestApp({ dataDir, imageMaxBytes: 256 * 1024 });
    try {
      await small.app.listen({ host: '127.0.0.1', port: 0 });
      const port = (small.app.server.address() as AddressInfo).port;
      const img = (
        await small.http
          .post('/image/v2/images')
          .set(as(small.adminToken))
          .send({ name: 'big', container_format: 'docker', disk_format: 'raw' })
      ).body;
      const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port,
            method: 'PUT',
            path: `/image/v2/images/${img.id}/file`,
            headers: {
              'X-Auth-Token': small.adminToken,
              'Content-Type': 'application/octet-stream',
              'Transfer-Encoding': 'chunked',
            },
          },
          (r) => {
            let body = '';
            r.on('data', (c) => {
              body += c;
            });
            r.on('end', () => resolve({ status: r.statusCode!, body }));
          },
        );
        req.on('error', reject);
        let sent = 0;
        const pump = () => {
          while (sent < 64) {
            sent++;
            if (!req.write(Buffer.alloc(16 * 1024, 1))) {
              req.once('drain', pump);
              return;
            }
          }
          req.end();
        };
        pump();
      });
      expect(res.status).toBe(413);
      expect(JSON.parse(res.body).message).toContain('The incoming image is too large');
      expect((await small.http.get(`/image/v2/images/${img.id}`).set(as(small.adminToken))).body.status).toBe('queued');
      expect(fs.readdirSync(path.join(dataDir, 'images')).filter((n) => n.startsWith(img.id))).toEqual([]);
    } finally {
      await small.close();
    }
  });

  it('a client that disconnects mid-upload leaves the image queued and no partial file', async () => {
    await t.app.listen({ host: '127.0.0.1', port: 0 }).catch(() => undefined);
    const port = (t.app.server.address() as AddressInfo).port;
    const img = await create(alice.token);
    await new Promise<void>((resolve) => {
      const req = http.request({
        host: '127.0.0.1',
        port,
        method: 'PUT',
        path: `/image/v2/images/${img.id}/file`,
        headers: {
          'X-Auth-Token': alice.token,
          'Content-Type': 'application/octet-stream',
          'Content-Length': 1_000_000,
        },
      });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(300_000, 2), () =>
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 100),
      );
    });
    let status = '';
    for (let i = 0; i < 50 && status !== 'queued'; i++) {
      status = (await t.http.get(`/image/v2/images/${img.id}`).set(as(alice.token))).body.status;
      if (status !== 'queued') await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe('queued');
    expect(fs.readdirSync(path.join(dataDir, 'images')).filter((n) => n.startsWith(img.id))).toEqual([]);
    // and the image still takes a complete upload afterwards
    expect((await upload(alice.token, img.id, Buffer.from('complete'))).status).toBe(204);
  });

  it('upload bodies labelled JSON or text are refused with 415 before they are read', async () => {
    const img = await create(alice.token);
    const res = await t.http
      .put(`/image/v2/images/${img.id}/file`)
      .set(as(alice.token))
      .set('Content-Type', 'application/json')
      .send('{"not": "image data"}');
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('415 Unsupported Media Type');
    expect((await t.http.get(`/image/v2/images/${img.id}`).set(as(alice.token))).body.status).toBe('queued');
  });

  it('formats must be set before data is uploaded (400)', async () => {
    const res = await t.http.post('/image/v2/images').set(as(alice.token)).send({ name: 'noformat' });
    const up = await upload(alice.token, res.body.id, Buffer.from('x'));
    expect(up.status).toBe(400);
    expect(up.body.message).toContain('Properties container_format, disk_format must be set prior to saving data.');
  });

  it('only the owner may upload', async () => {
    const img = await create(alice.token, { visibility: 'community' });
    expect((await upload(bob.token, img.id, Buffer.from('x'))).status).toBe(403);
  });
});
