// Issue 17, item 7: a JSON body nested 100,000 levels deep (`{"server":[[[…]]]}`, or objects
// `{"a":{"a":…}}` at 1.2 MB, both under the 16 MiB body limit) overflowed the stack and answered
// 500 "Unexpected API Error". It must be the service's own 400 for a malformed body, on every
// service (compute, image, identity, network), exactly as a plainly malformed body (`{`) on the same
// route is answered. Sent with curl.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startListeningApp, type ListeningApp } from '../helpers/cli.js';
import { seedImage } from '../helpers/servers.js';

let s: ListeningApp;
let work: string;
let token: string;
let imageId: string;
const N = 100_000;

const BODIES: Record<string, (key: string) => string> = {
  'arrays 100,000 deep': (key) => `{"${key}":${'['.repeat(N)}${']'.repeat(N)}}`,
  'objects 100,000 deep (1.2 MB)': (key) => `{"${key}":${'{"abcdefg":'.repeat(N)}1${'}'.repeat(N)}}`,
};

/** curl with the admin token; returns status and body. */
async function curl(
  method: string,
  url: string,
  file: string,
  contentType: string,
): Promise<{ status: number; body: unknown }> {
  const r = await runCli(
    '/usr/bin/curl',
    [
      '-sS',
      '-o',
      '-',
      '-w',
      '\n%{http_code}',
      '-X',
      method,
      `${s.url}${url}`,
      '-H',
      `X-Auth-Token: ${token}`,
      '-H',
      `Content-Type: ${contentType}`,
      '--data-binary',
      `@${file}`,
    ],
    {},
    { timeoutMs: 60_000 },
  );
  expect(r.code, r.stderr).toBe(0);
  const cut = r.stdout.lastIndexOf('\n');
  return { status: Number(r.stdout.slice(cut + 1)), body: JSON.parse(r.stdout.slice(0, cut)) };
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'novadock-deep-'));
  s = await startListeningApp({}, { background: false });
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
  token = auth.headers.get('x-subject-token')!;
  imageId = (await seedImage(s.services, { name: 'deep' })).id;
  fs.writeFileSync(path.join(work, 'malformed.json'), '{');
}, 60_000);

afterAll(async () => {
  await s?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const ROUTES: { service: string; method: string; path: string; key: string; contentType?: string }[] = [
  { service: 'compute', method: 'POST', path: '/compute/v2.1/servers', key: 'server' },
  { service: 'compute', method: 'POST', path: '/compute/v2.1/os-keypairs', key: 'keypair' },
  { service: 'image', method: 'POST', path: '/image/v2/images', key: 'name' },
  {
    service: 'image',
    method: 'PATCH',
    path: '/image/v2/images/{id}',
    key: 'op',
    contentType: 'application/openstack-images-v2.1-json-patch',
  },
  { service: 'identity', method: 'POST', path: '/identity/v3/auth/tokens', key: 'auth' },
  { service: 'identity', method: 'POST', path: '/identity/v3/projects', key: 'project' },
  { service: 'network', method: 'POST', path: '/networking/v2.0/networks', key: 'network' },
  { service: 'network', method: 'POST', path: '/networking/v2.0/security-group-rules', key: 'security_group_rule' },
];

describe('a body nested 100,000 deep is the malformed-body 400 of each service', () => {
  for (const route of ROUTES) {
    for (const [what, make] of Object.entries(BODIES)) {
      it(`${route.service}: ${route.method} ${route.path} with ${what}`, async () => {
        const url = route.path.replace('{id}', imageId);
        const file = path.join(work, `${route.key}-${what.split(' ')[0]}.json`);
        fs.writeFileSync(file, make(route.key));
        const ct = route.contentType ?? 'application/json';
        const plain = await curl(route.method, url, path.join(work, 'malformed.json'), ct);
        expect(plain.status).toBe(400);
        const deep = await curl(route.method, url, file, ct);
        expect(deep).toEqual(plain);
      }, 60_000);
    }
  }
});

describe("the network service's malformed body is Neutron's", () => {
  // neutron pecan_wsgi/hooks/body_validation.py: JSON that does not parse, or is no object, is
  // 400 "Body contains invalid data"; no body, or an object without the resource, is
  // "Unable to find 'network' in request body" (controllers/resource.py)
  const neutron = (message: string) => ({ NeutronError: { type: 'HTTPBadRequest', message, detail: '' } });
  for (const [text, message] of [
    ['{', 'Body contains invalid data'],
    ['[]', 'Body contains invalid data'],
    ['"network"', 'Body contains invalid data'],
    ['{}', "Unable to find 'network' in request body"],
  ] as const) {
    it(`POST /networking/v2.0/networks with ${text}`, async () => {
      const file = path.join(work, 'neutron-body.json');
      fs.writeFileSync(file, text);
      const r = await curl('POST', '/networking/v2.0/networks', file, 'application/json');
      expect(r).toEqual({ status: 400, body: neutron(message) });
    });
  }
});
