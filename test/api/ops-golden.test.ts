// Our answers against real Nova's recordings (test/fixtures/nova-golden): the same request gives the
// same status and the same body shape (keys, their order and value types; values are this run's).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { insertInstanceRow } from '../helpers/instance-rows.js';
import { GOLDEN_DIR } from '../helpers/golden.js';
import { sql } from '../../src/db/sql.js';

const GOLDEN = GOLDEN_DIR;

interface Golden {
  request: { method: string; url: string; headers: Record<string, string>; body: unknown };
  response: { status: number; body: unknown };
}
const golden = (file: string): Golden => JSON.parse(fs.readFileSync(path.join(GOLDEN, file), 'utf8'));

/** Keys in order and value types, recursively; arrays by their first item; null matches any type. */
type Shape = string | null | Shape[] | [string, Shape][];
function shape(v: unknown): Shape {
  if (v === null) return null;
  if (Array.isArray(v)) return v.length ? [shape(v[0])] : [];
  if (typeof v === 'object')
    return Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, shape(x)] as [string, Shape]);
  return typeof v;
}
function sameShape(ours: Shape, theirs: Shape, at = '$'): string[] {
  if (ours === null || theirs === null) return [];
  if (typeof ours === 'string' || typeof theirs === 'string')
    return ours === theirs ? [] : [`${at}: ${JSON.stringify(ours)} vs ${JSON.stringify(theirs)}`];
  const isObj = (s: Shape[]) =>
    s.length > 0 &&
    Array.isArray(s[0]) &&
    typeof (s[0] as unknown[])[0] === 'string' &&
    (s[0] as unknown[]).length === 2;
  if (isObj(ours as Shape[]) || isObj(theirs as Shape[])) {
    const o = ours as [string, Shape][];
    const t = theirs as [string, Shape][];
    const keys = (x: [string, Shape][]) => x.map(([k]) => k);
    if (JSON.stringify(keys(o)) !== JSON.stringify(keys(t)))
      return [`${at}: keys ${JSON.stringify(keys(o))} vs ${JSON.stringify(keys(t))}`];
    return o.flatMap(([k, s], i) => sameShape(s, t[i][1], `${at}.${k}`));
  }
  const [a] = ours as Shape[];
  const [b] = theirs as Shape[];
  return a === undefined || b === undefined ? [] : sameShape(a, b, `${at}[0]`);
}

let t: TestApp;
let demo: { token: string };
beforeAll(async () => {
  t = await makeTestApp();
  demo = await makeProjectUser(t, 'golden-demo', 'member');
  const admin = (await t.services.identityRepo.findProjectByName('default', 'admin'))!;
  const host = (await t.services.hostsRepo.list())[0];
  // something to report: a running server on the host, a key pair, a server group
  await insertInstanceRow(t.services.db, {
    projectId: admin.id,
    hostId: host.id,
    launchedAt: new Date(Date.now() - 60_000).toISOString(),
  });
  await sql(t.services.db)('instances').update({ flavor_json: JSON.stringify({ name: 'm1.tiny' }) });
});
afterAll(async () => {
  await t.close();
});

async function replay(file: string, opts: { token?: string; url?: (u: string) => string; body?: unknown } = {}) {
  const g = golden(file);
  let url = g.request.url.replace(/^https?:\/\/[^/]+\/v2\.1/, '/compute/v2.1');
  const admin = (await t.services.identityRepo.findProjectByName('default', 'admin'))!;
  url = url.replace(/\/golden(?=$|[/?])/, `/${admin.id}`);
  if (opts.url) url = opts.url(url);
  const req = t.http[g.request.method.toLowerCase() as 'get' | 'post'](url).set(
    'X-Auth-Token',
    opts.token ?? t.adminToken,
  );
  const mv = g.request.headers['OpenStack-API-Version'];
  if (mv) req.set('OpenStack-API-Version', mv);
  const res = await (g.request.body !== null ? req.send(opts.body ?? g.request.body) : req);
  return { g, res };
}

