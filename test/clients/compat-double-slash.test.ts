// Issue 17, item 1: paths with a doubled slash. fog-openstack (Debian's ruby-fog-openstack) joins
// "#{@path}/" with request paths that begin with "/", so it sends GET /compute/v2.1//limits,
// //servers/{id}/metadata, //os-quota-sets/{project}[/defaults], //os-server-groups/{id}. Behind
// devstack's Apache these work (it merges slashes). novadock must answer them as the single-slash
// path, on every service, without a redirect. fog drives the compute calls; fetch checks the same
// for image and identity, and that a doubled slash anywhere in the path answers exactly as the
// single-slash path does (status and body), never with a 3xx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startListeningApp, type ListeningApp } from '../helpers/cli.js';
import { compatEnv, ruby } from '../helpers/compat.js';
import { seedImage, waitForStatus } from '../helpers/servers.js';

let s: ListeningApp;
let token: string;
let projectId: string;
let serverId: string;
let groupId: string;
let imageId: string;

const call = (method: string, path: string, body?: unknown) =>
  fetch(`${s.url}${path}`, {
    method,
    redirect: 'manual',
    headers: { 'X-Auth-Token': token, 'Content-Type': 'application/json', 'OpenStack-API-Version': 'compute 2.79' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

beforeAll(async () => {
  s = await startListeningApp();
  const auth = await fetch(`${s.url}/identity/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'admin', password: s.adminPassword, domain: { name: 'Default' } } },
        },
        scope: { project: { name: 'admin', domain: { name: 'Default' } } },
      },
    }),
  });
  expect(auth.status).toBe(201);
  token = auth.headers.get('x-subject-token')!;
  projectId = ((await auth.json()) as { token: { project: { id: string } } }).token.project.id;
  imageId = (await seedImage(s.services, { name: 'dbl-slash-image' })).id;
  const srv = await call('POST', '/compute/v2.1/servers', {
    server: { name: 'dbl', imageRef: imageId, flavorRef: '1', networks: 'none', metadata: { a: 'b' } },
  });
  expect(srv.status).toBe(202);
  serverId = ((await srv.json()) as { server: { id: string } }).server.id;
  await waitForStatus(async () => {
    const r = await call('GET', `/compute/v2.1/servers/${serverId}`);
    return { status: r.status, body: (await r.json()) as { server?: { status: string } } };
  }, 'ACTIVE');
  const grp = await call('POST', '/compute/v2.1/os-server-groups', {
    server_group: { name: 'dbl', policy: 'affinity' },
  });
  expect(grp.status).toBe(200);
  groupId = ((await grp.json()) as { server_group: { id: string } }).server_group.id;
}, 60_000);

afterAll(async () => {
  await s?.close();
});

describe('fog-openstack', () => {
  it('every compute request fog sends with a doubled slash succeeds', async () => {
    const results = await ruby<{ call: string; ok: boolean; status: number | null; path: string; error?: string }[]>(
      'fog_paths.rb',
      [serverId, groupId, projectId],
      compatEnv(s),
    );
    const doubled = results.filter((r) => r.path.includes('//'));
    // fog really does send these six with '//' (if a fog update stops doing so, this test says so)
    expect(doubled.map((r) => r.call).sort()).toEqual([
      'get_limits',
      'get_quota',
      'get_quota_defaults',
      'get_server_group',
      'list_metadata',
      'update_quota',
    ]);
    expect(
      results.filter((r) => !r.ok),
      JSON.stringify(results, null, 1),
    ).toEqual([]);
  }, 120_000);
});

describe('a doubled slash anywhere answers as the single-slash path, without a redirect', () => {
  const pairs: [string, string][] = [
    ['/compute/v2.1//limits', '/compute/v2.1/limits'],
    ['//compute/v2.1/flavors', '/compute/v2.1/flavors'],
    ['/compute//v2.1/flavors/1', '/compute/v2.1/flavors/1'],
    ['/compute/v2.1///os-availability-zone', '/compute/v2.1/os-availability-zone'],
    ['/image/v2//images', '/image/v2/images'],
    ['/image//v2/schemas/image', '/image/v2/schemas/image'],
    ['/identity/v3//projects', '/identity/v3/projects'],
    ['//identity//v3//auth//projects', '/identity/v3/auth/projects'],
  ];
  for (const [doubled, single] of pairs) {
    it(`GET ${doubled}`, async () => {
      const want = await call('GET', single);
      const got = await call('GET', doubled);
      expect(want.status).toBe(200);
      expect(got.status).toBe(200);
      expect(got.headers.get('location')).toBeNull();
      expect(await got.json()).toEqual(await want.json());
    });
  }

  it('GET /compute/v2.1//servers/{id} and /image/v2//images/{id} find the objects', async () => {
    expect((await call('GET', `/compute/v2.1//servers/${serverId}`)).status).toBe(200);
    expect((await call('GET', `/image/v2//images/${imageId}`)).status).toBe(200);
  });

  it('writes through a doubled slash: POST /compute/v2.1//os-keypairs, PUT //servers/{id}/metadata, POST /identity/v3//auth/tokens', async () => {
    const kp = await call('POST', '/compute/v2.1//os-keypairs', { keypair: { name: 'dbl-key' } });
    expect(kp.status).toBe(201);
    expect((await call('GET', '/compute/v2.1/os-keypairs/dbl-key')).status).toBe(200);
    const md = await call('PUT', `/compute/v2.1//servers/${serverId}/metadata`, { metadata: { c: 'd' } });
    expect(md.status).toBe(200);
    expect(await md.json()).toEqual({ metadata: { c: 'd' } });
    const tok = await fetch(`${s.url}/identity/v3//auth/tokens`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: 'admin', password: s.adminPassword, domain: { name: 'Default' } } },
          },
        },
      }),
    });
    expect(tok.status).toBe(201);
  });
});
