// 2.80: GET /os-migrations accepts user_id and project_id filters (Nova's list_query_params_v280,
// each a single_param string); before 2.80 they are unknown parameters (400 from 2.59). No server
// is resized here, so the list stays empty (test/api/migrations-resize.test.ts lists records).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
const M = '/compute/v2.1/os-migrations';
const get = (url: string, v: string, token?: string) =>
  t.http
    .get(url)
    .set('X-Auth-Token', token ?? t.adminToken)
    .set('OpenStack-API-Version', `compute ${v}`);

beforeAll(async () => {
  t = await makeTestApp({ heartbeatIntervalSeconds: 3600 });
});
afterAll(async () => {
  await t.close();
});

describe('/os-migrations owner filters (2.80)', () => {
  it('accepts user_id and project_id from 2.80, alone or with the older filters and paging', async () => {
    for (const q of [
      'user_id=u1',
      'project_id=p1',
      'user_id=u1&project_id=p1&status=done&limit=2&changes-before=2026-01-01T00:00:00Z',
    ]) {
      const res = await get(`${M}?${q}`, '2.80');
      expect(res.status, q).toBe(200);
      expect(res.body).toEqual({ migrations: [] });
    }
    expect((await get(`${M}?project_id=p1`, '2.93')).status).toBe(200);
  });

  it('refuses them as unknown parameters at 2.59-2.79, and ignores them before 2.59', async () => {
    for (const name of ['user_id', 'project_id']) {
      const res = await get(`${M}?${name}=x`, '2.79');
      expect(res.status).toBe(400);
      expect(res.body.badRequest.message).toBe(`Additional properties are not allowed ('${name}' was unexpected)`);
      expect((await get(`${M}?${name}=x`, '2.58')).status).toBe(200);
    }
  });

  it('takes each filter once only', async () => {
    const res = await get(`${M}?user_id=a&user_id=b`, '2.80');
    expect(res.status).toBe(400);
    expect(res.body.badRequest.message).toBe(
      "Invalid input for query parameters user_id. Value: ['a', 'b']. ['a', 'b'] is too long",
    );
    expect((await get(`${M}?project_id=a&project_id=b`, '2.80')).body.badRequest.message).toContain(
      'query parameters project_id',
    );
  });

  it('still refuses unknown parameters and non-admins at 2.80', async () => {
    const res = await get(`${M}?user=x`, '2.80');
    expect(res.body.badRequest.message).toBe("Additional properties are not allowed ('user' was unexpected)");
    const member = await makeProjectUser(t, 'migrations-280', 'member');
    const denied = await get(`${M}?project_id=${member.projectId}`, '2.80', member.token);
    expect(denied.status).toBe(403);
    expect(denied.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:os-migrations:index to be performed.",
    );
  });
});