describe('same shapes as real Nova', () => {
  const cases = [
    'limits_2.1.json',
    'limits_2.57.json',
    'keypairs_list_2.1.json',
    'services_2.1.json',
    'services_2.11.json',
    'services_2.53.json',
    'services_2.69.json',
    'hypervisors_list_2.1.json',
    'hypervisors_detail_2.1.json',
    'hypervisors_detail_2.33.json',
    'hypervisors_detail_2.53.json',
    'hypervisors_statistics_2.1.json',
    'availability_zone_list.json',
    'simple_tenant_usage.json',
    'server_groups_list.json',
  ];
  for (const file of cases) {
    it(file, async () => {
      if (file === 'keypairs_list_2.1.json')
        await t.http
          .post('/compute/v2.1/os-keypairs')
          .set('X-Auth-Token', t.adminToken)
          .send({ keypair: { name: 'golden-kp' } });
      if (file === 'server_groups_list.json')
        await t.http
          .post('/compute/v2.1/os-server-groups')
          .set('X-Auth-Token', t.adminToken)
          .send({ server_group: { name: 'g', policies: ['affinity'] } });
      const { g, res } = await replay(file);
      expect(res.status).toBe(g.response.status);
      expect(sameShape(shape(res.body), shape(g.response.body))).toEqual([]);
    });
  }

  it('availability_zone_detail.json: zones and per-host service records', async () => {
    const { g, res } = await replay('availability_zone_detail.json');
    expect(res.status).toBe(200);
    const names = (b: { availabilityZoneInfo: { zoneName: string }[] }) =>
      b.availabilityZoneInfo.map((z) => z.zoneName);
    expect(names(res.body)).toEqual(names(g.response.body as never));
    const rec = (b: { availabilityZoneInfo: { hosts: Record<string, Record<string, unknown>> }[] }) =>
      Object.values(Object.values(b.availabilityZoneInfo[0].hosts)[0])[0];
    expect(sameShape(shape(rec(res.body)), shape(rec(g.response.body as never)))).toEqual([]);
  });

  it('keypair_create_generate_2.1.json and _2.10_type_ssh.json', async () => {
    for (const file of ['keypair_create_generate_2.1.json', 'keypair_create_generate_2.10_type_ssh.json']) {
      const { g, res } = await replay(file);
      expect(res.status).toBe(g.response.status);
      expect(sameShape(shape(res.body), shape(g.response.body))).toEqual([]);
    }
  });

  it('keypair_show_2.1.json, keypair_show_404.json and keypair_create_duplicate_409.json wording', async () => {
    const show = await replay('keypair_show_2.1.json', {
      url: (u) => u.replace(/os-keypairs\/.*/, 'os-keypairs/golden-kp-1795806832-x'),
    });
    expect(show.res.status).toBe(404);
    await t.http
      .post('/compute/v2.1/os-keypairs')
      .set('X-Auth-Token', t.adminToken)
      .send({ keypair: { name: 'golden-kp-1795806832' } });
    const ok = await replay('keypair_show_2.1.json');
    expect(ok.res.status).toBe(200);
    expect(sameShape(shape(ok.res.body), shape(ok.g.response.body))).toEqual([]);
    const missing = await replay('keypair_show_404.json');
    expect(missing.res.body.itemNotFound.message).toBe(
      (missing.g.response.body as { itemNotFound: { message: string } }).itemNotFound.message.replace(
        'user admin',
        `user ${ok.res.body.keypair.user_id}`,
      ),
    );
    const dup = await replay('keypair_create_duplicate_409.json');
    expect(dup.res.status).toBe(409);
    expect(dup.res.body).toEqual(dup.g.response.body);
  });

  it('hypervisors_detail_nonadmin_403.json', async () => {
    const { g, res } = await replay('hypervisors_detail_nonadmin_403.json', { token: demo.token });
    expect(res.status).toBe(403);
    expect(res.body).toEqual(g.response.body);
  });

  it('server_groups_create.json', async () => {
    const { g, res } = await replay('server_groups_create.json');
    expect(res.status).toBe(g.response.status);
    expect(sameShape(shape(res.body), shape(g.response.body))).toEqual([]);
  });
});
