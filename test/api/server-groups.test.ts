import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { insertInstanceRow } from '../helpers/instance-rows.js';
import { sql } from '../../src/db/sql.js';

let t: TestApp;
let p: { projectId: string; userId: string; token: string };
let reader: { token: string };
let other: { projectId: string; token: string };
beforeAll(async () => {
  t = await makeTestApp();
  p = await makeProjectUser(t, 'sg-p', 'member');
  reader = await makeProjectUser(t, 'sg-p', 'reader');
  other = await makeProjectUser(t, 'sg-other', 'member');
});
afterAll(async () => {
  await t.close();
});

const url = '/compute/v2.1/os-server-groups';
const as = (token: string, v?: string) => ({
  'X-Auth-Token': token,
  ...(v ? { 'OpenStack-API-Version': `compute ${v}` } : {}),
});

describe('os-server-groups API', () => {
  it('2.1 create: policies list, metadata, members; 200', async () => {
    const res = await t.http
      .post(url)
      .set(as(p.token))
      .send({ server_group: { name: 'g', policies: ['anti-affinity'] } });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.server_group)).toEqual(['id', 'name', 'policies', 'metadata', 'members']);
    expect(res.body.server_group).toMatchObject({ name: 'g', policies: ['anti-affinity'], metadata: {}, members: [] });
  });

  it('2.64 create: policy and rules, project_id and user_id', async () => {
    const res = await t.http
      .post(url)
      .set(as(p.token, '2.64'))
      .send({ server_group: { name: 'g2', policy: 'anti-affinity', rules: { max_server_per_host: 2 } } });
    expect(res.status).toBe(200);
    expect(res.body.server_group).toEqual({
      id: res.body.server_group.id,
      name: 'g2',
      policy: 'anti-affinity',
      rules: { max_server_per_host: 2 },
      members: [],
      project_id: p.projectId,
      user_id: p.userId,
    });
    const bad = await t.http
      .post(url)
      .set(as(p.token, '2.64'))
      .send({ server_group: { name: 'g3', policy: 'affinity', rules: { max_server_per_host: 2 } } });
    expect(bad.status).toBe(400);
    expect(bad.body.badRequest.message).toBe('Only anti-affinity policy supports rules.');
  });

  it('validation by microversion', async () => {
    const soft = await t.http
      .post(url)
      .set(as(p.token, '2.14'))
      .send({ server_group: { name: 's', policies: ['soft-affinity'] } });
    expect(soft.status).toBe(400);
    expect(soft.body.badRequest.message).toMatch(/\. 'soft-affinity' is not one of \['anti-affinity', 'affinity'\]$/);
    expect(
      (
        await t.http
          .post(url)
          .set(as(p.token, '2.15'))
          .send({ server_group: { name: 's', policies: ['soft-affinity'] } })
      ).status,
    ).toBe(200);
    const two = await t.http
      .post(url)
      .set(as(p.token))
      .send({ server_group: { name: 's', policies: ['affinity', 'anti-affinity'] } });
    expect(two.status).toBe(400);
    const old = await t.http
      .post(url)
      .set(as(p.token, '2.64'))
      .send({ server_group: { name: 's', policies: ['affinity'] } });
    expect(old.status).toBe(400);
    expect(old.body.badRequest.message).toMatch(
      /'policy' is a required property|Additional properties are not allowed/,
    );
  });

  it("list is per project (all_projects for admin only), show and delete; 404 in Nova's words", async () => {
    const mine = await t.http.get(url).set(as(p.token));
    expect(mine.body.server_groups.map((g: { name: string }) => g.name)).toEqual(['g', 'g2', 's']);
    expect((await t.http.get(url).set(as(other.token))).body.server_groups).toEqual([]);
    const denied = await t.http.get(`${url}?all_projects=1`).set(as(p.token));
    expect(denied.status).toBe(403);
    const all = await t.http.get(`${url}?all_projects=1&limit=2&offset=1`).set(as(t.adminToken));
    expect(all.body.server_groups.map((g: { name: string }) => g.name)).toEqual(['g2', 's']);
    const id = mine.body.server_groups[2].id;
    expect((await t.http.get(`${url}/${id}`).set(as(other.token))).status).toBe(404);
    expect((await t.http.delete(`${url}/${id}`).set(as(reader.token))).status).toBe(403);
    expect((await t.http.delete(`${url}/${id}`).set(as(p.token))).status).toBe(204);
    const gone = await t.http.get(`${url}/${id}`).set(as(p.token));
    expect(gone.status).toBe(404);
    expect(gone.body.itemNotFound.message).toBe(`Instance group ${id} could not be found.`);
  });

  it('the server_groups quota is enforced (403) and shows in /limits', async () => {
    await sql(t.services.db)('quotas').insert({
      project_id: p.projectId,
      resource: 'server_groups',
      hard_limit: 2,
      created_at: new Date().toISOString(),
    });
    const over = await t.http
      .post(url)
      .set(as(p.token))
      .send({ server_group: { name: 'x', policies: ['affinity'] } });
    expect(over.status).toBe(403);
    expect(over.body.forbidden.message).toBe('Quota exceeded, too many server groups.');
    const lim = await t.http.get('/compute/v2.1/limits').set(as(p.token, '2.57'));
    expect(lim.body.limits.absolute).toMatchObject({ maxServerGroups: 2, totalServerGroupsUsed: 2 });
  });
});

