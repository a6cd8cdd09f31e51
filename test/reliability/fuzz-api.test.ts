// Bad input, property-based: for every route of the live OpenAPI document (rendered from the app,
// so new routes are covered as they land) a seeded generator sends malformed bodies, headers,
// query strings and ids — 10,000 requests in all, in-process (fake driver, app.inject). Every
// answer is below 500, and every error body has its service's format: a Nova fault
// {name: {code, message}} under /compute (webob only for an unknown route), Glance's webob
// {code, title, message} under /image, Keystone's {error: {code, message, title}} under /identity,
// Neutron's {NeutronError: {type, message, detail}} under /networking.
// A failure prints the seed and the request, so it can be replayed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, makeProjectUser, type TestApp } from '../helpers/app.js';
import { renderOpenapi } from '../helpers/openapi.js';
import { seedImage, waitForStatus } from '../helpers/servers.js';
import { Gen, prng } from './helpers/fuzz.js';

const TOTAL = 10_000;
const SEED = Number(process.env.NOVADOCK_FUZZ_SEED ?? 20261127);
const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head'] as const;

interface Route {
  path: string;
  method: string;
  bodySchema: unknown;
}

let t: TestApp;
let routes: Route[];
let memberToken: string;
const fixtures: Record<string, string> = {};

beforeAll(async () => {
  const doc = JSON.parse(await renderOpenapi()) as { paths: Record<string, Record<string, any>> };
  routes = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const m of METHODS) {
      if (!ops[m]) continue;
      const content = ops[m].requestBody?.content ?? {};
      const media = Object.values(content)[0] as { schema?: unknown } | undefined;
      routes.push({ path, method: m.toUpperCase(), bodySchema: media?.schema ?? null });
    }
  }
  t = await makeTestApp();
  memberToken = (await makeProjectUser(t, 'fuzzproj', 'member')).token;
  const image = await seedImage(t.services, { name: 'fuzz-image' });
  fixtures.image = image.id;
  const srv = await t.http
    .post('/compute/v2.1/servers')
    .set('X-Auth-Token', t.adminToken)
    .set('OpenStack-API-Version', 'compute 2.79')
    .send({ server: { name: 'fuzz', imageRef: image.id, flavorRef: '1', networks: 'none' } });
  expect(srv.status).toBe(202);
  fixtures.server = srv.body.server.id;
  await t.services.worker.drain();
  await waitForStatus(
    () => t.http.get(`/compute/v2.1/servers/${fixtures.server}`).set('X-Auth-Token', t.adminToken),
    'ACTIVE',
  );
  const kp = await t.http
    .post('/compute/v2.1/os-keypairs')
    .set('X-Auth-Token', t.adminToken)
    .set('OpenStack-API-Version', 'compute 2.1')
    .send({ keypair: { name: 'fuzzkey' } });
  expect(kp.status).toBe(200);
  fixtures.keypair = 'fuzzkey';
  const nets = await t.http.get('/networking/v2.0/networks?name=private').set('X-Auth-Token', t.adminToken);
  fixtures.network = nets.body.networks[0].id;
  // one of each network resource, so that fuzzed updates reach their validation with a real id
  const neutron = async (collection: string, key: string) => {
    const r = await t.http.get(`/networking/v2.0/${collection}`).set('X-Auth-Token', t.adminToken);
    return r.body[key][0].id as string;
  };
  fixtures.subnet = await neutron('subnets', 'subnets');
  fixtures.router = await neutron('routers', 'routers');
  const port = await t.http
    .post('/networking/v2.0/ports')
    .set('X-Auth-Token', t.adminToken)
    .send({ port: { network_id: fixtures.network, name: 'fuzz' } });
  fixtures.port = port.body.port.id;
  fixtures.securityGroup = port.body.port.security_groups[0];
  fixtures.securityGroupRule = await neutron('security-group-rules', 'security_group_rules');
  const pub = await t.http.get('/networking/v2.0/networks?name=public').set('X-Auth-Token', t.adminToken);
  const fip = await t.http
    .post('/networking/v2.0/floatingips')
    .set('X-Auth-Token', t.adminToken)
    .send({ floatingip: { floating_network_id: pub.body.networks[0].id } });
  fixtures.floatingip = fip.body.floatingip.id;
  const fuzzUser = await t.services.identityRepo.findUserByName('default', 'fuzzproj-member');
  fixtures.user = fuzzUser!.id;
  fixtures.project = (await t.services.identityRepo.findProjectByName('default', 'fuzzproj'))!.id;
}, 120_000);

