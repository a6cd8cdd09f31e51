// The actions Nova knows and novadock cannot carry out, on the fake driver: rescue, unrescue,
// evacuate, injectNetworkInfo, resetNetwork, add/removeFixedIp; and the refusals of
// add/removeSecurityGroup and add/removeFloatingIp (their work: test/api/nova-network-*). Each answers as a real Nova deployment would in novadock's situation (code
// and wording), checks policy, lock and state first, leaves the server as it was and records no
// instance action; the ip actions are gone (404) from 2.44.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';
import type { ImageRow } from '../../src/db/repositories/images-repo.js';
import { sql } from '../../src/db/sql.js';

let t: TestApp;
let image: ImageRow;
let member: { token: string; projectId: string };
const S = '/compute/v2.1/servers';

beforeAll(async () => {
  t = await makeTestApp();
  image = await seedImage(t.services);
  await unlimitedQuota(t.services);
  member = await makeProjectUser(t, 'unsupported-actions');
  await unlimitedQuota(t.services, 'unsupported-actions');
});
afterAll(async () => {
  await t.close();
});

const as = (token: string, version = '2.1') => ({
  post: (url: string, body: unknown) =>
    t.http
      .post(url)
      .set('X-Auth-Token', token)
      .set('OpenStack-API-Version', `compute ${version}`)
      .send(body as object),
  get: (url: string) => t.http.get(url).set('X-Auth-Token', token).set('OpenStack-API-Version', `compute ${version}`),
});
async function boot(networks: 'none' | 'auto' = 'none', token = member.token): Promise<string> {
  const res = await as(token, '2.79').post(S, { server: { name: 'vm', imageRef: image.id, flavorRef: '1', networks } });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  await t.services.worker.drain();
  return res.body.server.id;
}
async function act(id: string, body: unknown, token = t.adminToken, v = '2.1') {
  const res = await as(token, v).post(`${S}/${id}/action`, body);
  await t.services.worker.drain();
  return res;
}
const show = async (id: string) => (await as(t.adminToken, '2.79').get(`${S}/${id}`)).body.server;

/** what must not move: states, power, host, addresses, and the instance-action log */
async function snapshot(id: string) {
  const s = await show(id);
  const actions = await t.services.instanceActionsRepo.listFor(id);
  return {
    status: s.status,
    task: s['OS-EXT-STS:task_state'],
    power: s['OS-EXT-STS:power_state'],
    host: s['OS-EXT-SRV-ATTR:host'],
    addresses: s.addresses,
    groups: s.security_groups,
    actions: actions.length,
    calls: t.fake.calls.filter((c) => c.endsWith(id)).length,
  };
}
async function expectUntouched(id: string, run: () => Promise<void>) {
  const before = await snapshot(id);
  await run();
  expect(await snapshot(id)).toEqual(before);
}

