import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { insertInstanceRow } from '../helpers/instance-rows.js';

let t: TestApp;
let p: { projectId: string; userId: string; token: string };
let reader: { projectId: string; token: string };
let other: { projectId: string; token: string };
beforeAll(async () => {
  t = await makeTestApp();
  p = await makeProjectUser(t, 'q-one', 'member');
  reader = await makeProjectUser(t, 'q-one', 'reader');
  other = await makeProjectUser(t, 'q-two', 'member');
  // what the project runs: 3 live servers (1+2+4 vcpus, 512+1024+2048 MB) and a deleted one
  for (const [vcpus, memoryMb] of [
    [1, 512],
    [2, 1024],
    [4, 2048],
  ])
    await insertInstanceRow(t.services.db, { projectId: p.projectId, vcpus, memoryMb });
  await insertInstanceRow(t.services.db, { projectId: p.projectId, vcpus: 8, memoryMb: 8192, deleted: true });
  await insertInstanceRow(t.services.db, { projectId: other.projectId, vcpus: 1, memoryMb: 64 });
});
afterAll(async () => {
  await t.close();
});

const mv = (token: string, v?: string) => ({
  'X-Auth-Token': token,
  ...(v ? { 'OpenStack-API-Version': `compute ${v}` } : {}),
});

describe('GET /limits', () => {
  it("2.1: every key in Nova's order, with the project's usage", async () => {
    const res = await t.http.get('/compute/v2.1/limits').set(mv(p.token));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      limits: {
        rate: [],
        absolute: {
          maxTotalInstances: 10,
          maxTotalCores: 20,
          maxTotalRAMSize: 51200,
          maxServerMeta: 128,
          maxImageMeta: 128,
          maxPersonality: 5,
          maxPersonalitySize: 10240,
          maxTotalKeypairs: 100,
          maxServerGroups: 10,
          maxServerGroupMembers: 10,
          maxTotalFloatingIps: -1,
          maxSecurityGroups: -1,
          maxSecurityGroupRules: -1,
          totalRAMUsed: 3584,
          totalCoresUsed: 7,
          totalInstancesUsed: 3,
          totalFloatingIpsUsed: 0,
          totalSecurityGroupsUsed: 0,
          totalServerGroupsUsed: 0,
        },
      },
    });
    expect(Object.keys(res.body.limits.absolute)).toEqual([
      'maxTotalInstances',
      'maxTotalCores',
      'maxTotalRAMSize',
      'maxServerMeta',
      'maxImageMeta',
      'maxPersonality',
      'maxPersonalitySize',
      'maxTotalKeypairs',
      'maxServerGroups',
      'maxServerGroupMembers',
      'maxTotalFloatingIps',
      'maxSecurityGroups',
      'maxSecurityGroupRules',
      'totalRAMUsed',
      'totalCoresUsed',
      'totalInstancesUsed',
      'totalFloatingIpsUsed',
      'totalSecurityGroupsUsed',
      'totalServerGroupsUsed',
    ]);
  });

  it('keys drop at 2.36, 2.39 and 2.57', async () => {
    const keys = async (v: string) =>
      Object.keys((await t.http.get('/compute/v2.1/limits').set(mv(p.token, v))).body.limits.absolute);
    const k236 = await keys('2.36');
    expect(k236).not.toContain('maxSecurityGroups');
    expect(k236).not.toContain('totalFloatingIpsUsed');
    expect(k236).toContain('maxImageMeta');
    const k239 = await keys('2.39');
    expect(k239).not.toContain('maxImageMeta');
    expect(k239).toContain('maxPersonality');
    expect(await keys('2.57')).toEqual([
      'maxTotalInstances',
      'maxTotalCores',
      'maxTotalRAMSize',
      'maxServerMeta',
      'maxTotalKeypairs',
      'maxServerGroups',
      'maxServerGroupMembers',
      'totalRAMUsed',
      'totalCoresUsed',
      'totalInstancesUsed',
      'totalServerGroupsUsed',
    ]);
  });

  it('tenant_id: admin sees another project; a member gets 403; unknown params 400 from 2.75', async () => {
    const admin = await t.http.get(`/compute/v2.1/limits?tenant_id=${other.projectId}`).set(mv(t.adminToken, '2.57'));
    expect(admin.body.limits.absolute.totalInstancesUsed).toBe(1);
    const member = await t.http.get(`/compute/v2.1/limits?tenant_id=${other.projectId}`).set(mv(p.token));
    expect(member.status).toBe(403);
    expect(member.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:limits:other_project to be performed.",
    );
    const own = await t.http.get(`/compute/v2.1/limits?tenant_id=${p.projectId}`).set(mv(p.token));
    expect(own.status).toBe(200);
    expect((await t.http.get('/compute/v2.1/limits?foo=1').set(mv(p.token, '2.74'))).status).toBe(200);
    const strict = await t.http.get('/compute/v2.1/limits?foo=1').set(mv(p.token, '2.75'));
    expect(strict.status).toBe(400);
    expect(strict.body.badRequest.message).toBe("Additional properties are not allowed ('foo' was unexpected)");
  });
});

