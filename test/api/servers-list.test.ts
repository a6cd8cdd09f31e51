// GET /servers and /servers/detail: Nova's filters, paging, sorting, query-parameter rules per
// microversion, and the detail list of 1000 servers in a constant number of queries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { insertServers, seedImage, unlimitedQuota } from '../helpers/servers.js';
import { sql } from '../../src/db/sql.js';

let t: TestApp;
let user: { projectId: string; userId: string; token: string };
const S = '/compute/v2.1/servers';
const get = (url: string, v = '2.1', token = user.token) =>
  t.http.get(url).set('X-Auth-Token', token).set('OpenStack-API-Version', `compute ${v}`);
const names = (body: { servers: { name: string }[] }) => body.servers.map((s) => s.name);

const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await makeTestApp({ heartbeatIntervalSeconds: 3600 }); // no heartbeat runs in API tests: keep the one beat at start valid
  await unlimitedQuota(t.services);
  user = await makeProjectUser(t, 'list-p');
  const image = await seedImage(t.services);
  const boot = async (name: string, extra: Record<string, unknown> = {}) => {
    const res = await t.http
      .post(S)
      .set('X-Auth-Token', user.token)
      .set('OpenStack-API-Version', 'compute 2.79')
      .send({ server: { name, imageRef: image.id, flavorRef: '1', networks: 'auto', ...extra } });
    expect(res.status).toBe(202);
    await t.services.worker.drain();
    ids[name] = res.body.server.id;
    await new Promise((r) => setTimeout(r, 5)); // distinct created_at
  };
  await boot('bob', { tags: ['a', 'b'] });
  await boot('bobby', { tags: ['a'] });
  await boot('alice', { tags: ['c'], flavorRef: '6' });
  t.fake.failNext('spawn');
  await boot('broken');
});
afterAll(async () => {
  await t.close();
});

describe('filters', () => {
  it('name is a regex (bob also matches bobby), ^…$ anchors', async () => {
    expect(names((await get(`${S}?name=bob`)).body).sort()).toEqual(['bob', 'bobby']);
    expect(names((await get(`${S}?name=^bob$`)).body)).toEqual(['bob']);
    expect(names((await get(`${S}?name=nobody`)).body)).toEqual([]);
  });
  it('status is case-insensitive; unknown status: [] before 2.38, 400 from 2.38', async () => {
    expect(names((await get(`${S}?status=error`)).body)).toEqual(['broken']);
    expect(names((await get(`${S}?status=ACTIVE`)).body).sort()).toEqual(['alice', 'bob', 'bobby']);
    expect((await get(`${S}?status=BOGUS`)).body.servers).toEqual([]);
    expect((await get(`${S}?status=BOGUS`, '2.38')).status).toBe(400);
  });
  it('flavor, image, ip', async () => {
    expect(names((await get(`${S}?flavor=6`)).body)).toEqual(['alice']);
    const image = (await get(`${S}/${ids.bob}`)).body.server.image.id;
    expect((await get(`${S}?image=${image}`)).body.servers).toHaveLength(4);
    const bobIp = (await get(`${S}/${ids.bob}`)).body.server.addresses.private[0].addr as string;
    expect(names((await get(`${S}?ip=${bobIp.replace(/\./g, '\\.')}$`)).body)).toEqual(['bob']);
  });
  it('tags, tags-any, not-tags, not-tags-any (2.26)', async () => {
    expect(names((await get(`${S}?tags=a,b`, '2.26')).body)).toEqual(['bob']);
    expect(names((await get(`${S}?tags-any=b,c`, '2.26')).body).sort()).toEqual(['alice', 'bob']);
    expect(names((await get(`${S}?not-tags=a,b`, '2.26')).body).sort()).toEqual(['alice', 'bobby', 'broken']);
    expect(names((await get(`${S}?not-tags-any=a`, '2.26')).body).sort()).toEqual(['alice', 'broken']);
    // before 2.26 the tag filters do not exist: ignored
    expect((await get(`${S}?tags=a,b`, '2.25')).body.servers).toHaveLength(4);
  });
  it('changes-since and changes-before', async () => {
    const future = new Date(Date.now() + 3600_000).toISOString();
    expect((await get(`${S}?changes-since=${future}`)).body.servers).toEqual([]);
    expect((await get(`${S}?changes-before=${future}`, '2.66')).body.servers).toHaveLength(4);
    expect((await get(`${S}?changes-since=not-a-date`)).status).toBe(400);
  });
  it('locked (2.73)', async () => {
    expect((await get(`${S}?locked=false`, '2.73')).body.servers).toHaveLength(4);
    expect((await get(`${S}?locked=true`, '2.73')).body.servers).toHaveLength(0);
  });
  it('unknown query parameters: ignored before 2.75, 400 from 2.75', async () => {
    expect((await get(`${S}?bogus=1`, '2.74')).status).toBe(200);
    const strict = await get(`${S}?bogus=1`, '2.75');
    expect(strict.status).toBe(400);
    expect(strict.body.badRequest.message).toMatch(/Additional properties are not allowed \('bogus' was unexpected\)/);
  });
  it('deleted and all_tenants are admin-only (dropped for users, honoured for admins)', async () => {
    expect((await get(`${S}?deleted=true`)).body.servers).toHaveLength(4);
    const adminDeleted = await get(`${S}?deleted=true&all_tenants=1`, '2.1', t.adminToken);
    expect(adminDeleted.status).toBe(200);
    expect(adminDeleted.body.servers.every((s: { id: string }) => !Object.values(ids).includes(s.id))).toBe(true);
  });
});

