// Admin-only GET /servers filters, with servers on two compute hosts: host (exact compute host
// name), node (regex on the hypervisor hostname), description/display_description, access_ip_v4/v6,
// created_at/launched_at/terminated_at (regex on the timestamp text), deleted and soft_deleted.
// Admins get them applied; members lose them silently (Nova remove_invalid_options; the timestamps
// open to members at 2.83, above this service's maximum microversion).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { insertServers, unlimitedQuota } from '../helpers/servers.js';
import { HostRegistry } from '../../src/compute/hosts/host-registry.js';
import { sql } from '../../src/db/sql.js';

let t: TestApp;
let member: { projectId: string; token: string };
const S = '/compute/v2.1/servers';
const EXTRA = 'extra-1';
const DEFAULT = HostRegistry.defaultHostName();

async function names(query: string, opts: { v?: string; token?: string; detail?: boolean } = {}): Promise<string[]> {
  const token = opts.token ?? t.adminToken;
  const scope = token === t.adminToken ? 'all_tenants=1&' : '';
  const res = await t.http
    .get(`${S}${opts.detail ? '/detail' : ''}?${scope}${query}`)
    .set('X-Auth-Token', token)
    .set('OpenStack-API-Version', `compute ${opts.v ?? '2.79'}`);
  expect(res.status).toBe(200);
  return (res.body.servers as { name: string }[]).map((s) => s.name).sort();
}
const LIVE = ['a-0', 'a-1', 'b-0', 'b-1'];

beforeAll(async () => {
  t = await makeTestApp({
    heartbeatIntervalSeconds: 3600,
    computeHosts: [{ name: EXTRA, dockerUrl: 'unix:///tmp/fake-extra-1.sock', availabilityZone: 'nova' }],
  });
  await unlimitedQuota(t.services);
  member = await makeProjectUser(t, 'admin-filters-p');
  const hostId = async (name: string) => (await t.services.hostsRepo.findByName(name))!.id;
  const p = { projectId: member.projectId };
  const [a0] = await insertServers(t.services, 2, { ...p, hostId: await hostId(DEFAULT), prefix: 'a' });
  await insertServers(t.services, 2, { ...p, hostId: await hostId(EXTRA), prefix: 'b' });
  const [s0] = await insertServers(t.services, 1, { ...p, hostId: await hostId(EXTRA), prefix: 's' });
  const [d0] = await insertServers(t.services, 1, { ...p, hostId: await hostId(EXTRA), prefix: 'd' });
  const db = sql(t.services.db);
  await db('instances').where({ uuid: a0 }).update({
    display_description: 'web tier',
    access_ip_v4: '10.0.0.5',
    access_ip_v6: '2001:db8::5',
    created_at: '2026-01-02T03:04:05.000Z',
    launched_at: '2026-01-02T03:04:09.000Z',
  });
  await db('instances').where({ uuid: s0 }).update({ vm_state: 'soft-delete', power_state: 4 });
  await db('instances').where({ uuid: d0 }).update({
    vm_state: 'deleted',
    deleted: true,
    deleted_at: '2026-03-04T05:06:07.000Z',
    terminated_at: '2026-03-04T05:06:07.000Z',
  });
});
afterAll(async () => {
  await t.close();
});

describe('host and node', () => {
  it('admin: host is the exact compute host name, and matches OS-EXT-SRV-ATTR:host', async () => {
    expect(await names(`host=${EXTRA}`)).toEqual(['b-0', 'b-1']);
    expect(await names(`host=${DEFAULT}`)).toEqual(['a-0', 'a-1']);
    expect(await names('host=extra')).toEqual([]);
    expect(await names('host=no-such-host')).toEqual([]);
    const res = await t.http.get(`${S}/detail?all_tenants=1&host=${EXTRA}`).set('X-Auth-Token', t.adminToken);
    expect(res.body.servers.map((s: Record<string, unknown>) => s['OS-EXT-SRV-ATTR:host'])).toEqual([EXTRA, EXTRA]);
  });
  it("admin: node is a regex on the hypervisor hostname; a broken pattern is Nova's schema 400", async () => {
    expect(await names('node=extra')).toEqual(['b-0', 'b-1']);
    expect(await names(`node=^${EXTRA}$`)).toEqual(['b-0', 'b-1']);
    expect(await names(`node=${encodeURIComponent(`^${DEFAULT}$`)}`)).toEqual(['a-0', 'a-1']);
    const broken = await t.http.get(`${S}?all_tenants=1&node=%28`).set('X-Auth-Token', t.adminToken);
    expect(broken.status).toBe(400);
    expect(broken.body.badRequest.message).toBe(
      "Invalid input for query parameters node. Value: (. '(' is not a 'regex'",
    );
    expect(await names(`host=${EXTRA}&node=${encodeURIComponent(`^${DEFAULT}$`)}`)).toEqual([]);
  });
  it('member: host and node are dropped silently (every live server of the project)', async () => {
    expect(await names(`host=${EXTRA}`, { token: member.token })).toEqual(LIVE);
    expect(await names('node=extra', { token: member.token })).toEqual(LIVE);
    expect(await names('host=no-such-host', { token: member.token, v: '2.1' })).toEqual(LIVE);
  });
  it('host filter is part of the list query, not an extra round trip', async () => {
    // Every query of the process is counted, so a background one (a worker poll) may land inside a
    // request: the fewest of three runs is the request's own count.
    const once = async (q: string) => {
      let n = 0;
      const on = () => {
        n++;
      };
      sql(t.services.db).on('query', on);
      await names(q, { detail: true });
      sql(t.services.db).off('query', on);
      return n;
    };
    const count = async (q: string) => Math.min(await once(q), await once(q), await once(q));
    expect(await count(`host=${EXTRA}`)).toBe(await count('limit=1000'));
  });
});