describe('rescue / unrescue', () => {
  it('rescue: member may; lock and state first; then 400 InstanceNotRescuable; server untouched, no action recorded', async () => {
    const id = await boot();
    await expectUntouched(id, async () => {
      const res = await act(id, { rescue: null }, member.token);
      expect(res.status).toBe(400);
      expect(res.body.badRequest.message).toBe(
        `Instance ${id} cannot be rescued: Driver Error: the Docker driver does not support rescue`,
      );
      const withBody = await act(id, { rescue: { adminPass: 'x', rescue_image_ref: image.id } }, member.token);
      expect(withBody.body.badRequest.message).toMatch(/cannot be rescued/);
    });
    const unknownImage = await act(
      id,
      { rescue: { rescue_image_ref: '8d1e0f8e-4c2b-4d5e-9f1a-0b2c3d4e5f60' } },
      member.token,
    );
    expect(unknownImage.status).toBe(400);
    expect(unknownImage.body.badRequest.message).toBe(
      "Requested rescue image '8d1e0f8e-4c2b-4d5e-9f1a-0b2c3d4e5f60' is not supported",
    );
    const badRef = await act(id, { rescue: { rescue_image_ref: 'nope' } }, member.token);
    expect(badRef.status).toBe(400);
    expect(badRef.body.badRequest.message).toBe(
      "Invalid input for field/attribute rescue_image_ref. Value: nope. 'nope' is not a 'uuid'",
    );
    const extra = await act(id, { rescue: { foo: 1 } }, member.token);
    expect(extra.status).toBe(400);
    expect(extra.body.badRequest.message).toMatch(/Additional properties are not allowed \('foo' was unexpected\)/);

    // lock (a member's locked server) and state (paused is not rescuable) come first: 409
    expect((await act(id, { lock: null }, member.token)).status).toBe(202);
    const locked = await act(id, { rescue: null }, member.token);
    expect(locked.status).toBe(409);
    expect(locked.body.conflictingRequest.message).toMatch(/locked/);
    expect((await act(id, { unlock: null }, member.token)).status).toBe(202);
    expect((await act(id, { pause: null }, member.token)).status).toBe(202);
    const paused = await act(id, { rescue: null }, member.token);
    expect(paused.status).toBe(409);
    expect(paused.body.conflictingRequest.message).toBe(
      `Cannot 'rescue' instance ${id} while it is in vm_state paused`,
    );
  });

  it('a reader of the project may not rescue, nor add a group (403)', async () => {
    const id = await boot('auto');
    const reader = await makeProjectUser(t, 'unsupported-actions', 'reader');
    const rescue = await act(id, { rescue: null }, reader.token);
    expect([rescue.status, rescue.body.forbidden?.message]).toEqual([
      403,
      "Policy doesn't allow os_compute_api:os-rescue to be performed.",
    ]);
    const group = await act(id, { addSecurityGroup: { name: 'default' } }, reader.token);
    expect([group.status, group.body.forbidden?.message]).toEqual([
      403,
      "Policy doesn't allow os_compute_api:os-security-groups:add to be performed.",
    ]);
  });

  it("unrescue: only a rescued server can be unrescued, and none is: 409 with Nova's wording", async () => {
    const id = await boot();
    await expectUntouched(id, async () => {
      const res = await act(id, { unrescue: null }, member.token);
      expect(res.status).toBe(409);
      expect(res.body.conflictingRequest.message).toBe(
        `Cannot 'unrescue' instance ${id} while it is in vm_state active`,
      );
    });
  });
});

describe('evacuate (admin)', () => {
  it('403 for a member; unknown target host 404; the same host 400; a live source host 400 ComputeServiceInUse', async () => {
    const id = await boot();
    const denied = await act(id, { evacuate: {} }, member.token, '2.14');
    expect(denied.status).toBe(403);
    expect(denied.body.forbidden.message).toBe("Policy doesn't allow os_compute_api:os-evacuate to be performed.");
    const host = (await show(id))['OS-EXT-SRV-ATTR:host'] as string;
    await expectUntouched(id, async () => {
      const unknown = await act(id, { evacuate: { host: 'nowhere' } }, t.adminToken, '2.14');
      expect([unknown.status, unknown.body.itemNotFound?.message]).toEqual([404, 'Compute host nowhere not found.']);
      const same = await act(id, { evacuate: { host } }, t.adminToken, '2.14');
      expect([same.status, same.body.badRequest?.message]).toEqual([400, "The target host can't be the same one."]);
      const inUse = await act(id, { evacuate: {} }, t.adminToken, '2.14');
      expect([inUse.status, inUse.body.badRequest?.message]).toEqual([
        400,
        `Compute service of ${host} is still in use.`,
      ]);
    });
  });

  it('a down source host: the scheduler finds no host a container could be rebuilt on (400), nothing moves', async () => {
    const id = await boot();
    const hostRow = await sql(t.services.db)('compute_hosts').whereNotNull('id').first();
    await sql(t.services.db)('compute_hosts').where({ id: hostRow.id }).update({ forced_down: true });
    try {
      await expectUntouched(id, async () => {
        const res = await act(id, { evacuate: { host: null } }, t.adminToken, '2.1');
        // 2.1 requires onSharedStorage
        expect(res.status).toBe(400);
        expect(res.body.badRequest.message).toBe(
          "Invalid input for field/attribute evacuate. Value: {'host': None}. 'onSharedStorage' is a required property",
        );
        const down = await act(id, { evacuate: { onSharedStorage: false } }, t.adminToken, '2.1');
        expect(down.status).toBe(400);
        expect(down.body.badRequest.message).toMatch(/^No valid host was found\. /);
      });
    } finally {
      await sql(t.services.db)('compute_hosts').where({ id: hostRow.id }).update({ forced_down: false });
    }
  });

  it('body rules by microversion: adminPass on shared storage (< 2.14), force without host (2.29), force gone at 2.68', async () => {
    const id = await boot();
    const shared = await act(id, { evacuate: { onSharedStorage: 'True', adminPass: 'p' } }, t.adminToken, '2.13');
    expect([shared.status, shared.body.badRequest?.message]).toEqual([
      400,
      "admin password can't be changed on existing disk",
    ]);
    const force = await act(id, { evacuate: { force: true } }, t.adminToken, '2.29');
    expect([force.status, force.body.badRequest?.message]).toEqual([400, "Can't force to a non-provided destination"]);
    const gone = await act(id, { evacuate: { force: true } }, t.adminToken, '2.68');
    expect(gone.status).toBe(400);
    expect(gone.body.badRequest.message).toMatch(/Additional properties are not allowed \('force' was unexpected\)/);
  });
});

