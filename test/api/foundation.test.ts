import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../helpers/app.js';
import { MAX_VERSION } from '../../src/compute/api-version.js';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('version documents (no token)', () => {
  it('GET /compute/v2.1 and /compute/v2.1/ give the version document', async () => {
    for (const path of ['/compute/v2.1', '/compute/v2.1/']) {
      const res = await t.http.get(path).set('Host', 'h.example:8774');
      expect(res.status).toBe(200);
      expect(res.body.version).toMatchObject({
        id: 'v2.1',
        status: 'CURRENT',
        version: MAX_VERSION,
        min_version: '2.1',
      });
      expect(res.body.version.links[0]).toEqual({ rel: 'self', href: 'http://h.example:8774/compute/v2.1/' });
      expect(res.headers['openstack-api-version']).toBe('compute 2.1');
    }
  });
  it('GET /compute lists v2.0 and v2.1', async () => {
    const res = await t.http.get('/compute/');
    expect(res.status).toBe(200);
    expect(res.body.versions.map((v: { id: string }) => v.id)).toEqual(['v2.0', 'v2.1']);
  });
  it('identity: /identity is 300, /identity/v3 is 200', async () => {
    const multi = await t.http.get('/identity');
    expect(multi.status).toBe(300);
    expect(multi.body.versions.values[0].id).toBe('v3.14');
    const v3 = await t.http.get('/identity/v3');
    expect(v3.status).toBe(200);
    expect(v3.body.version.status).toBe('stable');
  });
  it('image: /image is 300 and /image/versions 200, with absolute v2 hrefs', async () => {
    const a = await t.http.get('/image').set('Host', '127.0.0.1:9999');
    expect(a.status).toBe(300);
    expect(a.body.versions[0]).toMatchObject({ id: 'v2.16', status: 'CURRENT' });
    expect(a.body.versions[0].links[0].href).toBe('http://127.0.0.1:9999/image/v2/');
    const b = await t.http.get('/image/versions');
    expect(b.status).toBe(200);
    expect(b.body.versions.some((v: { id: string }) => v.id.startsWith('v2'))).toBe(true);
  });
  it('GET / names the service and links the three APIs', async () => {
    const res = await t.http.get('/');
    expect(res.status).toBe(200);
    expect(res.body.service).toBe('novadock');
    expect(res.body.links.map((l: { rel: string }) => l.rel)).toEqual(['identity', 'compute', 'image']);
  });
});

describe('microversions', () => {
  it('406 out of range, with both version headers and Vary', async () => {
    const res = await t.http
      .get('/compute/v2.1/flavors')
      .set('X-Auth-Token', t.adminToken)
      .set('OpenStack-API-Version', 'compute 9.9');
    expect(res.status).toBe(406);
    expect(res.body).toEqual({
      computeFault: {
        code: 406,
        message: `Version 9.9 is not supported by the API. Minimum is 2.1 and maximum is ${MAX_VERSION}.`,
      },
    });
    expect(res.headers['openstack-api-version']).toBe('compute 9.9');
    expect(res.headers['x-openstack-nova-api-version']).toBe('9.9');
    expect(res.headers.vary).toMatch(/OpenStack-API-Version/);
    expect(res.headers.vary).toMatch(/X-OpenStack-Nova-API-Version/);
  });
  it('400 for a malformed version string', async () => {
    const res = await t.http
      .get('/compute/v2.1/flavors')
      .set('X-Auth-Token', t.adminToken)
      .set('OpenStack-API-Version', 'compute foo');
    expect(res.status).toBe(400);
    expect(res.body.badRequest.message).toBe(
      'API Version String foo is of invalid format. Must be of format MajorNum.MinorNum.',
    );
  });
  it('latest means the maximum; the legacy header alone is read', async () => {
    const latest = await t.http.get('/compute/v2.1/').set('OpenStack-API-Version', 'compute latest');
    expect(latest.headers['openstack-api-version']).toBe(`compute ${MAX_VERSION}`);
    const legacy = await t.http.get('/compute/v2.1/').set('X-OpenStack-Nova-API-Version', '2.10');
    expect(legacy.headers['x-openstack-nova-api-version']).toBe('2.10');
    expect(legacy.headers['openstack-api-version']).toBe('compute 2.10');
  });
});

