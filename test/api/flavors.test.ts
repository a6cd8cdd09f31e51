// The /flavors API against Nova's recorded answers (nova-golden flavor_*.json / flavors_*.json):
// shapes per microversion, filters, pagination, create/delete/update, extra specs, access, policy.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { GOLDEN_DIR } from '../helpers/golden.js';
import { sql } from '../../src/db/sql.js';

const GOLDEN = GOLDEN_DIR;
const golden = (file: string) =>
  JSON.parse(fs.readFileSync(`${GOLDEN}/${file}`, 'utf8')) as {
    request: { url: string };
    response: { status: number; body: Record<string, any> };
  };
const keysOf = (o: object) => Object.keys(o).sort();
/** Golden hrefs are on http://127.0.0.1:28774/v2.1/…; ours on http://host/compute/v2.1/… */
const goldenLinksFor = (links: { rel: string; href: string }[], base: string) =>
  links.map((l) => ({ rel: l.rel, href: l.href.replace('http://127.0.0.1:28774', `${base}/compute`) }));

const P = '/compute/v2.1';
let t: TestApp;
let member: { projectId: string; token: string };
let other: { projectId: string; token: string };

beforeAll(async () => {
  t = await makeTestApp();
  member = await makeProjectUser(t, 'flavor-proj', 'member');
  other = await makeProjectUser(t, 'flavor-other', 'member');
});
afterAll(async () => {
  await t.close();
});

const get = (path: string, opts: { token?: string; mv?: string } = {}) => {
  const r = t.http
    .get(`${P}${path}`)
    .set('X-Auth-Token', opts.token ?? t.adminToken)
    .set('Host', 'h.test');
  return opts.mv ? r.set('OpenStack-API-Version', `compute ${opts.mv}`) : r;
};
const send = (
  method: 'post' | 'put' | 'delete',
  path: string,
  body?: unknown,
  opts: { token?: string; mv?: string } = {},
) => {
  const r = t.http[method](`${P}${path}`)
    .set('X-Auth-Token', opts.token ?? t.adminToken)
    .set('Host', 'h.test');
  if (opts.mv) r.set('OpenStack-API-Version', `compute ${opts.mv}`);
  return body === undefined ? r : r.send(body as object);
};
const base = 'http://h.test';
let seq = 0;
const createFlavor = async (extra: Record<string, unknown> = {}, mv?: string) => {
  const res = await send(
    'post',
    '/flavors',
    { flavor: { name: `tf-${++seq}`, ram: 64, vcpus: 1, disk: 0, ...extra } },
    { mv },
  );
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.flavor as Record<string, any>;
};

describe('default flavors', () => {
  it('are seeded: m1.tiny … m1.xlarge (ids 1–5) and container-sized c1.* (ids 6–8)', async () => {
    const res = await get('/flavors/detail');
    expect(res.status).toBe(200);
    const table = res.body.flavors.map((f: any) => [f.id, f.name, f.ram, f.vcpus, f.disk]);
    expect(table).toEqual([
      ['1', 'm1.tiny', 512, 1, 1],
      ['2', 'm1.small', 2048, 1, 20],
      ['3', 'm1.medium', 4096, 2, 40],
      ['4', 'm1.large', 8192, 4, 80],
      ['5', 'm1.xlarge', 16384, 8, 160],
      ['6', 'c1.nano', 64, 1, 0],
      ['7', 'c1.micro', 128, 1, 0],
      ['8', 'c1.small', 256, 1, 0],
    ]);
    expect(res.body.flavors_links).toBeUndefined();
  });
  it('seeding is part of the migration and happens once (migrating again adds nothing)', async () => {
    const { migrateLatest } = await import('../../src/db/migrate.js');
    await migrateLatest(t.services.db);
    const [{ n }] = await sql(t.services.db)('flavors')
      .whereIn('id', ['1', '2', '3', '4', '5', '6', '7', '8'])
      .count({ n: '*' });
    expect(Number(n)).toBe(8);
  });
  it('services.flavors.get / find / extraSpecs (for the servers API)', async () => {
    expect((await t.services.flavors.get('1')).name).toBe('m1.tiny');
    await expect(t.services.flavors.get('m1.tiny')).rejects.toMatchObject({
      status: 404,
      message: 'Flavor m1.tiny could not be found.',
    });
    expect(await t.services.flavors.find('nope')).toBeUndefined();
    expect(await t.services.flavors.extraSpecs('1')).toEqual({});
  });
});

