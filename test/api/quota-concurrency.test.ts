// Quota enforcement through the real server-create path: concurrent creates never overshoot,
// neither a project's limit nor a user's limit inside the project.
// On SQLite (one connection) and, when TEST_PG_URL is set, on PostgreSQL (row lock per project),
// each in a database of its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { seedImage } from '../helpers/servers.js';
import { freshPgDatabase } from '../helpers/pg-database.js';
import { sql } from '../../src/db/sql.js';

const engines: [string, string | null][] = [['sqlite', null]];
if (process.env.TEST_PG_URL) engines.push(['postgres', process.env.TEST_PG_URL]);

describe.each(engines)('on %s', (_engine, pgUrl) => {
  let t: TestApp;
  let p: { projectId: string; token: string };
  let imageId: string;
  let dropDb: (() => Promise<void>) | null = null;
  beforeAll(async () => {
    let databaseUrl: string | undefined;
    if (pgUrl) {
      const pg = await freshPgDatabase(pgUrl, 'quota');
      databaseUrl = pg.url;
      dropDb = pg.drop;
    }
    t = await makeTestApp(databaseUrl ? { databaseUrl } : {});
    p = await makeProjectUser(t, 'race', 'member');
    imageId = (await seedImage(t.services)).id;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await dropDb?.();
  });

  const create = (name: string, extra: object = {}) =>
    t.http
      .post('/compute/v2.1/servers')
      .set('X-Auth-Token', p.token)
      .send({ server: { name, imageRef: imageId, flavorRef: '1', ...extra } });

  describe('quota under concurrency', () => {
    it("20 concurrent creates against an instances quota of 5: exactly 5 succeed, 15 get Nova's 403", async () => {
      await t.http
        .put(`/compute/v2.1/os-quota-sets/${p.projectId}`)
        .set('X-Auth-Token', t.adminToken)
        .send({ quota_set: { instances: 5 } })
        .expect(200);
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => create(`race-${i}`)));
      const codes = results.map((r) => r.status);
      expect(codes.filter((c) => c === 202)).toHaveLength(5);
      expect(codes.filter((c) => c === 403)).toHaveLength(15);
      const refused = results.find((r) => r.status === 403)!;
      expect(refused.body).toEqual({
        forbidden: {
          code: 403,
          message: 'Quota exceeded for instances: Requested 1, but already used 5 of 5 instances',
        },
      });
      const [{ n }] = await sql(t.services.db)('instances')
        .where({ project_id: p.projectId, deleted: false })
        .count({ n: '*' });
      expect(Number(n)).toBe(5);
      const limits = await t.http.get('/compute/v2.1/limits').set('X-Auth-Token', p.token);
      expect(limits.body.limits.absolute).toMatchObject({
        maxTotalInstances: 5,
        totalInstancesUsed: 5,
        totalCoresUsed: 5,
        totalRAMUsed: 5 * 512,
      });
    });

    it('multi-create takes what fits between min_count and max_count', async () => {
      await t.http
        .put(`/compute/v2.1/os-quota-sets/${p.projectId}`)
        .set('X-Auth-Token', t.adminToken)
        .send({ quota_set: { instances: 8 } })
        .expect(200);
      const some = await create('multi', { min_count: 1, max_count: 10 });
      expect(some.status).toBe(202);
      const [{ n }] = await sql(t.services.db)('instances')
        .where({ project_id: p.projectId, deleted: false })
        .count({ n: '*' });
      expect(Number(n)).toBe(8);
      const none = await create('multi2', { min_count: 2, max_count: 3 });
      expect(none.status).toBe(403);
      expect(none.body.forbidden.message).toBe(
        'Quota exceeded for instances: Requested 2-3, but already used 8 of 8 instances',
      );
    });

    it('a user limit holds under concurrency too: 20 creates by a user limited to 3 in a project allowing 20 give exactly 3; another user of the project is not held by it', async () => {
      const member = await makeProjectUser(t, 'race-user', 'member');
      const colleague = await makeProjectUser(t, 'race-user', 'admin');
      const quotaUrl = `/compute/v2.1/os-quota-sets/${member.projectId}`;
      await t.http
        .put(quotaUrl)
        .set('X-Auth-Token', t.adminToken)
        .send({ quota_set: { instances: 20 } })
        .expect(200);
      await t.http
        .put(`${quotaUrl}?user_id=${member.userId}`)
        .set('X-Auth-Token', t.adminToken)
        .send({ quota_set: { instances: 3 } })
        .expect(200);
      const createAs = (token: string, name: string) =>
        t.http
          .post('/compute/v2.1/servers')
          .set('X-Auth-Token', token)
          .send({ server: { name, imageRef: imageId, flavorRef: '1' } });
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => createAs(member.token, `user-race-${i}`)));
      const codes = results.map((r) => r.status);
      expect(codes.filter((c) => c === 202)).toHaveLength(3);
      expect(codes.filter((c) => c === 403)).toHaveLength(17);
      expect(results.find((r) => r.status === 403)!.body.forbidden.message).toBe(
        'Quota exceeded for instances: Requested 1, but already used 3 of 3 instances',
      );
      const [{ n }] = await sql(t.services.db)('instances')
        .where({ project_id: member.projectId, user_id: member.userId, deleted: false })
        .count({ n: '*' });
      expect(Number(n)).toBe(3);
      expect((await createAs(colleague.token, 'colleague')).status).toBe(202);
      const detail = await t.http.get(`${quotaUrl}/detail?user_id=${member.userId}`).set('X-Auth-Token', member.token);
      expect(detail.body.quota_set.instances).toEqual({ in_use: 3, limit: 3, reserved: 0 });
      const project = await t.http.get(`${quotaUrl}/detail`).set('X-Auth-Token', member.token);
      expect(project.body.quota_set.instances).toEqual({ in_use: 4, limit: 20, reserved: 0 });
    });
  });
});