describe('os-quota-sets', () => {
  const url = (id: string, tail = '') => `/compute/v2.1/os-quota-sets/${id}${tail}`;

  it("show: id first, Nova's keys per microversion", async () => {
    const r1 = await t.http.get(url(p.projectId)).set(mv(p.token));
    expect(r1.status).toBe(200);
    expect(r1.body.quota_set).toEqual({
      id: p.projectId,
      cores: 20,
      fixed_ips: -1,
      floating_ips: -1,
      injected_file_content_bytes: 10240,
      injected_file_path_bytes: 255,
      injected_files: 5,
      instances: 10,
      key_pairs: 100,
      metadata_items: 128,
      ram: 51200,
      security_group_rules: -1,
      security_groups: -1,
      server_group_members: 10,
      server_groups: 10,
    });
    expect(Object.keys(r1.body.quota_set)[0]).toBe('id');
    const r36 = await t.http.get(url(p.projectId)).set(mv(p.token, '2.36'));
    expect(Object.keys(r36.body.quota_set)).not.toContain('floating_ips');
    expect(Object.keys(r36.body.quota_set)).toContain('injected_files');
    const r57 = await t.http.get(url(p.projectId)).set(mv(p.token, '2.57'));
    expect(Object.keys(r57.body.quota_set).sort()).toEqual([
      'cores',
      'id',
      'instances',
      'key_pairs',
      'metadata_items',
      'ram',
      'server_group_members',
      'server_groups',
    ]);
  });

  it('detail: limit, in_use and reserved per resource', async () => {
    const res = await t.http.get(url(p.projectId, '/detail')).set(mv(p.token, '2.57'));
    expect(res.status).toBe(200);
    expect(res.body.quota_set.instances).toEqual({ in_use: 3, limit: 10, reserved: 0 });
    expect(res.body.quota_set.cores).toEqual({ in_use: 7, limit: 20, reserved: 0 });
    expect(res.body.quota_set.ram).toEqual({ in_use: 3584, limit: 51200, reserved: 0 });
  });

  it('policy: a reader sees its own project; another project is 403; unknown project is 400', async () => {
    expect((await t.http.get(url(p.projectId)).set(mv(reader.token))).status).toBe(200);
    const denied = await t.http.get(url(other.projectId)).set(mv(p.token));
    expect(denied.status).toBe(403);
    expect(denied.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:os-quota-sets:show to be performed.",
    );
    const unknown = await t.http.get(url('no-such-project')).set(mv(t.adminToken));
    expect(unknown.status).toBe(400);
    expect(unknown.body.badRequest.message).toBe('Project ID no-such-project is not a valid project.');
    const put = await t.http
      .put(url(p.projectId))
      .set(mv(p.token))
      .send({ quota_set: { instances: 50 } });
    expect(put.status).toBe(403);
    expect(put.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:os-quota-sets:update to be performed.",
    );
  });

  it('admin update: answer without id; strings accepted; below usage refused unless forced', async () => {
    const res = await t.http
      .put(url(p.projectId))
      .set(mv(t.adminToken))
      .send({ quota_set: { instances: '5', cores: 12 } });
    expect(res.status).toBe(200);
    expect(res.body.quota_set.id).toBeUndefined();
    expect(res.body.quota_set).toMatchObject({ instances: 5, cores: 12, ram: 51200 });
    const lim = await t.http.get('/compute/v2.1/limits').set(mv(p.token, '2.57'));
    expect(lim.body.limits.absolute).toMatchObject({ maxTotalInstances: 5, maxTotalCores: 12 });
    const low = await t.http
      .put(url(p.projectId))
      .set(mv(t.adminToken))
      .send({ quota_set: { cores: 6 } });
    expect(low.status).toBe(400);
    expect(low.body.badRequest.message).toBe(
      'Quota limit 6 for cores must be greater than or equal to already used and reserved 7.',
    );
    const forced = await t.http
      .put(url(p.projectId))
      .set(mv(t.adminToken))
      .send({ quota_set: { cores: 6, force: 'True' } });
    expect(forced.status).toBe(200);
    expect(forced.body.quota_set.cores).toBe(6);
    // and the quota is enforced: a 1-vcpu server no longer fits
    const err = await t.services.db
      .transaction((trx) => t.services.quotas.assertCanCreate(trx, p.projectId, { instances: 1, cores: 1, ramMb: 64 }))
      .catch((e) => e);
    expect(err.message).toBe('Quota exceeded for cores: Requested 1, but already used 7 of 6 cores');
  });

  it('bad bodies are Nova-worded 400s; network keys refused from 2.36', async () => {
    const cases: [string | undefined, object, string][] = [
      [
        undefined,
        { quota_set: { instances: -2 } },
        'Invalid input for field/attribute instances. Value: -2. -2 is less than the minimum of -1',
      ],
      [
        undefined,
        { quota_set: { instances: 'lots' } },
        "Invalid input for field/attribute instances. Value: lots. 'lots' does not match '^-?[0-9]+$'",
      ],
      [
        undefined,
        { quota_set: { bogus: 1 } },
        "Invalid input for field/attribute quota_set. Value: {'bogus': 1}. Additional properties are not allowed ('bogus' was unexpected)",
      ],
      [
        '2.36',
        { quota_set: { floating_ips: 1 } },
        "Invalid input for field/attribute quota_set. Value: {'floating_ips': 1}. Additional properties are not allowed ('floating_ips' was unexpected)",
      ],
      [
        '2.57',
        { quota_set: { injected_files: 1 } },
        "Invalid input for field/attribute quota_set. Value: {'injected_files': 1}. Additional properties are not allowed ('injected_files' was unexpected)",
      ],
    ];
    for (const [v, body, message] of cases) {
      const res = await t.http.put(url(p.projectId)).set(mv(t.adminToken, v)).send(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.badRequest.message).toBe(message);
    }
  });

  it('per-user quotas (?user_id=): a user falls back to the project limit until given one; the answer has no id', async () => {
    await t.http.delete(url(p.projectId)).set(mv(t.adminToken)).expect(202);
    const put = await t.http
      .put(`${url(p.projectId)}?user_id=${p.userId}`)
      .set(mv(t.adminToken, '2.57'))
      .send({ quota_set: { instances: 2, cores: 4 } });
    expect(put.status).toBe(200);
    expect(put.body.quota_set).toMatchObject({ instances: 2, cores: 4, ram: 51200, key_pairs: 100 });
    expect(put.body.quota_set.id).toBeUndefined();
    const mine = await t.http.get(`${url(p.projectId)}?user_id=${p.userId}`).set(mv(p.token, '2.57'));
    expect(mine.status).toBe(200);
    expect(mine.body.quota_set).toMatchObject({ id: p.projectId, instances: 2, cores: 4, ram: 51200 });
    // the project's own limits are untouched, and so is another user's view of them
    expect((await t.http.get(url(p.projectId)).set(mv(p.token, '2.57'))).body.quota_set).toMatchObject({
      instances: 10,
      cores: 20,
    });
    expect(
      (await t.http.get(`${url(p.projectId)}?user_id=u`).set(mv(reader.token, '2.57'))).body.quota_set,
    ).toMatchObject({ instances: 10, cores: 20 });
    // the first of repeated user_id values counts, as in Nova (parse_qs()[0])
    expect(
      (await t.http.get(`${url(p.projectId)}?user_id=${p.userId}&user_id=u`).set(mv(p.token, '2.57'))).body.quota_set
        .instances,
    ).toBe(2);
  });

  it("per-user detail counts the user's own servers only", async () => {
    const owner = await t.http.get(`${url(p.projectId, '/detail')}?user_id=u`).set(mv(p.token, '2.57'));
    expect(owner.status).toBe(200);
    expect(owner.body.quota_set).toMatchObject({
      instances: { in_use: 3, limit: 10, reserved: 0 },
      cores: { in_use: 7, limit: 20, reserved: 0 },
      ram: { in_use: 3584, limit: 51200, reserved: 0 },
    });
    const idle = await t.http.get(`${url(p.projectId, '/detail')}?user_id=${p.userId}`).set(mv(p.token, '2.57'));
    expect(idle.body.quota_set).toMatchObject({
      instances: { in_use: 0, limit: 2, reserved: 0 },
      cores: { in_use: 0, limit: 4, reserved: 0 },
    });
  });

  it("Nova's settable range: a user limit at most the project limit less the other users' limits, at least the user's usage; force skips both", async () => {
    const putUser = (user: string, quota_set: object) =>
      t.http
        .put(`${url(p.projectId)}?user_id=${user}`)
        .set(mv(t.adminToken, '2.57'))
        .send({ quota_set });
    const tooHigh = await putUser(p.userId, { instances: 11 });
    expect(tooHigh.status).toBe(400);
    expect(tooHigh.body.badRequest.message).toBe('Quota limit 11 for instances must be less than or equal to 10.');
    expect((await putUser(p.userId, { instances: -1 })).body.badRequest.message).toBe(
      'Quota limit -1 for instances must be less than or equal to 10.',
    );
    expect((await putUser(p.userId, { instances: 6 })).status).toBe(200);
    // 'u' runs 3 servers; 10 - 6 (p's user limit) leaves 4
    expect((await putUser('u', { instances: 5 })).body.badRequest.message).toBe(
      'Quota limit 5 for instances must be less than or equal to 4.',
    );
    expect((await putUser('u', { instances: 2 })).body.badRequest.message).toBe(
      'Quota limit 2 for instances must be greater than or equal to already used and reserved 3.',
    );
    // nothing of a refused body is written
    const mixed = await putUser('u', { cores: 8, instances: 5 });
    expect(mixed.status).toBe(400);
    expect((await t.http.get(`${url(p.projectId)}?user_id=u`).set(mv(p.token, '2.57'))).body.quota_set.cores).toBe(20);
    const forced = await putUser('u', { instances: 5, force: true });
    expect(forced.status).toBe(200);
    expect(forced.body.quota_set.instances).toBe(5);
    // the project limit may not go below the sum of its users' limits (6 + 5)
    const below = await t.http
      .put(url(p.projectId))
      .set(mv(t.adminToken, '2.57'))
      .send({ quota_set: { instances: 9 } });
    expect(below.status).toBe(400);
    expect(below.body.badRequest.message).toBe(
      'Quota limit 9 for instances must be greater than or equal to already used and reserved 11.',
    );
    expect(
      (
        await t.http
          .put(url(p.projectId))
          .set(mv(t.adminToken, '2.57'))
          .send({ quota_set: { instances: 11 } })
      ).status,
    ).toBe(200);
  });

  it("per-user quotas are admin-only to change; DELETE ?user_id= drops one user's limits, DELETE of the project drops them all", async () => {
    const denied = await t.http
      .put(`${url(p.projectId)}?user_id=${p.userId}`)
      .set(mv(p.token))
      .send({ quota_set: { instances: 1 } });
    expect(denied.status).toBe(403);
    expect((await t.http.delete(`${url(p.projectId)}?user_id=${p.userId}`).set(mv(p.token))).status).toBe(403);
    const del = await t.http.delete(`${url(p.projectId)}?user_id=${p.userId}`).set(mv(t.adminToken));
    expect(del.status).toBe(202);
    expect(
      (await t.http.get(`${url(p.projectId)}?user_id=${p.userId}`).set(mv(p.token, '2.57'))).body.quota_set.instances,
    ).toBe(11);
    expect((await t.http.get(`${url(p.projectId)}?user_id=u`).set(mv(p.token, '2.57'))).body.quota_set.instances).toBe(
      5,
    );
    await t.http.delete(url(p.projectId)).set(mv(t.adminToken)).expect(202);
    expect((await t.http.get(`${url(p.projectId)}?user_id=u`).set(mv(p.token, '2.57'))).body.quota_set.instances).toBe(
      10,
    );
    const long = await t.http.get(`${url(p.projectId)}?user_id=${'x'.repeat(256)}`).set(mv(p.token));
    expect(long.status).toBe(400);
  });

  it("a user's key_pairs limit applies to that user only", async () => {
    await t.http
      .put(`${url(p.projectId)}?user_id=${p.userId}`)
      .set(mv(t.adminToken))
      .send({ quota_set: { key_pairs: 1 } })
      .expect(200);
    const kp = (token: string, name: string) =>
      t.http.post('/compute/v2.1/os-keypairs').set(mv(token)).send({ keypair: { name } });
    expect((await kp(p.token, 'uq-1')).status).toBe(200);
    const refused = await kp(p.token, 'uq-2');
    expect(refused.status).toBe(403);
    expect(refused.body.forbidden.message).toBe('Quota exceeded, too many key pairs.');
    await t.http
      .delete(`${url(p.projectId)}?user_id=${p.userId}`)
      .set(mv(t.adminToken))
      .expect(202);
    expect((await kp(p.token, 'uq-2')).status).toBe(200);
  });

  it("defaults and delete (202) back to them; quota class default changes every project's defaults", async () => {
    const del = await t.http.delete(url(p.projectId)).set(mv(t.adminToken));
    expect(del.status).toBe(202);
    const after = await t.http.get(url(p.projectId)).set(mv(p.token, '2.57'));
    expect(after.body.quota_set).toMatchObject({ instances: 10, cores: 20 });
    const cls = await t.http
      .put('/compute/v2.1/os-quota-class-sets/default')
      .set(mv(t.adminToken, '2.57'))
      .send({ quota_class_set: { instances: 7 } });
    expect(cls.status).toBe(200);
    expect(cls.body.quota_class_set.instances).toBe(7);
    const defaults = await t.http.get(url(other.projectId, '/defaults')).set(mv(other.token, '2.57'));
    expect(defaults.body.quota_set).toMatchObject({ id: other.projectId, instances: 7, cores: 20 });
    const show = await t.http.get('/compute/v2.1/os-quota-class-sets/default').set(mv(other.token, '2.1'));
    expect(show.body.quota_class_set).toMatchObject({ id: 'default', instances: 7, floating_ips: -1 });
    expect(show.body.quota_class_set.server_groups).toBeUndefined();
    await t.http
      .put('/compute/v2.1/os-quota-class-sets/default')
      .set(mv(t.adminToken, '2.57'))
      .send({ quota_class_set: { instances: 10 } });
  });
});