describe('membership and placement', () => {
  const hosts = [{ id: 1 }, { id: 2 }, { id: 3 }];
  async function groupWith(policy: string, rules: object = {}) {
    const res = await t.http
      .post(url)
      .set(as(other.token, '2.64'))
      .send({ server_group: { name: policy, policy, rules } });
    return res.body.server_group.id as string;
  }
  async function member(groupId: string, hostId: number | null) {
    const uuid = await insertInstanceRow(t.services.db, {
      projectId: other.projectId,
      hostId: hostId === null ? null : hostId,
    });
    const auth = { userId: 'u', projectId: other.projectId, roles: ['member'] } as never;
    await sql(t.services.db).transaction((trx) => t.services.serverGroups.addMembers(trx, auth, groupId, [uuid]));
    return uuid;
  }

  it('anti-affinity keeps members apart (max_server_per_host), affinity keeps them together', async () => {
    await t.services.hosts.ensureHost('sg-h2', 'tcp://10.0.0.2:2375', 'nova');
    await t.services.hosts.ensureHost('sg-h3', 'tcp://10.0.0.3:2375', 'nova');
    const ids = (await t.services.hostsRepo.list()).map((h) => h.id);
    const hs = ids.map((id) => ({ id }));
    const anti = await groupWith('anti-affinity');
    await member(anti, ids[0]);
    const next = await member(anti, null);
    expect((await t.services.serverGroups.filterHosts(next, hs)).map((h) => h.id)).toEqual([ids[1], ids[2]]);
    const anti2 = await groupWith('anti-affinity', { max_server_per_host: 2 });
    await member(anti2, ids[0]);
    await member(anti2, ids[1]);
    await member(anti2, ids[1]);
    expect((await t.services.serverGroups.filterHosts(await member(anti2, null), hs)).map((h) => h.id)).toEqual([
      ids[0],
      ids[2],
    ]);
    const aff = await groupWith('affinity');
    const first = await member(aff, null);
    expect(await t.services.serverGroups.filterHosts(first, hs)).toEqual(hs);
    await sql(t.services.db)('instances').where({ uuid: first }).update({ host_id: ids[2] });
    expect((await t.services.serverGroups.filterHosts(await member(aff, null), hs)).map((h) => h.id)).toEqual([ids[2]]);
    const soft = await groupWith('soft-anti-affinity');
    await member(soft, ids[0]);
    expect((await t.services.serverGroups.filterHosts(await member(soft, null), hs)).map((h) => h.id)).toEqual([
      ids[1],
      ids[2],
      ids[0],
    ]);
    // a server in no group may go anywhere
    expect(await t.services.serverGroups.filterHosts('no-such-server', hosts)).toEqual(hosts);
  });

  it('members are listed while their server lives; the members quota is enforced', async () => {
    const g = await groupWith('affinity');
    const a = await member(g, null);
    const b = await member(g, null);
    let show = await t.http.get(`${url}/${g}`).set(as(other.token));
    expect(show.body.server_group.members).toEqual([a, b]);
    await sql(t.services.db)('instances').where({ uuid: a }).update({ deleted: true });
    show = await t.http.get(`${url}/${g}`).set(as(other.token));
    expect(show.body.server_group.members).toEqual([b]);
    await sql(t.services.db)('quotas').insert({
      project_id: other.projectId,
      resource: 'server_group_members',
      hard_limit: 2,
      created_at: new Date().toISOString(),
    });
    await member(g, null);
    const err = await member(g, null).catch((e) => e);
    expect(err.message).toBe('Quota exceeded, too many servers in group');
  });
});
