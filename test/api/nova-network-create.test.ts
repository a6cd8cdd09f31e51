// Nova's side of the network service at server create (fake driver, SQLite): `networks` as
// uuid / port / fixed_ip / tag, `auto` and `none`; Nova's API-time errors in Nova's order and
// wording; the build's ports (device_id, device_owner compute:<zone>, binding:host_id, security
// groups), the container's interfaces, and `addresses` / /ips rendered from the ports.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { boot, client, makeNetwork, portsOf, show, S, setup, type NetClient } from '../helpers/nova-network.js';
import { PRIVATE_NETWORK_ID } from '../../src/compute/servers/networks.js';
import { dockerNetworkName } from '../../src/network/dataplane.js';
import type { ImageRow } from '../../src/db/repositories/images-repo.js';

let t: TestApp;
let image: ImageRow;
let alice: NetClient; // owns networks of her own
let bob: NetClient; // has none: `auto` is the shared private network
let net: { id: string; subnetId: string; name: string };

beforeAll(async () => {
  t = await makeTestApp();
  alice = client(t, await makeProjectUser(t, 'nn-alice'));
  bob = client(t, await makeProjectUser(t, 'nn-bob'));
  image = await setup(t, 'nn-alice');
  await setup(t, 'nn-bob');
  net = await makeNetwork(alice, '198.18.16.0/28');
}, 60_000);
afterAll(async () => t?.close());

const bad = (res: { status: number; body: Record<string, any> }, status: number, message: string) => {
  const key = { 400: 'badRequest', 403: 'forbidden', 409: 'conflictingRequest', 404: 'itemNotFound' }[status]!;
  expect([res.status, res.body[key]?.message], JSON.stringify(res.body)).toEqual([status, message]);
};