describe('addSecurityGroup / removeSecurityGroup', () => {
  it('default on a networked server: add keeps one copy (202); remove takes it off every port; unknown 404', async () => {
    const id = await boot('auto');
    const groups = async () => (await show(id)).security_groups;
    expect(await groups()).toEqual([{ name: 'default' }]);
    expect((await act(id, { addSecurityGroup: { name: 'default' } }, member.token)).status).toBe(202);
    // Neutron finds a group by name or id
    const groupId = (await as(member.token).get(`${S}/${id}/os-security-groups`)).body.security_groups[0].id as string;
    expect((await act(id, { addSecurityGroup: { name: groupId } }, member.token)).status).toBe(202);
    expect(await groups()).toEqual([{ name: 'default' }]);
    expect((await act(id, { removeSecurityGroup: { name: 'default' } }, member.token)).status).toBe(202);
    expect(await groups()).toBeUndefined();
    const again = await act(id, { removeSecurityGroup: { name: 'default' } }, member.token);
    expect([again.status, again.body.itemNotFound?.message]).toEqual([
      404,
      `Security group default not associated with the instance ${id}`,
    ]);
    expect((await act(id, { addSecurityGroup: { name: 'default' } }, member.token)).status).toBe(202);
    expect(await groups()).toEqual([{ name: 'default' }]);
    const unknown = await act(id, { addSecurityGroup: { name: 'web' } }, member.token);
    expect(unknown.status).toBe(404);
    expect(unknown.body.itemNotFound.message).toBe(`Security group web is not found for project ${member.projectId}`);
    const unknownRemove = await act(id, { removeSecurityGroup: { name: 'web' } }, member.token);
    expect(unknownRemove.status).toBe(404);
  });

  it('a server without a network has no port (404); empty and missing names are 400', async () => {
    const id = await boot('none');
    await expectUntouched(id, async () => {
      const noPort = await act(id, { addSecurityGroup: { name: 'default' } }, member.token);
      expect(noPort.status).toBe(404);
      expect(noPort.body.itemNotFound.message).toBe(`instance_id ${id} could not be found as device id on any ports`);
      const blank = await act(id, { addSecurityGroup: { name: '  ' } }, member.token);
      expect([blank.status, blank.body.badRequest?.message]).toEqual([400, 'Security group name cannot be empty']);
      const missing = await act(id, { removeSecurityGroup: {} }, member.token);
      expect([missing.status, missing.body.badRequest?.message]).toEqual([
        400,
        "Invalid input for field/attribute removeSecurityGroup. Value: {}. 'name' is a required property",
      ]);
    });
  });
});

describe('injectNetworkInfo / resetNetwork', () => {
  it('injectNetworkInfo: admin only, a 202 no-op (the driver has nothing to inject), nothing recorded', async () => {
    const id = await boot('auto');
    const denied = await act(id, { injectNetworkInfo: null }, member.token);
    expect(denied.status).toBe(403);
    expect(denied.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:os-admin-actions:inject_network_info to be performed.",
    );
    await expectUntouched(id, async () => {
      const res = await act(id, { injectNetworkInfo: null });
      expect(res.status).toBe(202);
      expect(res.text).toBe('');
    });
  });

  it('resetNetwork: removed from Nova (410 Gone) at every microversion', async () => {
    const id = await boot();
    await expectUntouched(id, async () => {
      for (const v of ['2.1', '2.79']) {
        const res = await act(id, { resetNetwork: null }, t.adminToken, v);
        expect(res.status).toBe(410);
        expect(JSON.stringify(res.body)).toMatch(/This resource is no longer available/);
      }
    });
  });
});