describe('shapes per microversion (golden files)', () => {
  it('GET /flavors/1 at 2.1 equals flavor_show_2.1.json', async () => {
    const g = golden('flavor_show_2.1.json').response.body.flavor;
    const res = await get('/flavors/1');
    expect(res.status).toBe(200);
    expect(res.body.flavor).toEqual({ ...g, links: goldenLinksFor(g.links, base) });
    expect(res.body.flavor.swap).toBe('');
    // byte-for-byte like Python's json: the float prints as 1.0
    expect(res.text).toContain('"rxtx_factor":1.0,');
  });
  it('GET /flavors/1 at the max version has the keys of flavor_show_max.json (swap 0, description, extra_specs)', async () => {
    const g = golden('flavor_show_max.json').response.body.flavor;
    const res = await get('/flavors/1', { mv: '2.79' });
    expect(res.body.flavor).toEqual({ ...g, links: goldenLinksFor(g.links, base) });
  });
  for (const [file, mv] of [
    ['flavors_detail_2.1.json', '2.1'],
    ['flavors_detail_2.55.json', '2.55'],
    ['flavors_detail_2.61.json', '2.61'],
    ['flavors_detail_2.75.json', '2.75'],
    ['flavors_detail_2.93.json', 'latest'],
  ] as const) {
    it(`GET /flavors/detail at ${mv} matches ${file}`, async () => {
      const g = golden(file).response.body;
      const res = await get('/flavors/detail', { mv });
      expect(res.status).toBe(200);
      expect(keysOf(res.body)).toEqual(keysOf(g));
      for (const f of res.body.flavors) expect(keysOf(f)).toEqual(keysOf(g.flavors[0]));
      const tiny = res.body.flavors.find((f: any) => f.id === '1');
      expect(tiny).toEqual({ ...g.flavors[0], links: goldenLinksFor(g.flavors[0].links, base) });
    });
  }
  it('GET /flavors (index) matches flavors_list_2.1.json; description appears from 2.55', async () => {
    const g = golden('flavors_list_2.1.json').response.body;
    const res = await get('/flavors');
    expect(res.body.flavors.filter((f: any) => f.id === '1' || f.id === '2')).toEqual(
      g.flavors.map((f: any) => ({ ...f, links: goldenLinksFor(f.links, base) })),
    );
    const v255 = await get('/flavors', { mv: '2.55' });
    expect(keysOf(v255.body.flavors[0])).toEqual(['description', 'id', 'links', 'name']);
    const v261 = await get('/flavors', { mv: '2.61' });
    expect(v261.body.flavors[0].extra_specs).toBeUndefined();
  });
  it('a non-zero swap is a number at every version', async () => {
    const f = await createFlavor({ swap: 512 });
    expect((await get(`/flavors/${f.id}`)).body.flavor.swap).toBe(512);
    expect((await get(`/flavors/${f.id}`, { mv: '2.75' })).body.flavor.swap).toBe(512);
    const atBoundary = await get(`/flavors/1`, { mv: '2.74' });
    expect(atBoundary.body.flavor.swap).toBe('');
  });
});

describe('lookups that must be 404', () => {
  it('an unknown id answers as flavor_show_404.json', async () => {
    const g = golden('flavor_show_404.json').response;
    const res = await get('/flavors/nope');
    expect(res.status).toBe(g.status);
    expect(res.body).toEqual(g.body);
  });
  it('a name in the id slot (GET /flavors/m1.tiny) is 404, so clients fall back to a name search', async () => {
    const res = await get('/flavors/m1.tiny');
    expect(res.status).toBe(404);
    expect(res.body.itemNotFound.message).toBe('Flavor m1.tiny could not be found.');
  });
  it('PUT /flavors (the collection) answers as put_flavors_collection_404.json', async () => {
    const g = golden('put_flavors_collection_404.json').response;
    const res = await send('put', '/flavors', { x: 1 });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(g.body);
  });
  it('PUT /flavors/{id} does not exist before 2.55', async () => {
    const res = await send('put', '/flavors/1', { flavor: { description: 'x' } }, { mv: '2.54' });
    expect(res.status).toBe(404);
  });
});

