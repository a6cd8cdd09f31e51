import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { insertInstanceRow } from '../helpers/instance-rows.js';
import { sql } from '../../src/db/sql.js';

let t: TestApp;
let p: { projectId: string; token: string };
let q: { projectId: string; token: string };
const uuids: Record<string, string> = {};
beforeAll(async () => {
  t = await makeTestApp();
  p = await makeProjectUser(t, 'usage-p', 'member');
  q = await makeProjectUser(t, 'usage-q', 'member');
  const db = sql(t.services.db);
  // p: "a" runs through the whole window; "b" ran 10:00–12:00 and was deleted; "c" launched after the window
  uuids.a = await insertInstanceRow(db, {
    projectId: p.projectId,
    name: 'a',
    vcpus: 2,
    memoryMb: 1024,
    rootGb: 10,
    launchedAt: '2026-01-01T00:00:00.000Z',
  });
  uuids.b = await insertInstanceRow(db, {
    projectId: p.projectId,
    name: 'b',
    vcpus: 1,
    memoryMb: 512,
    rootGb: 1,
    launchedAt: '2026-01-02T10:00:00.000Z',
    terminatedAt: '2026-01-02T12:00:00.000Z',
    deleted: true,
    deletedAt: '2026-01-02T12:00:00.000Z',
    vmState: 'deleted',
  });
  uuids.c = await insertInstanceRow(db, { projectId: p.projectId, name: 'c', launchedAt: '2026-02-01T00:00:00.000Z' });
  uuids.d = await insertInstanceRow(db, {
    projectId: q.projectId,
    name: 'd',
    vcpus: 4,
    memoryMb: 2048,
    rootGb: 20,
    launchedAt: '2026-01-02T06:00:00.000Z',
  });
  await db('instances')
    .where({ uuid: uuids.a })
    .update({ flavor_json: JSON.stringify({ name: 'm1.small' }) });
});
afterAll(async () => {
  await t.close();
});

const window = 'start=2026-01-02T00:00:00&end=2026-01-03T00:00:00';

