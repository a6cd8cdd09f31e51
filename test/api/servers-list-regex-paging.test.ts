// Regex filters over more servers than one read takes (REGEX_CHUNK): the list walks the servers in
// its own order until the page is full, so pages come out in Nova's order (created_at desc, id desc),
// with Nova's limit/marker paging, whether the matches are dense, sparse or far down the list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../helpers/app.js';
import { insertServers, unlimitedQuota } from '../helpers/servers.js';
import { REGEX_CHUNK } from '../../src/compute/servers/server-list.js';
import { sql } from '../../src/db/sql.js';

const N = 5000;
let t: TestApp;

async function page(query: string): Promise<{ names: string[]; next: string | null }> {
  const res = await t.http
    .get(`/compute/v2.1/servers?${query}`)
    .set('X-Auth-Token', t.adminToken)
    .set('OpenStack-API-Version', 'compute 2.79');
  expect(res.status).toBe(200);
  const next = (res.body.servers_links as { href: string }[] | undefined)?.[0]?.href ?? null;
  return { names: (res.body.servers as { name: string }[]).map((s) => s.name), next };
}

/** Every page of `query`, following the next links. */
async function all(query: string): Promise<string[]> {
  const out: string[] = [];
  let q: string | null = query;
  while (q !== null) {
    const p = await page(q);
    out.push(...p.names);
    q = p.next === null ? null : p.next.slice(p.next.indexOf('?') + 1);
  }
  return out;
}

/** The names `pattern` matches, in the list's default order (the newest first: wk-4999 …). */
const expected = (pattern: RegExp) =>
  Array.from({ length: N }, (_, i) => `wk-${N - 1 - i}`).filter((n) => pattern.test(n));

beforeAll(async () => {
  t = await makeTestApp({ heartbeatIntervalSeconds: 3600 });
  const projectId = await unlimitedQuota(t.services);
  await insertServers(t.services, N, { projectId, prefix: 'wk' });
}, 120_000);
afterAll(async () => {
  await t.close();
});

describe(`regex filters over ${N} servers (reads of ${REGEX_CHUNK})`, () => {
  it('dense matches: the first page is the newest matches', async () => {
    expect(N).toBeGreaterThan(REGEX_CHUNK);
    expect((await page('name=7%24&limit=5')).names).toEqual(expected(/7$/).slice(0, 5));
  });

  it('sparse matches far down the list, found across reads, in order', async () => {
    // (Nova escapes `|` for MySQL: no alternation)
    expect((await page('name=%5Ewk-(43)%3F21%24')).names).toEqual(['wk-4321', 'wk-21']);
    expect((await page('name=%5Ewk-0%24')).names).toEqual(['wk-0']);
    expect((await page('name=nothing-like-this')).names).toEqual([]);
  });

  it('limit and marker page through every match, none twice, none lost', async () => {
    expect(await all('name=99&limit=7')).toEqual(expected(/99/));
  });

  it('a page asks for no more rows than it needs: dense matches read one chunk', async () => {
    let statements = 0;
    const count = () => statements++;
    sql(t.services.db).on('query', count);
    await page('name=wk&limit=10');
    sql(t.services.db).off('query', count);
    // the regex walk (one read), the list, and at most the token's own reads
    expect(statements).toBeLessThanOrEqual(6);
  });
});
