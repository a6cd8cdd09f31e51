// Input PostgreSQL cannot hold, which the fuzzer found as 500s there: a NUL character escaped in a
// path (%00) names nothing, so every service answers its own 404 once the token is checked; inside a
// body PostgreSQL cannot store it and the caller gets a 400 (SQLite stores it); flavor filters
// beyond the 32-bit columns compare as Nova's MySQL does (below: every flavor; above: none).
// On SQLite and, when TEST_PG_URL is set (CI), on PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../helpers/app.js';
import { freshPgDatabase } from '../helpers/pg-database.js';

const engines: [string, string | null][] = [['sqlite', null]];
if (process.env.TEST_PG_URL) engines.push(['postgres', process.env.TEST_PG_URL]);

describe.each(engines)('on %s', (engine, pgUrl) => {
  let t: TestApp;
  let dropDb: (() => Promise<void>) | null = null;
  beforeAll(async () => {
    let databaseUrl: string | undefined;
    if (pgUrl) {
      const pg = await freshPgDatabase(pgUrl, 'nul');
      databaseUrl = pg.url;
      dropDb = pg.drop;
    }
    t = await makeTestApp(databaseUrl ? { databaseUrl } : {});
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await dropDb?.();
  });

  it("an escaped NUL in a path is each service's 404, after the token check", async () => {
    const get = (p: string) => t.http.get(p).set('X-Auth-Token', t.adminToken);
    const compute = await get('/compute/v2.1/os-server-groups/a%00b');
    expect([compute.status, compute.body.itemNotFound?.code]).toEqual([404, 404]);
    const network = await get('/networking/v2.0/security-groups/%00');
    expect([network.status, network.body.NeutronError?.type]).toEqual([404, 'HTTPNotFound']);
    const identity = await get('/identity/v3/users/nul%00byte/groups');
    expect([identity.status, identity.body.error?.code]).toEqual([404, 404]);
    const image = await t.http
      .put('/image/v2/images/d6ca0062-1dff-4304-a0d7-86737e8a09fd/tags/nul%00byte')
      .set('X-Auth-Token', t.adminToken);
    expect(image.status).toBe(404);
    // no token: the 401 comes first, as keystonemiddleware answers before the service
    expect((await t.http.get('/compute/v2.1/os-server-groups/a%00b')).status).toBe(401);
    // a NUL in the query string is not a path: the route's own answer
    expect((await get('/compute/v2.1/servers?name=%00')).status).toBe(200);
  });

  it('a NUL inside a stored text is a 400 where the database cannot hold it, never a 500', async () => {
    const projects = await t.http.get('/identity/v3/projects?name=admin').set('X-Auth-Token', t.adminToken);
    const id = projects.body.projects[0].id as string;
    const res = await t.http
      .patch(`/identity/v3/projects/${id}`)
      .set('X-Auth-Token', t.adminToken)
      .send({ project: { description: 'a\u0000b' } });
    if (engine === 'postgres') {
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain('NUL');
    } else {
      expect(res.status).toBe(200);
      expect(res.body.project.description).toBe('a\u0000b');
    }
  });

  it('minRam and minDisk beyond 32 bits: every flavor below, none above', async () => {
    const list = async (q: string) => {
      const res = await t.http.get(`/compute/v2.1/flavors/detail?${q}`).set('X-Auth-Token', t.adminToken);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.flavors.length as number;
    };
    const all = await list('');
    expect(all).toBeGreaterThan(0);
    expect(await list('minRam=-9007199254740992')).toBe(all);
    expect(await list('minDisk=-9007199254740992')).toBe(all);
    expect(await list('minRam=9007199254740992')).toBe(0);
    expect(await list('minDisk=2147483648')).toBe(0);
  });
});