describe('addFixedIp / removeFixedIp / addFloatingIp / removeFloatingIp (up to 2.43)', () => {
  it('fixed IPs: no second address on a network (400); an address the server lacks (400); its own one cannot go (400)', async () => {
    const id = await boot('auto');
    const addr = ((await show(id)).addresses.private as { addr: string }[])[0].addr;
    await expectUntouched(id, async () => {
      const add = await act(id, { addFixedIp: { networkId: 'private' } }, member.token);
      expect([add.status, add.body.badRequest?.message]).toEqual([
        400,
        'No fixed IP addresses available for network: private',
      ]);
      const lacks = await act(id, { removeFixedIp: { address: '10.9.9.9' } }, member.token);
      expect([lacks.status, lacks.body.badRequest?.message]).toEqual([
        400,
        `Instance ${id} does not have fixed IP '10.9.9.9'.`,
      ]);
      const own = await act(id, { removeFixedIp: { address: addr } }, member.token);
      expect(own.status).toBe(400);
      expect(own.body.badRequest.message).toBe(
        `Instance ${id} cannot remove fixed IP '${addr}': it is the container's only address on network private`,
      );
      const badIp = await act(id, { removeFixedIp: { address: 'x' } }, member.token);
      expect(badIp.status).toBe(400);
      expect(badIp.body.badRequest.message).toMatch(/^Invalid input for field\/attribute address\. Value: x\./);
    });
  });

  it('floating IPs: there are none (404); a server without a network is "not ready" (400)', async () => {
    const id = await boot('auto');
    const bare = await boot('none');
    await expectUntouched(id, async () => {
      const add = await act(id, { addFloatingIp: { address: '172.24.4.10' } }, member.token);
      expect([add.status, add.body.itemNotFound?.message]).toEqual([404, 'floating IP not found']);
      const wrongFixed = await act(
        id,
        { addFloatingIp: { address: '172.24.4.10', fixed_address: '10.9.9.9' } },
        member.token,
      );
      expect([wrongFixed.status, wrongFixed.body.badRequest?.message]).toEqual([
        400,
        'Specified fixed address not assigned to instance',
      ]);
      const remove = await act(id, { removeFloatingIp: { address: '172.24.4.10' } }, member.token);
      expect([remove.status, remove.body.itemNotFound?.message]).toEqual([
        404,
        'Floating IP not found for address 172.24.4.10.',
      ]);
    });
    const notReady = await act(bare, { addFloatingIp: { address: '172.24.4.10' } }, member.token);
    expect([notReady.status, notReady.body.badRequest?.message]).toEqual([400, 'Instance network is not ready yet']);
  });

  it('from 2.44 they do not exist: 404 before any validation', async () => {
    const id = await boot('auto');
    for (const body of [
      { addFixedIp: { networkId: 'private' } },
      { removeFixedIp: { address: '10.0.0.1' } },
      { addFloatingIp: { address: '172.24.4.10' } },
      { removeFloatingIp: {} },
    ]) {
      const res = await act(id, body, member.token, '2.44');
      expect(res.status, JSON.stringify(body)).toBe(404);
      expect(res.body.itemNotFound.message).toBe('The resource could not be found.');
      // below 2.44 the action exists: a refusal of its own, never the version 404
      const below = await act(id, body, member.token, '2.43');
      expect(below.status).toBeGreaterThanOrEqual(400);
      expect(below.body.itemNotFound?.message).not.toBe('The resource could not be found.');
    }
  });

  it('a locked server refuses the fixed-IP actions to its member (409)', async () => {
    const id = await boot('auto');
    expect((await act(id, { lock: null }, member.token)).status).toBe(202);
    const res = await act(id, { addFixedIp: { networkId: 'private' } }, member.token);
    expect(res.status).toBe(409);
  });
});