describe('sorting and paging', () => {
  it('default order is newest first; sort_key/sort_dir, several keys', async () => {
    expect(names((await get(S)).body)).toEqual(['broken', 'alice', 'bobby', 'bob']);
    expect(names((await get(`${S}?sort_key=display_name&sort_dir=asc`)).body)).toEqual([
      'alice',
      'bob',
      'bobby',
      'broken',
    ]);
    expect(names((await get(`${S}?sort_key=vm_state&sort_dir=asc&sort_key=display_name&sort_dir=desc`)).body)).toEqual([
      'bobby',
      'bob',
      'alice',
      'broken',
    ]);
    const bad = await get(`${S}?sort_key=bogus`);
    expect(bad.status).toBe(400);
    expect(bad.body.badRequest.message).toMatch(
      /^Invalid input for query parameters sort_key\. Value: bogus\. 'bogus' is not one of \['access_ip_v4'/,
    );
  });
  it('limit + marker walk the list; servers_links only when a page is cut', async () => {
    const seen: string[] = [];
    let url = `${S}?limit=3`;
    for (let i = 0; i < 5 && url; i++) {
      const res = await get(url);
      seen.push(...names(res.body));
      const next = res.body.servers_links?.[0];
      if (next) {
        expect(next.rel).toBe('next');
        url = next.href.replace(/^https?:\/\/[^/]+/, '');
      } else url = '';
    }
    expect(seen).toEqual(['broken', 'alice', 'bobby', 'bob']);
    const exact = await get(`${S}?limit=4`);
    expect(exact.body.servers_links).toBeUndefined();
    expect((await get(`${S}?marker=6f0a3b77-1b1e-4f8a-9a43-9a1a0a0a0a0a`)).status).toBe(400);
    expect((await get(`${S}?limit=abc`)).status).toBe(400);
  });
});

describe('1000 servers', () => {
  it('GET /servers/detail lists 1000 in a constant number of queries, no next link', async () => {
    const big = await makeProjectUser(t, 'big-p');
    const host = (await t.services.hostsRepo.list())[0];
    await insertServers(t.services, 1000, { projectId: big.projectId, hostId: host.id });
    let queries = 0;
    const count = () => {
      queries++;
    };
    sql(t.services.db).on('query', count);
    const res = await get(`${S}/detail`, '2.79', big.token);
    sql(t.services.db).off('query', count);
    expect(res.status).toBe(200);
    expect(res.body.servers).toHaveLength(1000);
    expect(res.body.servers_links).toBeUndefined();
    expect(res.body.servers[0].metadata).toEqual({ k: res.body.servers[0].name });
    expect(queries).toBeLessThan(20);
  });
});

describe('paging by a boolean sort key', () => {
  it('sort_key=locked with a marker walks every server once', async () => {
    const all = names((await get(`${S}?sort_key=locked&sort_key=display_name&sort_dir=asc&sort_dir=asc`)).body);
    const seen: string[] = [];
    let url = `${S}?sort_key=locked&sort_key=display_name&sort_dir=asc&sort_dir=asc&limit=2`;
    for (let i = 0; i < 5 && url; i++) {
      const res = await get(url);
      seen.push(...names(res.body));
      url = res.body.servers_links?.[0]?.href.replace(/^https?:\/\/[^/]+/, '') ?? '';
    }
    expect(seen).toEqual(all);
    expect(all).toEqual(['alice', 'bob', 'bobby', 'broken']);
  });
});
