// Server metadata, tags (2.26) and ips, against Nova's golden wording.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../helpers/app.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';
import { GOLDEN_DIR } from '../helpers/golden.js';

const golden = (f: string) => JSON.parse(fs.readFileSync(`${GOLDEN_DIR}/${f}`, 'utf8')).response;

let t: TestApp;
let id: string;
const S = '/compute/v2.1/servers';
const req = (method: 'get' | 'put' | 'post' | 'delete', url: string, v = '2.1') =>
  t.http[method](url).set('X-Auth-Token', t.adminToken).set('OpenStack-API-Version', `compute ${v}`);

beforeAll(async () => {
  t = await makeTestApp({ heartbeatIntervalSeconds: 3600 }); // no heartbeat runs in API tests: keep the one beat at start valid
  await unlimitedQuota(t.services);
  const image = await seedImage(t.services);
  const res = await req('post', S).send({
    server: { name: 'subs', imageRef: image.id, flavorRef: '1', metadata: { role: 'golden' } },
  });
  id = res.body.server.id;
  await t.services.worker.drain();
});
afterAll(async () => {
  await t.close();
});

describe('metadata', () => {
  it('list, merge (POST), replace (PUT), item get/put/delete as Nova', async () => {
    expect((await req('get', `${S}/${id}/metadata`)).body).toEqual({ metadata: { role: 'golden' } });
    const merged = await req('post', `${S}/${id}/metadata`).send({ metadata: { a: '1', b: '2' } });
    expect(merged.status).toBe(200);
    expect(merged.body).toEqual({ metadata: { role: 'golden', a: '1', b: '2' } });
    const replaced = await req('put', `${S}/${id}/metadata`).send({ metadata: { role: 'golden', x: 'y' } });
    expect(replaced.body).toEqual(golden('metadata_replace_put.json').body);
    expect((await req('get', `${S}/${id}/metadata/x`)).body).toEqual({ meta: { x: 'y' } });
    const missing = await req('get', `${S}/${id}/metadata/z`);
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual(golden('metadata_item_show_404.json').body);
    const put = await req('put', `${S}/${id}/metadata/z`).send({ meta: { z: 'zz' } });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ meta: { z: 'zz' } });
    const mismatch = await req('put', `${S}/${id}/metadata/z`).send({ meta: { q: 'zz' } });
    expect(mismatch.body).toEqual(golden('metadata_item_put_mismatch_400.json').body);
    expect((await req('delete', `${S}/${id}/metadata/z`)).status).toBe(204);
    expect((await req('delete', `${S}/${id}/metadata/z`)).status).toBe(404);
    expect((await req('get', `${S}/${id}`)).body.server.metadata).toEqual({ role: 'golden', x: 'y' });
  });
  it('a value longer than 255 is 400; a server in BUILD refuses with 409', async () => {
    expect((await req('post', `${S}/${id}/metadata`).send({ metadata: { k: 'v'.repeat(256) } })).status).toBe(400);
    t.fake.delay('spawn', 200);
    const image = await seedImage(t.services);
    const res = await req('post', S, '2.79').send({
      server: { name: 'building', imageRef: image.id, flavorRef: '1', networks: 'none' },
    });
    const conflict = await req('post', `${S}/${res.body.server.id}/metadata`).send({ metadata: { a: 'b' } });
    expect(conflict.status).toBe(409);
    expect(conflict.body.conflictingRequest.message).toBe(
      `Cannot 'update_metadata' instance ${res.body.server.id} while it is in vm_state building`,
    );
    await t.services.worker.drain();
    t.fake.clearInjections();
  });
});

describe('tags (2.26)', () => {
  it('404 before 2.26', async () => {
    const res = await req('get', `${S}/${id}/tags`, '2.25');
    expect(res.status).toBe(404);
  });
  it('replace, add (201 then 204), check (204/404), delete, delete all', async () => {
    expect((await req('get', `${S}/${id}/tags`, '2.26')).body).toEqual({ tags: [] });
    expect((await req('put', `${S}/${id}/tags`, '2.26').send({ tags: ['alpha', 'beta'] })).body).toEqual({
      tags: ['alpha', 'beta'],
    });
    expect((await req('put', `${S}/${id}/tags/gamma`, '2.26')).status).toBe(201);
    expect((await req('put', `${S}/${id}/tags/gamma`, '2.26')).status).toBe(204);
    expect((await req('get', `${S}/${id}/tags/beta`, '2.26')).status).toBe(204);
    const nope = await req('get', `${S}/${id}/tags/nope`, '2.26');
    expect(nope.body).toEqual({ itemNotFound: { code: 404, message: `Server ${id} has no tag 'nope'` } });
    expect((await req('delete', `${S}/${id}/tags/beta`, '2.26')).status).toBe(204);
    expect((await req('get', `${S}/${id}`, '2.26')).body.server.tags).toEqual(['alpha', 'gamma']);
    expect((await req('delete', `${S}/${id}/tags`, '2.26')).status).toBe(204);
    expect((await req('get', `${S}/${id}/tags`, '2.26')).body).toEqual({ tags: [] });
  });
  it('tag rules: no comma or slash, at most 60 characters, at most 50 tags', async () => {
    expect((await req('put', `${S}/${id}/tags`, '2.26').send({ tags: ['a,b'] })).status).toBe(400);
    expect((await req('put', `${S}/${id}/tags`, '2.26').send({ tags: ['x'.repeat(61)] })).status).toBe(400);
    const many = Array.from({ length: 51 }, (_, i) => `t${i}`);
    const res = await req('put', `${S}/${id}/tags`, '2.26').send({ tags: many });
    expect(res.status).toBe(400);
    expect(res.body.badRequest.message).toBe('The number of tags exceeded the per-server limit 50');
  });
});

describe('ips', () => {
  it('addresses by network, with version and addr only', async () => {
    const all = await req('get', `${S}/${id}/ips`);
    expect(all.status).toBe(200);
    expect(Object.keys(all.body.addresses)).toEqual(['private']);
    expect(Object.keys(all.body.addresses.private[0]).sort()).toEqual(['addr', 'version']);
    const one = await req('get', `${S}/${id}/ips/private`);
    expect(one.body).toEqual({ private: all.body.addresses.private });
    expect((await req('get', `${S}/${id}/ips/other`)).status).toBe(404);
  });
  it('a server without networks has {}', async () => {
    const image = await seedImage(t.services);
    const res = await req('post', S, '2.79').send({
      server: { name: 'nonet', imageRef: image.id, flavorRef: '1', networks: 'none' },
    });
    await t.services.worker.drain();
    expect((await req('get', `${S}/${res.body.server.id}/ips`)).body).toEqual(golden('server_ips.json').body);
  });
});