describe('regex column filters', () => {
  it('admin: display_description is a regex; description is no instances column, so Nova ignores it', async () => {
    expect(await names('display_description=web')).toEqual(['a-0']);
    expect(await names('display_description=^web%20tier$')).toEqual(['a-0']);
    expect(await names('display_description=^tier')).toEqual([]);
    expect(await names('description=web')).toEqual(LIVE);
    expect(await names('description=^tier')).toEqual(LIVE);
    expect(await names('description=web', { token: member.token })).toEqual(LIVE);
  });
  it('admin: access_ip_v4 and access_ip_v6', async () => {
    expect(await names('access_ip_v4=10%5C.0%5C.0%5C.5')).toEqual(['a-0']);
    expect(await names('access_ip_v4=10%5C.0%5C.0%5C.6')).toEqual([]);
    expect(await names('access_ip_v6=2001:db8')).toEqual(['a-0']);
    expect(await names('access_ip_v4=10', { token: member.token })).toEqual(LIVE);
  });
  it('timestamps match as text, in the DB form or the API form', async () => {
    expect(await names('created_at=2026-01-02')).toEqual(['a-0']);
    expect(await names('created_at=2026-01-02%2003:04')).toEqual(['a-0']);
    expect(await names('launched_at=^2026-01-02T03:04:09Z$')).toEqual(['a-0']);
    expect(await names('terminated_at=2026')).toEqual([]);
    expect(await names('deleted=true&terminated_at=2026-03-04')).toEqual(['d-0']);
    // Members may use them from 2.83 only, above this service's maximum (2.79): dropped.
    expect(await names('created_at=2026-01-02', { token: member.token, v: '2.79' })).toEqual(LIVE);
  });
});

describe('scope: all_tenants, project_id, tenant_id', () => {
  const raw = (query: string, token: string) => t.http.get(`${S}?${query}`).set('X-Auth-Token', token);
  it("without all_tenants the list is the caller's project, whatever project_id/tenant_id say", async () => {
    const admin = await raw(`project_id=${member.projectId}`, t.adminToken);
    expect(admin.status).toBe(200);
    expect(admin.body.servers).toEqual([]);
    expect((await raw(`tenant_id=${member.projectId}`, t.adminToken)).body.servers).toEqual([]);
  });
  it('with all_tenants an admin may narrow to one project by project_id or tenant_id', async () => {
    expect(await names(`project_id=${member.projectId}`)).toEqual(LIVE);
    expect(await names(`tenant_id=${member.projectId}`)).toEqual(LIVE);
    expect(await names('project_id=0123456789abcdef0123456789abcdef')).toEqual([]);
  });
  it('all_tenants: a false word is fine for anyone, a true word is 403 for members, junk is 400', async () => {
    const off = await raw('all_tenants=0', member.token);
    expect(off.status).toBe(200);
    expect(off.body.servers).toHaveLength(LIVE.length);
    expect((await raw('all_tenants=1', member.token)).status).toBe(403);
    const junk = await raw('all_tenants=maybe', t.adminToken);
    expect(junk.status).toBe(400);
    expect(junk.body.badRequest.message).toMatch(/^Invalid input received: Unrecognized value 'maybe'/);
  });
});

describe('deleted and soft_deleted', () => {
  it('admin: SOFT_DELETED servers are hidden by default and shown with soft_deleted=true', async () => {
    expect(await names('')).toEqual(LIVE);
    expect(await names('soft_deleted=true')).toEqual([...LIVE, 's-0']);
  });
  it('admin: deleted=true lists deleted and soft-deleted servers; soft_deleted=false narrows to deleted', async () => {
    expect(await names('deleted=true')).toEqual(['d-0', 's-0']);
    expect(await names('deleted=true&soft_deleted=false')).toEqual(['d-0']);
    expect(await names(`deleted=true&host=${DEFAULT}`)).toEqual([]);
    // Nova's bool_from_string: anything else is false.
    expect(await names('deleted=bogus')).toEqual(LIVE);
    expect(await names('deleted=')).toEqual(LIVE);
  });
  it('member: deleted and soft_deleted are dropped', async () => {
    expect(await names('deleted=true', { token: member.token })).toEqual(LIVE);
    expect(await names('soft_deleted=true', { token: member.token })).toEqual(LIVE);
  });
  it('every one of these parameters passes the strict 2.75 query schema', async () => {
    const q =
      'host=x&node=x&description=x&display_description=x&access_ip_v4=x&access_ip_v6=x&created_at=x&launched_at=x&terminated_at=x&soft_deleted=1&deleted=0';
    expect(await names(q, { v: '2.79' })).toEqual([]);
    expect(await names(q, { v: '2.79', token: member.token })).toEqual(LIVE);
  });
});