describe('list filters, sorting and pagination', () => {
  let priv: Record<string, any>;
  beforeAll(async () => {
    priv = await createFlavor({ name: 'private-one', 'os-flavor-access:is_public': false, ram: 300, disk: 5 });
  });

  it('is_public: default public only; false = private only; None = all (admin)', async () => {
    const ids = async (q: string) => (await get(`/flavors${q}`)).body.flavors.map((f: any) => f.id);
    expect(await ids('')).not.toContain(priv.id);
    expect(await ids('?is_public=true')).not.toContain(priv.id);
    const onlyPrivate = await ids('?is_public=false');
    expect(onlyPrivate).toContain(priv.id);
    expect(onlyPrivate).not.toContain('1');
    const all = await ids('?is_public=None');
    expect(all).toContain(priv.id);
    expect(all).toContain('1');
  });
  it('a bad is_public is a 400', async () => {
    const res = await get('/flavors?is_public=maybe');
    expect(res.status).toBe(400);
    expect(res.body.badRequest.message).toBe('Invalid is_public filter [maybe]');
  });
  it('non-admins see public flavors plus those shared with their project, whatever is_public says', async () => {
    const ids = async (token: string, q = '') =>
      (await get(`/flavors${q}`, { token })).body.flavors.map((f: any) => f.id);
    expect(await ids(member.token, '?is_public=None')).not.toContain(priv.id);
    expect((await get(`/flavors/${priv.id}`, { token: member.token })).status).toBe(404);
    const add = await send('post', `/flavors/${priv.id}/action`, { addTenantAccess: { tenant: member.projectId } });
    expect(add.status).toBe(200);
    expect(await ids(member.token)).toContain(priv.id);
    expect(await ids(member.token, '?is_public=false')).toContain(priv.id);
    expect((await get(`/flavors/${priv.id}`, { token: member.token })).status).toBe(200);
    expect(await ids(other.token, '?is_public=None')).not.toContain(priv.id);
    expect((await get(`/flavors/${priv.id}`, { token: other.token })).status).toBe(404);
  });
  it('minRam and minDisk filter; non-integers are 400', async () => {
    const ram = (await get('/flavors/detail?minRam=4096')).body.flavors.map((f: any) => f.name);
    expect(ram).toEqual(['m1.medium', 'm1.large', 'm1.xlarge']);
    const disk = (await get('/flavors/detail?minDisk=40&minRam=8192')).body.flavors.map((f: any) => f.name);
    expect(disk).toEqual(['m1.large', 'm1.xlarge']);
    const bad = await get('/flavors?minRam=lots');
    expect(bad.status).toBe(400);
    expect(bad.body.badRequest.message).toBe('Invalid minRam filter [lots]');
    expect((await get('/flavors?minDisk=1.5')).body.badRequest.message).toBe('Invalid minDisk filter [1.5]');
  });
  it('sort_key and sort_dir order the list; unknown values are 400 in Nova wording', async () => {
    const rows = (await get('/flavors/detail?sort_key=memory_mb&sort_dir=desc')).body.flavors;
    expect(rows.slice(0, 3).map((f: any) => f.name)).toEqual(['m1.xlarge', 'm1.large', 'm1.medium']);
    const rams = rows.map((f: any) => f.ram);
    expect(rams).toEqual([...rams].sort((x: number, y: number) => y - x));
    const asc = (await get('/flavors/detail?sort_key=memory_mb')).body.flavors.map((f: any) => f.ram);
    expect(asc).toEqual([...asc].sort((x: number, y: number) => x - y));
    const byName = (await get('/flavors?sort_key=name')).body.flavors.map((f: any) => f.name);
    expect(byName).toEqual([...byName].sort());
    const bad = await get('/flavors?sort_key=bogus');
    expect(bad.status).toBe(400);
    expect(bad.body.badRequest.message).toMatch(
      /^Invalid input for query parameters sort_key\. Value: bogus\. 'bogus' is not one of \['created_at', /,
    );
    expect((await get('/flavors?sort_dir=up')).status).toBe(400);
  });
  it('limit cuts the page and adds flavors_links next with the marker; following it continues', async () => {
    // minRam=512 keeps the flavors other tests create (all smaller) out of these pages.
    const first = await get('/flavors/detail?limit=2&is_public=None&minRam=512');
    expect(first.body.flavors.map((f: any) => f.id)).toEqual(['1', '2']);
    // Nova: query sorted by name, a new marker goes last…
    expect(first.body.flavors_links).toEqual([
      { rel: 'next', href: `${base}/compute/v2.1/flavors/detail?is_public=None&limit=2&minRam=512&marker=2` },
    ]);
    const next = new URL(first.body.flavors_links[0].href);
    const second = await get(`/flavors/detail${next.search}`);
    expect(second.body.flavors.map((f: any) => f.id)).toEqual(['3', '4']);
    // …and an existing marker keeps its sorted place.
    expect(second.body.flavors_links[0].href).toBe(
      `${base}/compute/v2.1/flavors/detail?is_public=None&limit=2&marker=4&minRam=512`,
    );
    const third = await get(`/flavors/detail${new URL(second.body.flavors_links[0].href).search}`);
    expect(third.body.flavors.map((f: any) => f.id)).toEqual(['5']);
    expect(third.body.flavors_links).toBeUndefined();
    const index = await get('/flavors?limit=1&minRam=512');
    expect(index.body.flavors_links[0].href).toBe(`${base}/compute/v2.1/flavors?limit=1&minRam=512&marker=1`);
  });
  it('the last (short) page has no next link; limit=0 means the maximum', async () => {
    const all = (await get('/flavors')).body.flavors.length;
    const res = await get(`/flavors?limit=${all + 1}`);
    expect(res.body.flavors).toHaveLength(all);
    expect(res.body.flavors_links).toBeUndefined();
    expect((await get('/flavors?limit=0')).body.flavors).toHaveLength(all);
  });
  it('sorted pages with a marker continue in the sort order', async () => {
    const page1 = (await get('/flavors?sort_key=memory_mb&sort_dir=desc&limit=2')).body;
    expect(page1.flavors.map((f: any) => f.name)).toEqual(['m1.xlarge', 'm1.large']);
    const page2 = (await get(`/flavors${new URL(page1.flavors_links[0].href).search}`)).body;
    expect(page2.flavors.map((f: any) => f.name)).toEqual(['m1.medium', 'm1.small']);
  });
  it('paging with limit=3 visits every flavor once, in the unpaged order, for each sort key and direction', async () => {
    await createFlavor({ description: 'bbb', ram: 333 }, '2.55');
    await createFlavor({ description: 'aaa', ram: 333 }, '2.55');
    for (const sortKey of ['flavorid', 'name', 'description', 'memory_mb', 'is_public', 'root_gb']) {
      for (const dir of ['asc', 'desc']) {
        const q = `is_public=None&sort_key=${sortKey}&sort_dir=${dir}`;
        const whole = (await get(`/flavors?${q}`)).body.flavors.map((f: any) => f.id);
        const paged: string[] = [];
        let path: string | undefined = `/flavors?${q}&limit=3`;
        for (let i = 0; path && i < 20; i++) {
          const body: any = (await get(path)).body;
          paged.push(...body.flavors.map((f: any) => f.id));
          path = body.flavors_links ? `/flavors${new URL(body.flavors_links[0].href).search}` : undefined;
        }
        expect(paged, `${sortKey} ${dir}`).toEqual(whole);
      }
    }
  });
  it('an unknown marker or a bad limit is a 400', async () => {
    const res = await get('/flavors?marker=nope');
    expect(res.status).toBe(400);
    expect(res.body.badRequest.message).toBe('marker [nope] not found');
    const lim = await get('/flavors?limit=abc');
    expect(lim.status).toBe(400);
    expect(lim.body.badRequest.message).toBe(
      "Invalid input for query parameters limit. Value: abc. 'abc' does not match '^[0-9]*$'",
    );
    expect((await get('/flavors?limit=-1')).status).toBe(400);
  });
  it('unknown query parameters are ignored before 2.75 and refused from 2.75', async () => {
    expect((await get('/flavors?foo=1')).status).toBe(200);
    const res = await get('/flavors?foo=1', { mv: '2.75' });
    expect(res.status).toBe(400);
    expect(res.body.badRequest.message).toBe("Additional properties are not allowed ('foo' was unexpected)");
  });
});

describe('create, update, delete (admin)', () => {
  it('creates with a generated UUID id, answering 200 with the show view', async () => {
    const res = await send('post', '/flavors', { flavor: { name: 'auto-id', ram: 128, vcpus: 2, disk: 1 } });
    expect(res.status).toBe(200);
    const f = res.body.flavor;
    expect(f.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(f).toMatchObject({
      name: 'auto-id',
      ram: 128,
      vcpus: 2,
      disk: 1,
      swap: '',
      'OS-FLV-EXT-DATA:ephemeral': 0,
      'OS-FLV-DISABLED:disabled': false,
      'os-flavor-access:is_public': true,
      rxtx_factor: 1,
    });
    expect(keysOf(f)).toEqual(keysOf(golden('flavor_show_2.1.json').response.body.flavor));
    expect((await get(`/flavors/${f.id}`)).body.flavor).toEqual(f);
  });
  it('creates with a given id (numbers become strings) and all optional fields', async () => {
    const res = await send(
      'post',
      '/flavors',
      {
        flavor: {
          name: 'given',
          id: 4242,
          ram: '256',
          vcpus: 1,
          disk: 2,
          swap: 64,
          'OS-FLV-EXT-DATA:ephemeral': 3,
          rxtx_factor: 2.5,
          'os-flavor-access:is_public': 'False',
          description: 'small one',
        },
      },
      { mv: '2.61' },
    );
    expect(res.status).toBe(200);
    expect(res.body.flavor).toMatchObject({
      id: '4242',
      ram: 256,
      swap: 64,
      'OS-FLV-EXT-DATA:ephemeral': 3,
      rxtx_factor: 2.5,
      'os-flavor-access:is_public': false,
      description: 'small one',
      extra_specs: {},
    });
  });
  it('a duplicate name or id is a 409', async () => {
    const dupName = await send('post', '/flavors', { flavor: { name: 'm1.tiny', ram: 1, vcpus: 1, disk: 0 } });
    expect(dupName.status).toBe(409);
    expect(dupName.body.conflictingRequest.message).toBe('Flavor with name m1.tiny already exists.');
    const dupId = await send('post', '/flavors', { flavor: { name: 'fresh', id: '1', ram: 1, vcpus: 1, disk: 0 } });
    expect(dupId.status).toBe(409);
    expect(dupId.body.conflictingRequest.message).toBe('Flavor with ID 1 already exists.');
  });
  it('concurrent creates with one name: exactly one wins, the rest are 409', async () => {
    const results = await Promise.all(
      [1, 2, 3, 4].map((i) =>
        send('post', '/flavors', { flavor: { name: 'raced', id: `raced-${i}`, ram: 64, vcpus: 1, disk: 0 } }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
    const listed = (await get('/flavors?is_public=None')).body.flavors.filter((f: any) => f.name === 'raced');
    expect(listed).toHaveLength(1);
  });
  it('validates as Nova does', async () => {
    const bad = async (flavor: Record<string, unknown>, mv?: string) => {
      const res = await send('post', '/flavors', { flavor }, { mv });
      expect(res.status, JSON.stringify(flavor)).toBe(400);
      return res.body.badRequest.message as string;
    };
    const ok = { name: 'v', ram: 64, vcpus: 1, disk: 0 };
    expect(await bad({ name: 'v', vcpus: 1, disk: 0 })).toBe(
      "Invalid input for field/attribute flavor. Value: {'name': 'v', 'vcpus': 1, 'disk': 0}. 'ram' is a required property",
    );
    expect(await bad({ ...ok, ram: 0 })).toBe(
      'Invalid input for field/attribute ram. Value: 0. 0 is less than the minimum of 1',
    );
    expect(await bad({ ...ok, ram: '0' })).toBe('Invalid input received: ram must be >= 1');
    expect(await bad({ ...ok, vcpus: 'two' })).toBe(
      "Invalid input for field/attribute vcpus. Value: two. 'two' does not match '^[0-9]+$'",
    );
    expect(await bad({ ...ok, disk: -1 })).toBe(
      'Invalid input for field/attribute disk. Value: -1. -1 is less than the minimum of 0',
    );
    expect(await bad({ ...ok, rxtx_factor: 0 })).toBe(
      'Invalid input for field/attribute rxtx_factor. Value: 0. 0 is less than or equal to the minimum of 0',
    );
    expect(await bad({ ...ok, name: ' padded' })).toBe(
      "An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace.",
    );
    expect(await bad({ ...ok, name: '' })).toBe("Invalid input for field/attribute name. Value: . '' is too short");
    expect(await bad({ ...ok, id: 'has/slash' })).toMatch(
      /^Invalid input for field\/attribute id\. Value: has\/slash\. 'has\/slash' does not match/,
    );
    expect(await bad({ ...ok, 'os-flavor-access:is_public': 'maybe' })).toMatch(
      /^Invalid input for field\/attribute os-flavor-access:is_public\. Value: maybe\. 'maybe' is not one of \[True, 'True'/,
    );
    expect(await bad({ ...ok, extra: 1 })).toBe(
      "Invalid input for field/attribute flavor. Value: {'name': 'v', 'ram': 64, 'vcpus': 1, 'disk': 0, 'extra': 1}. Additional properties are not allowed ('extra' was unexpected)",
    );
    expect(await bad({ ...ok, description: 'too early' }, '2.54')).toMatch(
      /Additional properties are not allowed \('description' was unexpected\)/,
    );
    const noBody = await send('post', '/flavors', {});
    // At the body root Nova's validator has no path to name, so it gives jsonschema's bare message.
    expect(noBody.body.badRequest.message).toBe("'flavor' is a required property");
  });
  it('non-admins may not create, update or delete (403, Nova policy wording)', async () => {
    const create = await send(
      'post',
      '/flavors',
      { flavor: { name: 'nope', ram: 64, vcpus: 1, disk: 0 } },
      { token: member.token },
    );
    expect(create.status).toBe(403);
    expect(create.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:os-flavor-manage:create to be performed.",
    );
    const del = await send('delete', '/flavors/1', undefined, { token: member.token });
    expect(del.status).toBe(403);
    expect(del.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:os-flavor-manage:delete to be performed.",
    );
    const upd = await send('put', '/flavors/1', { flavor: { description: 'x' } }, { token: member.token, mv: '2.55' });
    expect(upd.status).toBe(403);
    expect(upd.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:os-flavor-manage:update to be performed.",
    );
    expect((await get('/flavors/1')).status).toBe(200);
  });
  it('deletes with 202; the flavor is then 404 and its name is free again', async () => {
    const f = await createFlavor({ name: 'doomed' });
    await send('post', `/flavors/${f.id}/os-extra_specs`, { extra_specs: { a: 'b' } });
    const del = await send('delete', `/flavors/${f.id}`);
    expect(del.status).toBe(202);
    expect(del.text).toBe('');
    expect((await get(`/flavors/${f.id}`)).status).toBe(404);
    expect((await send('delete', `/flavors/${f.id}`)).status).toBe(404);
    expect(await t.services.flavors.extraSpecs(f.id)).toEqual({});
    await createFlavor({ name: 'doomed' });
  });
  it('PUT /flavors/{id} (2.55) sets the description and answers with the show view', async () => {
    const f = await createFlavor();
    const res = await send('put', `/flavors/${f.id}`, { flavor: { description: 'now described' } }, { mv: '2.55' });
    expect(res.status).toBe(200);
    expect(res.body.flavor).toMatchObject({ id: f.id, description: 'now described' });
    expect(res.body.flavor.extra_specs).toBeUndefined();
    const at261 = await send('put', `/flavors/${f.id}`, { flavor: { description: null } }, { mv: '2.61' });
    expect(at261.body.flavor).toMatchObject({ description: null, extra_specs: {} });
    const missing = await send('put', `/flavors/${f.id}`, { flavor: {} }, { mv: '2.55' });
    expect(missing.status).toBe(400);
    expect((await send('put', '/flavors/nope', { flavor: { description: 'x' } }, { mv: '2.55' })).status).toBe(404);
  });
});

describe('extra specs', () => {
  it('GET is empty at first, as flavor_extra_specs.json', async () => {
    const res = await get('/flavors/1/os-extra_specs');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(golden('flavor_extra_specs.json').response.body);
  });
  it('POST sets (echoing the body), GET/PUT/DELETE one key, and 2.61 embeds them', async () => {
    const f = await createFlavor();
    const flag = await send('post', `/flavors/${f.id}/os-extra_specs`, { extra_specs: { flag: true } });
    expect(flag.status).toBe(400);
    expect(flag.body.badRequest.message).toBe(
      "Invalid input for field/attribute flag. Value: True. True is not of type 'string', 'number'",
    );
    const post = await send('post', `/flavors/${f.id}/os-extra_specs`, {
      extra_specs: { 'hw:cpu_policy': 'shared', quota: 5, flag: 'True' },
    });
    expect(post.status).toBe(200);
    expect(post.body).toEqual({ extra_specs: { 'hw:cpu_policy': 'shared', quota: 5, flag: 'True' } });
    expect((await get(`/flavors/${f.id}/os-extra_specs`)).body.extra_specs).toEqual({
      flag: 'True',
      'hw:cpu_policy': 'shared',
      quota: '5',
    });
    expect((await get(`/flavors/${f.id}/os-extra_specs/quota`)).body).toEqual({ quota: '5' });
    const put = await send('put', `/flavors/${f.id}/os-extra_specs/quota`, { quota: '7' });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ quota: '7' });
    const mismatch = await send('put', `/flavors/${f.id}/os-extra_specs/quota`, { other: '7' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.badRequest.message).toBe('Request body and URI mismatch');
    expect((await send('put', `/flavors/${f.id}/os-extra_specs/quota`, { quota: '1', b: '2' })).status).toBe(400);
    const show = await get(`/flavors/${f.id}`, { mv: '2.61' });
    expect(show.body.flavor.extra_specs).toEqual({ flag: 'True', 'hw:cpu_policy': 'shared', quota: '7' });
    const detail = await get('/flavors/detail?is_public=None', { mv: '2.61' });
    expect(detail.body.flavors.find((x: any) => x.id === f.id).extra_specs).toEqual({
      flag: 'True',
      'hw:cpu_policy': 'shared',
      quota: '7',
    });
    expect((await get(`/flavors/${f.id}`, { mv: '2.60' })).body.flavor.extra_specs).toBeUndefined();
    const del = await send('delete', `/flavors/${f.id}/os-extra_specs/flag`);
    expect(del.status).toBe(202);
    const gone = await get(`/flavors/${f.id}/os-extra_specs/flag`);
    expect(gone.status).toBe(404);
    expect(gone.body.itemNotFound.message).toBe(`Flavor ${f.id} has no extra specs with key flag.`);
    expect((await send('delete', `/flavors/${f.id}/os-extra_specs/flag`)).status).toBe(404);
  });
  it('refuses bad keys and bodies, unknown flavors, and writes by non-admins', async () => {
    const badKey = await send('post', '/flavors/1/os-extra_specs', { extra_specs: { 'bad/key': 'x' } });
    expect(badKey.status).toBe(400);
    expect(badKey.body.badRequest.message).toMatch(
      /Additional properties are not allowed \('bad\/key' was unexpected\)/,
    );
    expect((await send('post', '/flavors/1/os-extra_specs', { extra_specs: { k: '' } })).status).toBe(400);
    expect((await send('post', '/flavors/1/os-extra_specs', { specs: {} })).status).toBe(400);
    expect((await send('post', '/flavors/nope/os-extra_specs', { extra_specs: { k: 'v' } })).status).toBe(404);
    expect((await get('/flavors/nope/os-extra_specs')).status).toBe(404);
    const denied = await send(
      'post',
      '/flavors/1/os-extra_specs',
      { extra_specs: { k: 'v' } },
      { token: member.token },
    );
    expect(denied.status).toBe(403);
    expect(denied.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:os-flavor-extra-specs:create to be performed.",
    );
    expect((await send('delete', '/flavors/1/os-extra_specs/k', undefined, { token: member.token })).status).toBe(403);
    expect((await get('/flavors/1/os-extra_specs', { token: member.token })).status).toBe(200);
  });
});

describe('flavor access', () => {
  it('lists, adds and removes projects of a private flavor', async () => {
    const f = await createFlavor({ 'os-flavor-access:is_public': false });
    expect((await get(`/flavors/${f.id}/os-flavor-access`)).body).toEqual({ flavor_access: [] });
    const add = await send('post', `/flavors/${f.id}/action`, { addTenantAccess: { tenant: other.projectId } });
    expect(add.status).toBe(200);
    expect(add.body).toEqual({ flavor_access: [{ flavor_id: f.id, tenant_id: other.projectId }] });
    expect((await get(`/flavors/${f.id}/os-flavor-access`)).body.flavor_access).toHaveLength(1);
    const again = await send('post', `/flavors/${f.id}/action`, { addTenantAccess: { tenant: other.projectId } });
    expect(again.status).toBe(409);
    expect(again.body.conflictingRequest.message).toBe(
      `Flavor access already exists for flavor ${f.id} and project ${other.projectId} combination.`,
    );
    const rm = await send('post', `/flavors/${f.id}/action`, { removeTenantAccess: { tenant: other.projectId } });
    expect(rm.status).toBe(200);
    expect(rm.body).toEqual({ flavor_access: [] });
    const rmAgain = await send('post', `/flavors/${f.id}/action`, { removeTenantAccess: { tenant: other.projectId } });
    expect(rmAgain.status).toBe(404);
    expect(rmAgain.body.itemNotFound.message).toBe(
      `Flavor access not found for ${f.id} / ${other.projectId} combination.`,
    );
  });
  it('public flavors: no access list (404) and no added access from 2.7 (409)', async () => {
    const list = await get('/flavors/1/os-flavor-access');
    expect(list.status).toBe(404);
    expect(list.body.itemNotFound.message).toBe('Access list not available for public flavors.');
    const add = await send(
      'post',
      '/flavors/1/action',
      { addTenantAccess: { tenant: member.projectId } },
      { mv: '2.7' },
    );
    expect(add.status).toBe(409);
    expect(add.body.conflictingRequest.message).toBe('Can not add access to a public flavor.');
  });
  it('unknown projects, unknown flavors, bad bodies, unknown actions', async () => {
    const f = await createFlavor({ 'os-flavor-access:is_public': false });
    const badProject = await send('post', `/flavors/${f.id}/action`, {
      addTenantAccess: { tenant: 'no-such-project' },
    });
    expect(badProject.status).toBe(400);
    expect(badProject.body.badRequest.message).toBe('Project ID no-such-project is not a valid project.');
    expect((await send('post', '/flavors/nope/action', { addTenantAccess: { tenant: member.projectId } })).status).toBe(
      404,
    );
    expect((await get('/flavors/nope/os-flavor-access')).status).toBe(404);
    const noTenant = await send('post', `/flavors/${f.id}/action`, { addTenantAccess: {} });
    expect(noTenant.status).toBe(400);
    expect(noTenant.body.badRequest.message).toBe(
      "Invalid input for field/attribute addTenantAccess. Value: {}. 'tenant' is a required property",
    );
    const unknown = await send('post', `/flavors/${f.id}/action`, { resize: {} });
    expect(unknown.body.badRequest.message).toBe('There is no such action: resize');
    const two = await send('post', `/flavors/${f.id}/action`, {
      addTenantAccess: { tenant: 'a' },
      removeTenantAccess: { tenant: 'a' },
    });
    expect(two.body.badRequest.message).toBe('Malformed request body');
  });
  it('is admin only', async () => {
    const f = await createFlavor({ 'os-flavor-access:is_public': false });
    const list = await get(`/flavors/${f.id}/os-flavor-access`, { token: member.token });
    expect(list.status).toBe(403);
    expect(list.body.forbidden.message).toBe("Policy doesn't allow os_compute_api:os-flavor-access to be performed.");
    const add = await send(
      'post',
      `/flavors/${f.id}/action`,
      { addTenantAccess: { tenant: member.projectId } },
      { token: member.token },
    );
    expect(add.status).toBe(403);
    expect(add.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:os-flavor-access:add_tenant_access to be performed.",
    );
  });
});

describe('authentication', () => {
  it('every flavor route needs a token', async () => {
    expect((await t.http.get(`${P}/flavors`)).status).toBe(401);
    expect((await t.http.get(`${P}/flavors/1/os-extra_specs`)).status).toBe(401);
  });
});
