// GET /v3/services, /v3/endpoints and /v3/regions: Keystone's documents for novadock's own catalog,
// agreeing with the catalog in a token (ids and URLs), with openstackclient's filters; members get
// Keystone's 403 for services and endpoints, regions are for anyone; writes are refused (403).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
let member: string;
const V3 = '/identity/v3';
const get = (p: string, token = t.adminToken) =>
  t.http.get(`${V3}${p}`).set('X-Auth-Token', token).set('Host', 'cloud.example:8774');

beforeAll(async () => {
  t = await makeTestApp();
  member = (await makeProjectUser(t, 'catalog-member')).token;
});
afterAll(async () => {
  await t.close();
});

describe('services, endpoints and regions', () => {
  it('agree with the catalog a token carries', async () => {
    const cat = (await get('/auth/catalog')).body.catalog as {
      id: string;
      type: string;
      name: string;
      endpoints: { id: string; url: string; interface: string }[];
    }[];
    const services = (await get('/services')).body;
    expect(services.services.map((s: { id: string; type: string; name: string }) => [s.id, s.type, s.name])).toEqual(
      cat.map((c) => [c.id, c.type, c.name]),
    );
    expect(services.links).toEqual({
      self: 'http://cloud.example:8774/identity/v3/services',
      previous: null,
      next: null,
    });
    const endpoints = (await get('/endpoints')).body.endpoints as {
      id: string;
      url: string;
      service_id: string;
      interface: string;
      region_id: string;
      enabled: boolean;
    }[];
    expect(endpoints).toHaveLength(12);
    for (const c of cat) {
      for (const e of c.endpoints) {
        expect(endpoints.find((x) => x.id === e.id)).toMatchObject({
          url: e.url,
          service_id: c.id,
          interface: e.interface,
          region_id: 'RegionOne',
          enabled: true,
        });
      }
    }
    const compute = endpoints.find(
      (e) => e.service_id === cat.find((c) => c.type === 'compute')!.id && e.interface === 'public',
    )!;
    expect(compute.url).toBe('http://cloud.example:8774/compute/v2.1');
  });
  it('filters as openstackclient sends them, and shows one by id', async () => {
    const nova = (await get('/services?type=compute')).body.services;
    expect(nova).toHaveLength(1);
    expect(nova[0]).toMatchObject({
      name: 'nova',
      type: 'compute',
      enabled: true,
      links: { self: `http://cloud.example:8774/identity/v3/services/${nova[0].id}` },
    });
    expect((await get('/services?name=glance')).body.services.map((s: { type: string }) => s.type)).toEqual(['image']);
    const pub = (await get(`/endpoints?service_id=${nova[0].id}&interface=public&region_id=RegionOne`)).body.endpoints;
    expect(pub).toHaveLength(1);
    expect((await get(`/endpoints?interface=admin`)).body.endpoints).toHaveLength(4);
    expect((await get(`/endpoints?region_id=Elsewhere`)).body.endpoints).toEqual([]);
    expect((await get(`/services/${nova[0].id}`)).body.service).toEqual(nova[0]);
    expect((await get(`/endpoints/${pub[0].id}`)).body.endpoint).toEqual(pub[0]);
    expect((await get('/regions')).body.regions).toEqual([
      {
        id: 'RegionOne',
        description: '',
        parent_region_id: null,
        links: { self: 'http://cloud.example:8774/identity/v3/regions/RegionOne' },
      },
    ]);
    expect((await get('/regions/RegionOne')).body.region.id).toBe('RegionOne');
  });
  it("an unknown id is Keystone's 404", async () => {
    const res = await get('/services/nope');
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 404, message: 'Could not find service: nope.' });
    expect((await get('/endpoints/nope')).body.error.message).toBe('Could not find endpoint: nope.');
    expect((await get('/regions/nope')).body.error.message).toBe('Could not find region: nope.');
  });
  it('members: 403 for services and endpoints, regions allowed', async () => {
    const res = await get('/endpoints', member);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(
      'You are not authorized to perform the requested action: identity:list_endpoints.',
    );
    expect((await get('/services', member)).status).toBe(403);
    expect((await get('/regions', member)).status).toBe(200);
  });
  it('writes are refused: 403 saying the catalog is fixed (members: not authorized)', async () => {
    const res = await t.http
      .post(`${V3}/services`)
      .set('X-Auth-Token', t.adminToken)
      .send({ service: { type: 'volume', name: 'cinder' } });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/service catalog of novadock is fixed/);
    expect((await t.http.delete(`${V3}/endpoints/compute-public`).set('X-Auth-Token', t.adminToken)).status).toBe(403);
    expect(
      (
        await t.http
          .patch(`${V3}/regions/RegionOne`)
          .set('X-Auth-Token', t.adminToken)
          .send({ region: { description: 'x' } })
      ).status,
    ).toBe(403);
    const byMember = await t.http.post(`${V3}/endpoints`).set('X-Auth-Token', member).send({});
    expect(byMember.body.error.message).toBe(
      'You are not authorized to perform the requested action: identity:create_endpoint.',
    );
    expect((await get('/endpoints')).body.endpoints).toHaveLength(12);
  });
});