describe('errors and request ids', () => {
  it('every response carries request ids; compute ones x-compute-request-id too', async () => {
    const c = await t.http.get('/compute/v2.1');
    expect(c.headers['x-openstack-request-id']).toMatch(/^req-[0-9a-f-]{36}$/);
    expect(c.headers['x-compute-request-id']).toBe(c.headers['x-openstack-request-id']);
    const i = await t.http.get('/image/versions');
    expect(i.headers['x-openstack-request-id']).toMatch(/^req-/);
    expect(i.headers['x-compute-request-id']).toBeUndefined();
  });
  it('unknown compute path: webob-style 404 like Nova', async () => {
    const res = await t.http.get('/compute/v2.1/bogus-resource').set('X-Auth-Token', t.adminToken);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      message: 'The resource could not be found.<br /><br />\n\n\n',
      code: '404 Not Found',
      title: 'Not Found',
    });
  });
  it('missing or bad token: 401 with WWW-Authenticate naming the identity endpoint', async () => {
    const res = await t.http.get('/identity/v3/auth/catalog').set('Host', 'h:1');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Keystone uri="http://h:1/identity/v3"');
    expect(res.body).toEqual({
      error: { code: 401, message: 'The request you have made requires authentication.', title: 'Unauthorized' },
    });
    const bad = await t.http.get('/identity/v3/auth/catalog').set('X-Auth-Token', 'nope');
    expect(bad.status).toBe(401);
  });
  it('an empty body labelled JSON is no body (clients send the header on DELETE)', async () => {
    const res = await t.http
      .delete('/compute/v2.1/os-keypairs/nope')
      .set('X-Auth-Token', t.adminToken)
      .set('Content-Type', 'application/json');
    expect(res.status).toBe(404);
    expect(res.body.itemNotFound.message).toMatch(/nope/);
  });
  it('a __proto__ key in a JSON body is dropped, not merged into prototypes', async () => {
    const res = await t.http
      .post('/compute/v2.1/os-keypairs')
      .set('X-Auth-Token', t.adminToken)
      .set('Content-Type', 'application/json')
      .send('{"keypair": {"name": "kp-proto", "__proto__": {"polluted": 1}}}');
    expect(res.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
  it('malformed JSON is a 400 "Malformed request body", never a 500', async () => {
    const res = await t.http
      .post('/compute/v2.1/servers')
      .set('X-Auth-Token', t.adminToken)
      .set('Content-Type', 'application/json')
      .send('{not json');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ badRequest: { code: 400, message: 'Malformed request body' } });
  });
});

describe('tokens', () => {
  it('password auth gives 201, X-Subject-Token and a catalog with compute, image, network and identity', async () => {
    const res = await t.http
      .post('/identity/v3/auth/tokens')
      .set('Host', 'h:8774')
      .send({
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: 'admin', password: 'test-admin-password', domain: { id: 'default' } } },
          },
          scope: { project: { name: 'admin', domain: { id: 'default' } } },
        },
      });
    expect(res.status).toBe(201);
    expect(res.headers['x-subject-token']).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const token = res.body.token;
    expect(token.expires_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(token.project.name).toBe('admin');
    expect(token.roles.map((r: { name: string }) => r.name)).toContain('admin');
    const urls = Object.fromEntries(
      token.catalog.map((s: { type: string; endpoints: { interface: string; url: string }[] }) => [
        s.type,
        s.endpoints.find((e) => e.interface === 'public')!.url,
      ]),
    );
    expect(urls).toEqual({
      identity: 'http://h:8774/identity/v3',
      compute: 'http://h:8774/compute/v2.1',
      image: 'http://h:8774/image',
      network: 'http://h:8774/networking',
    });
  });
  it('glance style (no domain at all) works; a wrong password is 401 in Keystone format', async () => {
    const ok = await t.http.post('/identity/v3/auth/tokens').send({
      auth: {
        identity: { methods: ['password'], password: { user: { name: 'admin', password: 'test-admin-password' } } },
        scope: { project: { name: 'admin' } },
      },
    });
    expect(ok.status).toBe(201);
    const bad = await t.http.post('/identity/v3/auth/tokens').send({
      auth: {
        identity: { methods: ['password'], password: { user: { name: 'admin', password: 'wrong' } } },
        scope: { project: { name: 'admin' } },
      },
    });
    expect(bad.status).toBe(401);
    expect(bad.body.error).toMatchObject({ code: 401, title: 'Unauthorized' });
  });
  it('a revoked token no longer works', async () => {
    const res = await t.http.post('/identity/v3/auth/tokens').send({
      auth: {
        identity: { methods: ['password'], password: { user: { name: 'admin', password: 'test-admin-password' } } },
        scope: { project: { name: 'admin' } },
      },
    });
    const token = res.headers['x-subject-token'];
    const check = await t.http
      .get('/identity/v3/auth/tokens')
      .set('X-Auth-Token', t.adminToken)
      .set('X-Subject-Token', token);
    expect(check.status).toBe(200);
    const del = await t.http
      .delete('/identity/v3/auth/tokens')
      .set('X-Auth-Token', t.adminToken)
      .set('X-Subject-Token', token);
    expect(del.status).toBe(204);
    const after = await t.http
      .get('/identity/v3/auth/tokens')
      .set('X-Auth-Token', t.adminToken)
      .set('X-Subject-Token', token);
    expect(after.status).toBe(404);
  });
});
