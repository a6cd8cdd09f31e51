// /os-instance_usage_audit_log as Nova answers it when no host runs the usage audit (Nova's default):
// the last completed month before now or before the given time, every compute host not run,
// Nova's 400 for a time it cannot read and its 403 for non-admins.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';

const BASE = '/compute/v2.1/os-instance_usage_audit_log';
let t: TestApp;
let computeHosts: string[];
const admin = (url: string) =>
  t.http.get(url).set('X-Auth-Token', t.adminToken).set('OpenStack-API-Version', 'compute 2.93');

beforeAll(async () => {
  t = await makeTestApp();
  const services = await admin('/compute/v2.1/os-services?binary=nova-compute');
  computeHosts = services.body.services.map((s: { host: string }) => s.host);
  expect(computeHosts.length).toBeGreaterThan(0);
});
afterAll(async () => {
  await t?.close();
});

describe('os-instance_usage_audit_log', () => {
  it("index: the last completed month before now, every compute host not run, in Nova's fields", async () => {
    const res = await admin(BASE);
    expect(res.status).toBe(200);
    const now = new Date();
    const pad = (n: number) => String(n).padStart(2, '0');
    const first = (y: number, m: number) => {
      const d = new Date(Date.UTC(y, m, 1));
      return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-01 00:00:00`;
    };
    expect(res.body).toEqual({
      instance_usage_audit_logs: {
        period_beginning: first(now.getUTCFullYear(), now.getUTCMonth() - 1),
        period_ending: first(now.getUTCFullYear(), now.getUTCMonth()),
        num_hosts: computeHosts.length,
        num_hosts_done: 0,
        num_hosts_running: 0,
        num_hosts_not_run: computeHosts.length,
        hosts_not_run: computeHosts,
        total_instances: 0,
        total_errors: 0,
        overall_status: `0 of ${computeHosts.length} hosts done. 0 errors.`,
        log: {},
      },
    });
    expect(Object.keys(res.body.instance_usage_audit_logs)).toEqual([
      'period_beginning',
      'period_ending',
      'num_hosts',
      'num_hosts_done',
      'num_hosts_running',
      'num_hosts_not_run',
      'hosts_not_run',
      'total_instances',
      'total_errors',
      'overall_status',
      'log',
    ]);
  });

  it("show: the month completed before the given time, in both of Nova's formats (nova instance-usage-audit-log --before)", async () => {
    const period = async (before: string) => {
      const res = await admin(`${BASE}/${encodeURIComponent(before)}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const log = res.body.instance_usage_audit_log;
      return [log.period_beginning, log.period_ending];
    };
    expect(await period('2026-11-28 10:00:00')).toEqual(['2026-10-01 00:00:00', '2026-11-01 00:00:00']);
    // the first instant of a month has not completed that month yet
    expect(await period('2026-11-01 00:00:00')).toEqual(['2026-09-01 00:00:00', '2026-10-01 00:00:00']);
    // across the year, with microseconds
    expect(await period('2026-01-15 08:30:00.5')).toEqual(['2025-12-01 00:00:00', '2026-01-01 00:00:00']);
    // strptime takes single digits
    expect(await period('2026-3-5 1:2:3')).toEqual(['2026-02-01 00:00:00', '2026-03-01 00:00:00']);
  });

  it('a time Nova cannot read is its 400', async () => {
    for (const bad of [
      'yesterday',
      '2026-02-30 00:00:00',
      '2026-11-28T10:00:00',
      '2026-11-28 10:00:60',
      '2026-11-28 10:00:00.',
      '2026-11-28 10:00',
    ]) {
      const res = await admin(`${BASE}/${encodeURIComponent(bad)}`);
      expect(res.status, bad).toBe(400);
      expect(res.body).toEqual({ badRequest: { code: 400, message: `Invalid timestamp for date ${bad}` } });
    }
  });

  it("members are refused with Nova's policy message", async () => {
    const member = await makeProjectUser(t, 'audit-member', 'member');
    const list = await t.http.get(BASE).set('X-Auth-Token', member.token);
    expect(list.status).toBe(403);
    expect(list.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:os-instance-usage-audit-log:list to be performed.",
    );
    const show = await t.http
      .get(`${BASE}/${encodeURIComponent('2026-11-28 10:00:00')}`)
      .set('X-Auth-Token', member.token);
    expect(show.status).toBe(403);
    expect(show.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:os-instance-usage-audit-log:show to be performed.",
    );
  });
});
