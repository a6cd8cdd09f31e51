// The `provider` extension as ML2 with the `local` type answers it (what Horizon's admin Create Network
// form sends: `provider:network_type` only): admins may name `local`, other types, a physical network
// or a segmentation id get ML2's messages, the attributes are admin-only by policy, admins see them,
// and list filters match every caller's networks by their segment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';

const V2 = '/networking/v2.0';
let t: TestApp;
let member: { projectId: string; token: string };

beforeAll(async () => {
  t = await makeTestApp();
  member = await makeProjectUser(t, 'provider-member', 'member');
}, 60_000);
afterAll(async () => {
  await t?.close();
});

const send = (method: 'get' | 'post' | 'put', token: string, p: string, body?: object) => {
  const r = t.http[method](`${V2}${p}`).set('X-Auth-Token', token);
  return body ? r.send(body) : r;
};
const err = (message: string, type = 'InvalidInput') => ({ NeutronError: { type, message, detail: '' } });

describe('provider extension', () => {
  it('is listed, with Neutron name and description', async () => {
    const r = await send('get', member.token, '/extensions/provider').expect(200);
    expect(r.body.extension).toEqual({
      name: 'Provider Network',
      alias: 'provider',
      description: 'Expose mapping of virtual networks to physical networks',
      updated: '2012-09-07T10:00:00-00:00',
      links: [],
    });
  });

  it('creates a local network for an admin (Horizon admin form body) and shows the segment to admins only', async () => {
    const r = await send('post', t.adminToken, '/networks', {
      network: {
        name: 'prov-local',
        tenant_id: member.projectId,
        admin_state_up: true,
        shared: false,
        'router:external': false,
        'provider:network_type': 'local',
      },
    }).expect(201);
    expect(r.body.network).toMatchObject({
      name: 'prov-local',
      project_id: member.projectId,
      'provider:network_type': 'local',
      'provider:physical_network': null,
      'provider:segmentation_id': null,
    });
    const mine = await send('get', member.token, `/networks/${r.body.network.id}`).expect(200);
    expect(mine.body.network).not.toHaveProperty('provider:network_type');
  });

  it("refuses other types, a physical network and a segmentation id with ML2's messages", async () => {
    const post = (extra: object) => send('post', t.adminToken, '/networks', { network: { name: 'x', ...extra } });
    expect((await post({ 'provider:network_type': 'vlan' }).expect(400)).body).toEqual(
      err("Invalid input for operation: network_type value 'vlan' not supported."),
    );
    expect(
      (await post({ 'provider:network_type': 'local', 'provider:physical_network': 'physnet1' }).expect(400)).body,
    ).toEqual(err('Invalid input for operation: physical_network prohibited for local provider network.'));
    expect((await post({ 'provider:network_type': 'local', 'provider:segmentation_id': 7 }).expect(400)).body).toEqual(
      err('Invalid input for operation: segmentation_id prohibited for local provider network.'),
    );
    expect((await post({ 'provider:segmentation_id': 7 }).expect(400)).body).toEqual(
      err('Invalid input for operation: network_type required.'),
    );
    expect((await post({ 'provider:segmentation_id': 'seven' }).expect(400)).body).toEqual(
      err("Invalid input for operation: 'seven' is not an integer."),
    );
    const names = (await send('get', t.adminToken, '/networks?name=x').expect(200)).body.networks;
    expect(names).toEqual([]);
  });

  it('is admin-only by policy', async () => {
    const r = await send('post', member.token, '/networks', {
      network: { name: 'y', 'provider:network_type': 'local' },
    }).expect(403);
    expect(r.body).toEqual(
      err(
        '(rule:create_network and rule:create_network:provider:network_type) is disallowed by policy',
        'PolicyNotAuthorized',
      ),
    );
    const own = (await send('post', member.token, '/networks', { network: { name: 'z' } }).expect(201)).body.network;
    const u = await send('put', member.token, `/networks/${own.id}`, {
      network: { 'provider:physical_network': 'p' },
    }).expect(403);
    expect(u.body.NeutronError.message).toBe(
      '(rule:update_network and rule:update_network:provider:physical_network) is disallowed by policy',
    );
  });

  it('accepts the same values on update and refuses changes, as ML2', async () => {
    const id = (await send('get', t.adminToken, '/networks?name=prov-local').expect(200)).body.networks[0].id;
    const same = await send('put', t.adminToken, `/networks/${id}`, {
      network: { name: 'prov-local2', 'provider:network_type': 'local' },
    }).expect(200);
    expect(same.body.network).toMatchObject({ name: 'prov-local2', 'provider:network_type': 'local' });
    expect(
      (
        await send('put', t.adminToken, `/networks/${id}`, {
          network: { 'provider:network_type': 'flat' },
        }).expect(400)
      ).body,
    ).toEqual(
      err(
        'Invalid input for operation: Plugin does not support updating the following provider network attributes: provider:network_type, provider:physical_network.',
      ),
    );
    expect(
      (await send('put', t.adminToken, `/networks/${id}`, { network: { 'provider:segmentation_id': 4 } }).expect(400))
        .body,
    ).toEqual(err('Invalid input for operation: Only VLAN type networks can be updated..'));
  });

  it('filters by segment for every caller', async () => {
    for (const token of [t.adminToken, member.token]) {
      const all = (await send('get', token, '/networks').expect(200)).body.networks.map((n: { id: string }) => n.id);
      const local = (await send('get', token, '/networks?provider:network_type=local').expect(200)).body.networks;
      expect(local.map((n: { id: string }) => n.id).sort()).toEqual([...all].sort());
      expect(all.length).toBeGreaterThan(1);
      expect((await send('get', token, '/networks?provider:network_type=vlan').expect(200)).body.networks).toEqual([]);
      expect(
        (await send('get', token, '/networks?provider:physical_network=physnet1').expect(200)).body.networks,
      ).toEqual([]);
    }
  });
});