describe('os-simple-tenant-usage', () => {
  it("a project sees its own usage: hours within the window, weighted totals, Nova's fields", async () => {
    const res = await t.http
      .get(`/compute/v2.1/os-simple-tenant-usage/${p.projectId}?${window}`)
      .set('X-Auth-Token', p.token);
    expect(res.status).toBe(200);
    const u = res.body.tenant_usage;
    expect(Object.keys(u)).toEqual([
      'tenant_id',
      'server_usages',
      'total_local_gb_usage',
      'total_vcpus_usage',
      'total_memory_mb_usage',
      'total_hours',
      'start',
      'stop',
    ]);
    expect(u).toMatchObject({
      tenant_id: p.projectId,
      total_hours: 26,
      total_vcpus_usage: 50,
      total_memory_mb_usage: 25600,
      total_local_gb_usage: 242,
      start: '2026-01-02T00:00:00.000000',
      stop: '2026-01-03T00:00:00.000000',
    });
    expect(u.server_usages.map((s: { name: string }) => s.name)).toEqual(['a', 'b']);
    const a = u.server_usages[0];
    expect(Object.keys(a)).toEqual([
      'hours',
      'flavor',
      'instance_id',
      'name',
      'tenant_id',
      'memory_mb',
      'local_gb',
      'vcpus',
      'started_at',
      'ended_at',
      'state',
      'uptime',
    ]);
    expect(a).toMatchObject({
      hours: 24,
      flavor: 'm1.small',
      instance_id: uuids.a,
      memory_mb: 1024,
      local_gb: 10,
      vcpus: 2,
      started_at: '2026-01-01T00:00:00.000000',
      ended_at: null,
      state: 'active',
    });
    expect(u.server_usages[1]).toMatchObject({
      hours: 2,
      state: 'terminated',
      ended_at: '2026-01-02T12:00:00.000000',
      uptime: 7200,
    });
  });

  it('admin lists every project; summaries only unless detailed=1', async () => {
    const res = await t.http.get(`/compute/v2.1/os-simple-tenant-usage?${window}`).set('X-Auth-Token', t.adminToken);
    expect(res.status).toBe(200);
    const byTenant = Object.fromEntries(res.body.tenant_usages.map((u: { tenant_id: string }) => [u.tenant_id, u]));
    expect(byTenant[q.projectId]).toMatchObject({ total_hours: 18, total_vcpus_usage: 72 });
    expect(byTenant[q.projectId].server_usages).toBeUndefined();
    const detailed = await t.http
      .get(`/compute/v2.1/os-simple-tenant-usage?${window}&detailed=1`)
      .set('X-Auth-Token', t.adminToken);
    expect(
      detailed.body.tenant_usages.find((u: { tenant_id: string }) => u.tenant_id === q.projectId).server_usages,
    ).toHaveLength(1);
  });

  it('2.40 pages over servers with a next link', async () => {
    const res = await t.http
      .get(`/compute/v2.1/os-simple-tenant-usage?${window}&limit=1`)
      .set('X-Auth-Token', t.adminToken)
      .set('OpenStack-API-Version', 'compute 2.40')
      .set('Host', 'h:1');
    expect(res.body.tenant_usages).toHaveLength(1);
    expect(res.body.tenant_usages_links[0].href).toBe(
      `http://h:1/compute/v2.1/os-simple-tenant-usage?start=2026-01-02T00%3A00%3A00&end=2026-01-03T00%3A00%3A00&limit=1&marker=${uuids.a}`,
    );
    const next = await t.http
      .get(`/compute/v2.1/os-simple-tenant-usage?${window}&limit=5&marker=${uuids.a}`)
      .set('X-Auth-Token', t.adminToken)
      .set('OpenStack-API-Version', 'compute 2.40');
    expect(next.body.tenant_usages.map((u: { total_hours: number }) => u.total_hours).sort()).toEqual([18, 2]);
  });

  it('policy, empty usage and bad dates', async () => {
    const denied = await t.http.get(`/compute/v2.1/os-simple-tenant-usage?${window}`).set('X-Auth-Token', p.token);
    expect(denied.status).toBe(403);
    expect(denied.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:os-simple-tenant-usage:list to be performed.",
    );
    const other = await t.http.get(`/compute/v2.1/os-simple-tenant-usage/${q.projectId}`).set('X-Auth-Token', p.token);
    expect(other.status).toBe(403);
    const empty = await t.http
      .get(`/compute/v2.1/os-simple-tenant-usage/${p.projectId}?start=2020-01-01T00:00:00&end=2020-01-02T00:00:00`)
      .set('X-Auth-Token', p.token);
    expect(empty.body).toEqual({ tenant_usage: {} });
    const bad = await t.http
      .get(`/compute/v2.1/os-simple-tenant-usage/${p.projectId}?start=yesterday`)
      .set('X-Auth-Token', p.token);
    expect(bad.status).toBe(400);
    expect(bad.body.badRequest.message).toBe('Invalid datetime string: Datetime is in invalid format');
    const reversed = await t.http
      .get(`/compute/v2.1/os-simple-tenant-usage/${p.projectId}?start=2026-01-03T00:00:00&end=2026-01-02T00:00:00`)
      .set('X-Auth-Token', p.token);
    expect(reversed.body.badRequest.message).toBe(
      'Invalid start time. The start time cannot occur after the end time.',
    );
    // Nova refuses start == end too (start must come before end)
    const same = await t.http
      .get(`/compute/v2.1/os-simple-tenant-usage/${p.projectId}?start=2026-01-02T00:00:00&end=2026-01-02T00:00:00`)
      .set('X-Auth-Token', p.token);
    expect(same.status).toBe(400);
    expect(same.body.badRequest.message).toBe('Invalid start time. The start time cannot occur after the end time.');
  });

  it('an end in the future is cut to now: a running server is charged up to now (nova usage asks up to tomorrow)', async () => {
    const r = await makeProjectUser(t, 'usage-r', 'member');
    const hourAgo = new Date(Date.now() - 3600_000);
    await insertInstanceRow(t.services.db, {
      projectId: r.projectId,
      name: 'running',
      vcpus: 1,
      memoryMb: 512,
      rootGb: 1,
      launchedAt: hourAgo.toISOString(),
    });
    const iso = (d: Date) => d.toISOString().slice(0, 19);
    const tomorrow = new Date(Date.now() + 24 * 3600_000);
    const before = Date.now();
    const res = await t.http
      .get(
        `/compute/v2.1/os-simple-tenant-usage/${r.projectId}?start=${iso(new Date(Date.now() - 7 * 24 * 3600_000))}&end=${iso(tomorrow)}`,
      )
      .set('X-Auth-Token', r.token);
    const after = Date.now();
    expect(res.status).toBe(200);
    const u = res.body.tenant_usage;
    // one hour (plus the few milliseconds of the request), not the 25 hours up to tomorrow
    expect(u.server_usages[0].hours).toBeGreaterThanOrEqual(1);
    expect(u.server_usages[0].hours).toBeLessThan(1 + (after - before + 1000) / 3600_000);
    expect(u.total_memory_mb_usage).toBeCloseTo(512 * u.server_usages[0].hours, 6);
    const stop = Date.parse(`${u.stop}Z`);
    expect(stop).toBeGreaterThanOrEqual(before - 1);
    expect(stop).toBeLessThanOrEqual(after + 1);
  });
});