afterAll(async () => {
  await t?.close();
});

/** A value for a path parameter: often a real object's id, else something hostile. */
function paramValue(g: Gen, route: Route, name: string): { value: string; raw: boolean } {
  const p = route.path;
  const real = (): string | undefined => {
    if (/\/servers\/\{id\}/.test(p)) return fixtures.server;
    if (/\/images\/\{/.test(p)) return fixtures.image;
    if (/os-keypairs\/\{name\}/.test(p)) return fixtures.keypair;
    if (/flavors\/\{flavorId\}/.test(p)) return '1';
    if (/\/extensions\/\{/.test(p)) return 'os-keypairs';
    if (/\/users\/\{/.test(p)) return fixtures.user;
    if (/\/projects\/\{/.test(p)) return fixtures.project;
    if (/os-quota-sets\/\{id\}/.test(p)) return fixtures.project;
    if (/\/networking\/v2\.0\/quotas\/\{/.test(p)) return fixtures.project;
    if (/\/networking\/v2\.0\/networks\/\{/.test(p)) return fixtures.network;
    if (/\/networking\/v2\.0\/subnets\/\{/.test(p)) return fixtures.subnet;
    if (/\/networking\/v2\.0\/ports\/\{/.test(p)) return fixtures.port;
    if (/\/networking\/v2\.0\/routers\/\{/.test(p)) return fixtures.router;
    if (/\/networking\/v2\.0\/floatingips\/\{/.test(p)) return fixtures.floatingip;
    if (/\/networking\/v2\.0\/security-groups\/\{/.test(p)) return fixtures.securityGroup;
    if (/\/networking\/v2\.0\/security-group-rules\/\{/.test(p)) return fixtures.securityGroupRule;
    return undefined;
  };
  // Never hand a real id to a DELETE: the fixtures must outlive the run.
  const r = route.method !== 'DELETE' ? real() : undefined;
  if (r && g.chance(0.5)) return { value: r, raw: false };
  if (g.chance(0.05)) return { value: g.pick(['%zz', '%', '..', '%2F', 'a%00b']), raw: true };
  void name;
  return { value: g.hostileString().slice(0, g.chance(0.9) ? 200 : 5000), raw: false };
}

/** encodeURIComponent, with lone surrogates (which it refuses) replaced. */
function enc(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '\ufffd'));
  }
}

const QUERY_KEYS = [
  'limit',
  'marker',
  'sort_key',
  'sort_dir',
  'name',
  'status',
  'changes-since',
  'changes-before',
  'all_tenants',
  'detailed',
  'start',
  'end',
  'visibility',
  'member_status',
  'tag',
  'tags',
  'tags-any',
  'not-tags',
  'image',
  'flavor',
  'ip',
  'minDisk',
  'minRam',
  'is_public',
  'user_id',
  'project_id',
  'deleted',
  'host',
  'locked',
  'owner',
  'os_hidden',
  'size_min',
  'size_max',
  'sort',
  'domain_id',
  'enabled',
  'include_names',
  'scope.project.id',
  'type',
  'hypervisor_hostname_pattern',
  'with_servers',
  'binary',
  'reserved',
  'tenant_id',
];

function queryString(g: Gen): string {
  if (g.chance(0.3)) return '';
  const parts: string[] = [];
  for (let i = 0, n = g.int(4) + 1; i < n; i += 1) {
    const key = g.chance(0.85) ? g.pick(QUERY_KEYS) : g.hostileString().slice(0, 30);
    const val = g.chance(0.5) ? g.hostileString().slice(0, 300) : String(g.hostileNumber());
    parts.push(g.chance(0.05) ? `${key}=%zz` : `${enc(key)}=${enc(val)}`);
    if (g.chance(0.1)) parts.push(`${enc(key)}=${enc(val)}x`); // repeated key
  }
  return `?${parts.join('&')}`;
}

function headers(g: Gen): Record<string, string> {
  const h: Record<string, string> = {};
  const tok = g.rnd();
  if (tok < 0.75) h['x-auth-token'] = t.adminToken;
  else if (tok < 0.85) h['x-auth-token'] = memberToken;
  else if (tok < 0.95)
    h['x-auth-token'] = g
      .hostileString()
      .slice(0, 500)
      .replace(/[\r\n\u0000-\u001f\u007f-\uffff]/g, '');
  if (g.chance(0.5)) {
    h['openstack-api-version'] = g.pick([
      'compute 2.1',
      'compute 2.79',
      'compute latest',
      'compute 2.100',
      'compute 3.0',
      'compute 2',
      'compute abc',
      'image 2.1',
      'compute 2.1, compute 2.5',
      '',
      'compute  2.10',
      'compute 2.01',
      'COMPUTE 2.5',
      'compute -2.5',
    ]);
  }
  if (g.chance(0.1)) h['x-openstack-nova-api-version'] = g.pick(['2.1', '2.999', 'latest', 'x', '']);
  if (g.chance(0.15)) h.accept = g.pick(['application/xml', 'text/html', '*/*', '', 'application/json;q=0']);
  return h;
}

function body(g: Gen, route: Route): { payload?: string | Buffer; contentType?: string } {
  if (route.method === 'GET' || route.method === 'HEAD' || route.method === 'DELETE') {
    return g.chance(0.1) ? { payload: '{"a":', contentType: 'application/json' } : {};
  }
  const r = g.rnd();
  // Huge bodies (deep nesting, huge arrays, long strings), as the whole body or under the schema's first key.
  if (r < 0.015) {
    const huge = g.hugeJsonText();
    const key = Object.keys((route.bodySchema as { properties?: object } | null)?.properties ?? {})[0];
    return {
      payload: key && g.chance(0.7) ? `{${JSON.stringify(key)}:${huge}}` : huge,
      contentType: 'application/json',
    };
  }
  if (r < 0.08)
    return {
      payload: g.pick(['{', '{"a":}', 'nul', '[1,2', '\u0000', '{"a":1}{"b":2}', '"str"', '123', 'null']),
      contentType: 'application/json',
    };
  if (r < 0.12)
    return {
      payload: Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x80]),
      contentType: g.pick(['application/json', 'application/octet-stream', 'text/plain']),
    };
  if (r < 0.16)
    return {
      payload: 'a=b&c=d',
      contentType: g.pick(['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/xml']),
    };
  if (r < 0.2) return { payload: '', contentType: 'application/json' };
  const value = route.bodySchema && g.chance(0.8) ? g.fromSchema(route.bodySchema) : g.anyValue(3);
  const ct =
    /\/images\/\{[^}]+\}$/.test(route.path) && route.method === 'PATCH' && g.chance(0.7)
      ? 'application/openstack-images-v2.1-json-patch'
      : 'application/json';
  return { payload: JSON.stringify(value), contentType: ct };
}

/** Routes that serve a page to a person's browser (the console): their refusals are pages, not API faults. */
const BROWSER_PAGES = new Set(['/compute/console/terminal', '/compute/console/serial']);

/** The error body format of the service under `url`. */
function assertErrorFormat(url: string, status: number, raw: string, contentType: string | undefined): void {
  if (BROWSER_PAGES.has(url.split('?')[0])) {
    if (contentType !== 'text/html; charset=utf-8' || !/<h1>[^<]+<\/h1>/.test(raw))
      throw new Error(`not an error page (${contentType}): ${raw.slice(0, 300)}`);
    return;
  }
  let b: any;
  try {
    b = JSON.parse(raw);
  } catch {
    throw new Error(`error body is not JSON (${contentType}): ${raw.slice(0, 200)}`);
  }
  const webob = (x: any) =>
    x && typeof x.message === 'string' && typeof x.title === 'string' && x.code === `${status} ${x.title}`;
  if (url.startsWith('/compute')) {
    const keys = Object.keys(b ?? {});
    const novaFault = keys.length === 1 && typeof b[keys[0]]?.message === 'string' && b[keys[0]]?.code === status;
    if (!novaFault && !((status === 404 || status === 405) && webob(b)))
      throw new Error(`not a Nova fault: ${raw.slice(0, 300)}`);
  } else if (url.startsWith('/identity')) {
    if (!(
      b?.error &&
      b.error.code === status &&
      typeof b.error.message === 'string' &&
      typeof b.error.title === 'string'
    )) {
      throw new Error(`not a Keystone error: ${raw.slice(0, 300)}`);
    }
  } else if (url.startsWith('/networking')) {
    // Neutron's {"NeutronError": {type, message, detail}}; a token problem is keystonemiddleware's
    const neutron =
      b?.NeutronError && typeof b.NeutronError.type === 'string' && typeof b.NeutronError.message === 'string';
    const keystone = status === 401 && b?.error && b.error.code === 401;
    if (!neutron && !keystone) throw new Error(`not a NeutronError: ${raw.slice(0, 300)}`);
  } else if (!webob(b)) {
    throw new Error(`not a webob error: ${raw.slice(0, 300)}`);
  }
}

describe('malformed requests to every route', () => {
  it(`${TOTAL} requests: no 5xx, always a well-formed error body`, async () => {
    expect(routes.length).toBeGreaterThan(60);
    const g = new Gen(prng(SEED));
    const statuses: Record<string, number> = {};
    const failures: string[] = [];
    const t0 = Date.now();
    for (let i = 0; i < TOTAL; i += 1) {
      const route = routes[i % routes.length];
      let url = route.path.replace(/\{([^}]+)\}/g, (_m, name: string) => {
        const v = paramValue(g, route, name);
        return v.raw ? v.value : enc(v.value);
      });
      url += queryString(g);
      const h = headers(g);
      const b = body(g, route);
      if (b.contentType) h['content-type'] = b.contentType;
      let res;
      try {
        res = await t.app.inject({ method: route.method as never, url, headers: h, payload: b.payload });
      } catch (err) {
        failures.push(`#${i} ${route.method} ${url}: inject threw ${(err as Error).message}`);
        continue;
      }
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      const where = `#${i} (seed ${SEED}) ${route.method} ${url.slice(0, 300)} headers=${JSON.stringify(h).slice(0, 300)} body=${String(b.payload ?? '').slice(0, 300)}`;
      if (res.statusCode >= 500) failures.push(`${where} → ${res.statusCode} ${res.body.slice(0, 300)}`);
      else if (res.statusCode >= 400 && route.method !== 'HEAD') {
        try {
          assertErrorFormat(url, res.statusCode, res.body, res.headers['content-type'] as string | undefined);
        } catch (e) {
          failures.push(`${where} → ${res.statusCode}: ${(e as Error).message}`);
        }
      }
      if (failures.length >= 20) break;
    }
    console.info(
      `[reliability] fuzz: ${TOTAL} requests over ${routes.length} routes in ${Date.now() - t0} ms; statuses ${JSON.stringify(statuses)}`,
    );
    expect(failures, failures.join('\n')).toEqual([]);
    // The service still answers normally afterwards.
    const ok = await t.http.get(`/compute/v2.1/servers/${fixtures.server}`).set('X-Auth-Token', t.adminToken);
    expect(ok.status).toBe(200);
  }, 240_000);
});
