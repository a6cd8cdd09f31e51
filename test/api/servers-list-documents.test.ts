// The list documents are the show documents: every server of GET /servers/detail prints exactly
// (same keys, same order, same values) what GET /servers/{id} prints for it, less server_groups
// (Nova's list-detail has none), and GET /servers prints its id, name and links; for an admin and a
// member, at every microversion that changes the document. The lists read only the columns their
// views render (views/servers.ts SERVER_VIEW_COLUMNS) and are printed server by server
// (api/json-list-body.ts): a column or field either leaves out shows here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';

let t: TestApp;
let user: { projectId: string; userId: string; token: string };
const S = '/compute/v2.1/servers';
const MICROVERSIONS = ['2.1', '2.3', '2.9', '2.16', '2.19', '2.26', '2.47', '2.63', '2.71', '2.73', '2.90', 'latest'];
// one Host for every request (supertest's port differs per request; links are built from it)
const get = (url: string, v: string, token: string) =>
  t.http.get(url).set('Host', 'nova.example').set('X-Auth-Token', token).set('OpenStack-API-Version', `compute ${v}`);

beforeAll(async () => {
  t = await makeTestApp({ heartbeatIntervalSeconds: 3600 });
  await unlimitedQuota(t.services);
  user = await makeProjectUser(t, 'docs-p');
  const image = await seedImage(t.services);
  const as = (path: string, v: string, body: object) =>
    t.http.post(path).set('X-Auth-Token', user.token).set('OpenStack-API-Version', `compute ${v}`).send(body);
  const kp = await as('/compute/v2.1/os-keypairs', '2.2', {
    keypair: {
      name: 'docs-kp',
      public_key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBdCBumRJ9DG1bbvcjQXo7lk8G5RVTDvxpKa4RHxNp4Z d',
    },
  });
  expect(kp.status).toBe(201);
  const group = await as('/compute/v2.1/os-server-groups', '2.64', { server_group: { name: 'g', policy: 'affinity' } });
  expect(group.status).toBe(200);
  const boot = async (name: string, server: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const res = await as(S, '2.90', { server: { name, imageRef: image.id, flavorRef: '1', ...server }, ...extra });
    expect(res.status).toBe(202);
    await t.services.worker.drain();
    return res.body.server.id as string;
  };
  await boot(
    'full-é',
    {
      networks: 'auto',
      metadata: { b: '2', a: 'ü "quoted"' },
      tags: ['y', 'x'],
      description: 'a <description>',
      key_name: 'docs-kp',
      user_data: Buffer.from('#!/bin/sh\necho hi\n').toString('base64'),
      accessIPv4: '192.0.2.7',
      accessIPv6: '2001:db8::7',
      hostname: 'full-host',
    },
    { 'os:scheduler_hints': { group: group.body.server_group.id } },
  );
  const plain = await boot('plain', { networks: 'none' });
  const locked = await boot('locked', { networks: 'none' });
  t.fake.failNext('spawn');
  await boot('broken', { networks: 'none' });
  const stop = await as(`${S}/${plain}/action`, '2.1', { 'os-stop': null });
  expect(stop.status).toBe(202);
  const lock = await as(`${S}/${locked}/action`, '2.73', { lock: { locked_reason: 'kept' } });
  expect(lock.status).toBe(202);
  await t.services.worker.drain();
});
afterAll(async () => {
  await t.close();
});

describe('list documents print what GET /servers/{id} prints', () => {
  for (const who of ['admin', 'member'] as const) {
    for (const v of MICROVERSIONS) {
      it(`${who} at ${v}`, async () => {
        const token = who === 'admin' ? t.adminToken : user.token;
        const scope = who === 'admin' ? `?all_tenants=1&project_id=${user.projectId}` : '';
        const detail = await get(`${S}/detail${scope}`, v, token);
        expect(detail.status).toBe(200);
        expect(detail.body.servers.map((s: { name: string }) => s.name).sort()).toEqual([
          'broken',
          'full-é',
          'locked',
          'plain',
        ]);
        const basic = await get(`${S}${scope}`, v, token);
        expect(basic.status).toBe(200);
        for (const [i, listed] of (detail.body.servers as Record<string, unknown>[]).entries()) {
          const show = await get(`${S}/${listed.id as string}`, v, token);
          expect(show.status).toBe(200);
          const { server_groups: _groups, ...want } = show.body.server as Record<string, unknown>;
          // key order included: the texts are compared
          expect(JSON.stringify(listed)).toBe(JSON.stringify(want));
          expect(JSON.stringify(basic.body.servers[i])).toBe(
            JSON.stringify({ id: want.id, name: want.name, links: want.links }),
          );
        }
      });
    }
  }
});
