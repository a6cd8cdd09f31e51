// Glance's metadata definitions catalog, read side, empty: the schemas glanceclient reads first, the
// namespace and resource type lists (what Horizon's Images pages and Update Metadata dialogs ask), and
// Glance's 404 for a namespace. Also the image schema's disk_format enum offers "docker" (Horizon's
// Create Image lists only the formats it finds there).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, makeProjectUser, type TestApp } from '../helpers/app.js';

let t: TestApp;
let member = '';
beforeAll(async () => {
  t = await makeTestApp();
  member = (await makeProjectUser(t, 'metadefs', 'member')).token;
});
afterAll(async () => {
  await t.close();
});
const get = (url: string, token = t.adminToken) => t.http.get(url).set('X-Auth-Token', token);

describe('Glance metadefs (empty catalog)', () => {
  it('serves the namespace schemas as Glance renders them', async () => {
    const ns = await get('/image/v2/schemas/metadefs/namespace');
    expect(ns.status).toBe(200);
    expect(ns.body).toMatchObject({ name: 'namespace', additionalProperties: false, required: ['namespace'] });
    expect(Object.keys(ns.body.properties)).toEqual([
      'namespace',
      'display_name',
      'description',
      'visibility',
      'protected',
      'owner',
      'created_at',
      'updated_at',
      'schema',
      'self',
      'resource_type_associations',
      'properties',
      'objects',
      'tags',
    ]);
    expect(ns.body.definitions.property.additionalProperties.required).toEqual(['title', 'type']);
    const list = await get('/image/v2/schemas/metadefs/namespaces');
    expect(list.body.name).toBe('namespaces');
    expect(list.body.properties.namespaces.items).toEqual(ns.body);
    expect((await get('/image/v2/schemas/metadefs/resource_type')).body.required).toEqual(['name']);
    expect((await get('/image/v2/schemas/metadefs/resource_types')).body.name).toBe('resource_type_associations');
  });

  it('lists no namespaces (with first/schema links keeping the query but the marker) and no resource types, for any role', async () => {
    const res = await get(
      '/image/v2/metadefs/namespaces?limit=1000&sort_key=namespace&sort_dir=asc&resource_types=OS%3A%3ANova%3A%3AFlavor&marker=x',
      member,
    );
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      namespaces: [],
      first:
        '/v2/metadefs/namespaces?limit=1000&sort_key=namespace&sort_dir=asc&resource_types=OS%3A%3ANova%3A%3AFlavor',
      schema: '/v2/schemas/metadefs/namespaces',
    });
    expect((await get('/image/v2/metadefs/namespaces')).body.first).toBe('/v2/metadefs/namespaces');
    expect((await get('/image/v2/metadefs/resource_types', member)).body).toEqual({ resource_types: [] });
    expect((await t.http.get('/image/v2/metadefs/namespaces')).status).toBe(401);
  });

  it("a namespace is Glance's 404", async () => {
    const res = await get('/image/v2/metadefs/namespaces/OS::Compute::Watchdog');
    expect(res.status).toBe(404);
    expect(JSON.stringify(res.body ?? res.text)).toContain(
      'Metadata definition namespace=OS::Compute::Watchdog was not found.',
    );
    expect((await get('/image/v2/metadefs/namespaces/OS::Compute::Watchdog/resource_types')).status).toBe(404);
  });

  it('the image schema offers disk_format docker, and an image can be created with it', async () => {
    const schema = await get('/image/v2/schemas/image');
    expect(schema.body.properties.disk_format.enum).toContain('docker');
    const created = await t.http
      .post('/image/v2/images')
      .set('X-Auth-Token', t.adminToken)
      .send({ name: 'd', container_format: 'docker', disk_format: 'docker' });
    expect(created.status).toBe(201);
    expect(created.body.disk_format).toBe('docker');
  });
});