describe('networks at create', () => {
  it('none given (2.1): a port on the shared private network, ACTIVE, bound, shown in addresses and /ips', async () => {
    const { id, status } = await boot(t, bob, image.id, {}, '2.1');
    expect(status).toBe(202);
    const s = await show(bob, id);
    expect(s.status).toBe('ACTIVE');
    const [port] = await portsOf(bob, id);
    expect(port).toMatchObject({
      network_id: PRIVATE_NETWORK_ID,
      device_id: id,
      device_owner: 'compute:nova',
      status: 'ACTIVE',
      project_id: bob.projectId,
    });
    const ip = port.fixed_ips[0].ip_address as string;
    expect(s.addresses).toEqual({
      private: [{ version: 4, addr: ip, 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': port.mac_address }],
    });
    expect((await bob.nova('get', `${S}/${id}/ips`)).body).toEqual({
      addresses: { private: [{ version: 4, addr: ip }] },
    });
    expect(s.security_groups).toEqual([{ name: 'default' }]);
    // the container has exactly that interface, with that address and MAC
    const c = t.fake.containers.get(id)!;
    expect(c.spec.interfaces).toEqual([{ network: dockerNetworkName(PRIVATE_NETWORK_ID), ipv4: ip }]);
    expect(t.fake.nets.endpointsOf(id)).toEqual([
      { network: dockerNetworkName(PRIVATE_NETWORK_ID), ipv4: ip, mac: port.mac_address },
    ]);
    // binding:host_id is the compute host (admins see it)
    const admin = client(t, { token: t.adminToken, projectId: '' });
    const host = (await show(admin, id))['OS-EXT-SRV-ATTR:host'];
    expect(host).toEqual(expect.any(String));
    expect((await admin.get(`/ports/${port.id}`)).body.port['binding:host_id']).toBe(host);
  });

  it("auto: the project's own network when it has one; none: no port, no interface", async () => {
    const { id } = await boot(t, alice, image.id, { networks: 'auto' });
    expect((await portsOf(alice, id)).map((p) => p.network_id)).toEqual([net.id]);
    expect(Object.keys((await show(alice, id)).addresses)).toEqual([net.name]);
    const none = await boot(t, alice, image.id, { networks: 'none' });
    expect(await portsOf(alice, none.id)).toEqual([]);
    expect((await show(alice, none.id)).addresses).toEqual({});
    expect(t.fake.containers.get(none.id)!.spec.interfaces).toEqual([]);
  });

  it('a list: networks by uuid, a fixed IP, a port the user made, in the order given, with tags', async () => {
    const other = await makeNetwork(alice, '198.18.16.32/28');
    const port = (await alice.post('/ports', { port: { network_id: net.id, name: 'mine' } })).body.port;
    const { id, status, body } = await boot(t, alice, image.id, {
      networks: [
        { uuid: other.id, fixed_ip: '198.18.16.44', tag: 'first' },
        { port: port.id, tag: 'second' },
      ],
    });
    expect(status, JSON.stringify(body)).toBe(202);
    expect((await show(alice, id)).status).toBe('ACTIVE');
    const ports = await portsOf(alice, id);
    expect(ports.map((p) => p.id)).toContain(port.id);
    const mine = ports.find((p) => p.id === port.id)!;
    expect(mine).toMatchObject({ device_owner: 'compute:nova', status: 'ACTIVE', name: 'mine' });
    const addrs = (await show(alice, id)).addresses;
    expect(Object.keys(addrs)).toEqual([other.name, net.name]);
    expect(addrs[other.name][0].addr).toBe('198.18.16.44');
    const c = t.fake.containers.get(id)!;
    expect(c.spec.interfaces.map((i) => i.network)).toEqual([dockerNetworkName(other.id), dockerNetworkName(net.id)]);
    // a fixed IP on a shared network the user does not own: Neutron's policy refuses Nova's port (the build fails)
    const shared = await boot(t, alice, image.id, {
      networks: [{ uuid: PRIVATE_NETWORK_ID, fixed_ip: '198.18.248.77' }],
    });
    const failed = await show(alice, shared.id);
    expect(failed.status).toBe('ERROR');
    expect(failed.fault.message).toMatch(/create_port:fixed_ips:ip_address/);
    expect(await portsOf(alice, shared.id)).toEqual([]);
    const rows = await t.services.interfacesRepo.list(id);
    expect(rows.map((r) => [r.port_id === port.id, r.position, r.preserve_on_delete, r.tag])).toEqual([
      [false, 0, false, 'first'],
      [true, 1, true, 'second'],
    ]);
  });

  it('security_groups: the named groups go on the ports Nova makes; server show lists them', async () => {
    const g = (await alice.post('/security-groups', { security_group: { name: 'web' } })).body.security_group;
    const { id } = await boot(t, alice, image.id, {
      networks: [{ uuid: net.id }],
      security_groups: [{ name: 'web' }, { name: 'default' }],
    });
    const [port] = await portsOf(alice, id);
    expect(port.security_groups).toHaveLength(2);
    expect(port.security_groups).toContain(g.id);
    expect((await show(alice, id)).security_groups).toEqual([{ name: 'default' }, { name: 'web' }]);
    const unknown = await boot(t, alice, image.id, { networks: 'auto', security_groups: [{ name: 'nope' }] });
    bad(unknown, 400, "Unable to find security_group with name or id 'nope'");
  });
});

describe("Nova's API-time errors", () => {
  it('the list itself: bad uuid, a port twice, a port with a fixed IP, several servers with a port or fixed IP', async () => {
    bad(
      await boot(t, alice, image.id, { networks: [{ uuid: 'private' }] }),
      400,
      'Bad networks format: network uuid is not in proper format (private)',
    );
    const p = '8d9a3c56-1f49-4d1e-9c1b-3c7a2b7e0a11';
    bad(
      await boot(t, alice, image.id, { networks: [{ port: p }, { port: p }] }),
      400,
      `Port ID '${p}' was specified twice: you cannot attach a port multiple times.`,
    );
    bad(
      await boot(t, alice, image.id, { networks: [{ port: p, fixed_ip: '10.0.0.4' }] }),
      400,
      `Specified Fixed IP '10.0.0.4' cannot be used with port '${p}': the two cannot be specified together.`,
    );
    bad(
      await boot(t, alice, image.id, { networks: [{ uuid: net.id, fixed_ip: '198.18.16.9' }], max_count: 2 }),
      400,
      'Failed to launch instances: max_count cannot be greater than 1 if an fixed_ip is specified.',
    );
    bad(
      await boot(t, alice, image.id, { networks: [{ port: p }], max_count: 2 }),
      400,
      'Failed to launch instances: Unable to launch multiple instances with a single configured port ID. Please launch your instance one by one with different ports.',
    );
  });

  it("PortNotFound 400, PortInUse 409, PortRequiresFixedIP 400, another project's port is not found", async () => {
    const missing = 'a1b2c3d4-0000-4000-8000-000000000001';
    bad(
      await boot(t, alice, image.id, { networks: [{ port: missing }] }),
      400,
      `Port id ${missing} could not be found.`,
    );
    const port = (await alice.post('/ports', { port: { network_id: net.id } })).body.port;
    const first = await boot(t, alice, image.id, { networks: [{ port: port.id }] });
    expect((await show(alice, first.id)).status).toBe('ACTIVE');
    bad(await boot(t, alice, image.id, { networks: [{ port: port.id }] }), 409, `Port ${port.id} is still in use.`);
    const bare = (await alice.post('/networks', { network: { name: 'no-subnet' } })).body.network;
    const ipless = (await alice.post('/ports', { port: { network_id: bare.id } })).body.port;
    bad(
      await boot(t, alice, image.id, { networks: [{ port: ipless.id }] }),
      400,
      `Port ${ipless.id} requires a FixedIP in order to be used.`,
    );
    const bobs = (await bob.post('/ports', { port: { network_id: PRIVATE_NETWORK_ID } })).body.port;
    bad(
      await boot(t, alice, image.id, { networks: [{ port: bobs.id }] }),
      400,
      `Port id ${bobs.id} could not be found.`,
    );
    await alice.del(`/networks/${bare.id}`).catch(() => undefined);
  });

  it('FixedIpAlreadyInUse, NetworkRequiresSubnet, NetworkNotFound 400; external network 403', async () => {
    const holder = await boot(t, alice, image.id, { networks: [{ uuid: net.id, fixed_ip: '198.18.16.12' }] });
    bad(
      await boot(t, alice, image.id, { networks: [{ uuid: net.id, fixed_ip: '198.18.16.12' }] }),
      400,
      `Fixed IP address 198.18.16.12 is already in use on instance ${holder.id}.`,
    );
    const bare = (await alice.post('/networks', { network: { name: 'still-no-subnet' } })).body.network;
    bad(
      await boot(t, alice, image.id, { networks: [{ uuid: bare.id }] }),
      400,
      `Network ${bare.id} requires a subnet in order to boot instances on.`,
    );
    const ghost = 'b1b2c3d4-0000-4000-8000-000000000002';
    bad(await boot(t, alice, image.id, { networks: [{ uuid: ghost }] }), 400, `Network ${ghost} could not be found.`);
    const pub = (await alice.get('/networks?name=public')).body.networks[0];
    bad(
      await boot(t, alice, image.id, { networks: [{ uuid: pub.id }] }),
      403,
      `It is not allowed to create an interface on external network ${pub.id}`,
    );
    await alice.del(`/networks/${bare.id}`);
  });

  it('auto with two networks of its own: NetworkAmbiguous 409', async () => {
    const carol = client(t, await makeProjectUser(t, 'nn-carol'));
    await setup(t, 'nn-carol');
    await makeNetwork(carol, '198.18.17.0/28');
    const one = await boot(t, carol, image.id, { networks: 'auto' });
    expect((await show(carol, one.id)).status).toBe('ACTIVE');
    await makeNetwork(carol, '198.18.17.16/28');
    bad(
      await boot(t, carol, image.id, { networks: 'auto' }),
      409,
      'Multiple possible networks found, use a Network ID to be more specific.',
    );
  });

  it('the port quota: max_count lowered to what fits; not even min_count: PortLimitExceeded 403', async () => {
    const dave = client(t, await makeProjectUser(t, 'nn-dave'));
    await setup(t, 'nn-dave');
    const admin = client(t, { token: t.adminToken, projectId: '' });
    expect((await admin.put(`/quotas/${dave.projectId}`, { quota: { port: 2 } })).status).toBe(200);
    const res = await boot(t, dave, image.id, {
      networks: 'auto',
      min_count: 1,
      max_count: 5,
      return_reservation_id: true,
    });
    expect(res.status).toBe(202);
    const listed = (await dave.nova('get', `${S}?reservation_id=${res.body.reservation_id}`)).body.servers;
    expect(listed).toHaveLength(2);
    bad(await boot(t, dave, image.id, { networks: 'auto', min_count: 1 }), 403, 'Maximum number of ports exceeded');
    expect((await admin.put(`/quotas/${dave.projectId}`, { quota: { port: 1 } })).status).toBe(200);
    bad(
      await boot(t, dave, image.id, { networks: 'auto' }),
      403,
      'The number of defined ports: 2 is over the limit: 1',
    );
  });
});
