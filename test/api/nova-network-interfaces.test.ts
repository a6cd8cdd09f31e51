// os-interface on the fake driver: list/show from the port records (tag from 2.70, port_state
// following the container), attach by net_id (+ fixed_ips) or port_id plugged live into the
// container, detach unplugging it live (Nova's ports deleted, the user's unbound), Nova's errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { boot, client, makeNetwork, portsOf, show, S, setup, type NetClient } from '../helpers/nova-network.js';
import { PRIVATE_NETWORK_ID } from '../../src/compute/servers/networks.js';
import { PUBLIC_NETWORK_ID } from '../../src/network/topology.js';
import { dockerNetworkName } from '../../src/network/dataplane.js';
import type { ImageRow } from '../../src/db/repositories/images-repo.js';

let t: TestApp;
let image: ImageRow;
let u: NetClient;
let net: { id: string; subnetId: string; name: string };
const MISSING = '7959a60f-d80a-4fd1-b601-bbf5b938fc8f';

beforeAll(async () => {
  t = await makeTestApp();
  u = client(t, await makeProjectUser(t, 'ni-user'));
  image = await setup(t, 'ni-user');
  net = await makeNetwork(u, '198.18.24.0/27');
}, 60_000);
afterAll(async () => t?.close());

const iface = (id: string, body: unknown, v = '2.79') => u.nova('post', `${S}/${id}/os-interface`, body, v);
const err = (res: { status: number; body: Record<string, any> }) => [
  res.status,
  (Object.values(res.body)[0] as { message?: string })?.message,
];
const endpoints = (id: string) => t.fake.nets.endpointsOf(id).map((e) => e.network);

describe('list and show', () => {
  it("the server's ports in Nova's view; tag from 2.70; DOWN when stopped, ACTIVE when started", async () => {
    const { id } = await boot(t, u, image.id, { networks: [{ uuid: PRIVATE_NETWORK_ID, tag: 'eth0' }] });
    const [port] = await portsOf(u, id);
    const list = (await u.nova('get', `${S}/${id}/os-interface`, undefined, '2.1')).body.interfaceAttachments;
    expect(list).toEqual([
      {
        net_id: PRIVATE_NETWORK_ID,
        port_id: port.id,
        mac_addr: port.mac_address,
        port_state: 'ACTIVE',
        fixed_ips: port.fixed_ips,
      },
    ]);
    const tagged = (await u.nova('get', `${S}/${id}/os-interface/${port.id}`, undefined, '2.70')).body;
    expect(tagged).toEqual({ interfaceAttachment: { ...list[0], tag: 'eth0' } });
    const other = await boot(t, u, image.id, { networks: 'none' });
    expect(err(await u.nova('get', `${S}/${other.id}/os-interface/${port.id}`))).toEqual([
      404,
      `Instance ${other.id} does not have a port with id ${port.id}`,
    ]);
    expect(err(await u.nova('get', `${S}/${id}/os-interface/${MISSING}`))).toEqual([
      404,
      `Port id ${MISSING} could not be found.`,
    ]);
    await u.nova('post', `${S}/${id}/action`, { 'os-stop': null });
    await t.services.worker.drain();
    expect((await u.get(`/ports/${port.id}`)).body.port.status).toBe('DOWN');
    await u.nova('post', `${S}/${id}/action`, { 'os-start': null });
    await t.services.worker.drain();
    expect((await u.get(`/ports/${port.id}`)).body.port.status).toBe('ACTIVE');
  });
});

describe('attach and detach, live', () => {
  it('net_id with a fixed IP: a new port plugged into the running container; detach removes it (deleted)', async () => {
    const { id } = await boot(t, u, image.id, { networks: 'auto' });
    const started = t.fake.containers.get(id)!.startedAt;
    const res = await iface(id, {
      interfaceAttachment: { net_id: PRIVATE_NETWORK_ID, fixed_ips: [{ ip_address: '198.18.248.200' }] },
    });
    // a fixed IP on the shared network is the network owner's (Neutron policy): 403 for this user
    expect(res.status).toBe(403);
    const ok = await iface(id, { interfaceAttachment: { net_id: PRIVATE_NETWORK_ID, tag: 'second' } });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    const a = ok.body.interfaceAttachment;
    expect(a).toMatchObject({ net_id: PRIVATE_NETWORK_ID, port_state: 'ACTIVE', tag: 'second' });
    expect(endpoints(id).sort()).toEqual([dockerNetworkName(net.id), dockerNetworkName(PRIVATE_NETWORK_ID)].sort());
    expect(t.fake.containers.get(id)!.startedAt).toBe(started);
    expect(Object.keys((await show(u, id)).addresses)).toEqual([net.name, 'private']);
    const actions = (await u.nova('get', `${S}/${id}/os-instance-actions`)).body.instanceActions.map(
      (x: { action: string }) => x.action,
    );
    expect(actions).toContain('attach_interface');
    const del = await u.nova('delete', `${S}/${id}/os-interface/${a.port_id}`);
    expect(del.status).toBe(202);
    await t.services.worker.drain();
    expect(endpoints(id)).toEqual([dockerNetworkName(net.id)]);
    expect((await u.get(`/ports/${a.port_id}`)).status).toBe(404);
    expect(Object.keys((await show(u, id)).addresses)).toEqual([net.name]);
    expect(t.fake.containers.get(id)!.startedAt).toBe(started);
  });

  it("port_id: the user's port bound and plugged; detach unbinds and keeps it; a stopped server too", async () => {
    const { id } = await boot(t, u, image.id, { networks: 'none' });
    const mine = (await u.post('/ports', { port: { network_id: net.id, fixed_ips: [{ ip_address: '198.18.24.20' }] } }))
      .body.port;
    await u.nova('post', `${S}/${id}/action`, { 'os-stop': null });
    await t.services.worker.drain();
    const ok = await iface(id, { interfaceAttachment: { port_id: mine.id } });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect((await u.get(`/ports/${mine.id}`)).body.port).toMatchObject({ device_id: id, device_owner: 'compute:nova' });
    expect(t.fake.nets.endpointsOf(id)).toEqual([
      { network: dockerNetworkName(net.id), ipv4: '198.18.24.20', mac: mine.mac_address },
    ]);
    expect((await u.nova('delete', `${S}/${id}/os-interface/${mine.id}`)).status).toBe(202);
    await t.services.worker.drain();
    expect((await u.get(`/ports/${mine.id}`)).body.port).toMatchObject({
      device_id: '',
      device_owner: '',
      status: 'DOWN',
    });
    expect(t.fake.nets.endpointsOf(id)).toEqual([]);
    expect((await show(u, id)).addresses).toEqual({});
  });

  it("Nova's errors: body rules 400, unknown 404, in use 409, one interface per network 400, external 403, locked 409", async () => {
    const { id } = await boot(t, u, image.id, { networks: [{ uuid: net.id }] });
    const [own] = await portsOf(u, id);
    expect(err(await iface(id, { interfaceAttachment: { net_id: net.id, port_id: MISSING } }))).toEqual([
      400,
      'Must not input both network_id and port_id',
    ]);
    expect(err(await iface(id, { interfaceAttachment: { fixed_ips: [{ ip_address: '198.18.24.9' }] } }))).toEqual([
      400,
      'Must input network_id when request IP address',
    ]);
    expect((await iface(id, { interfaceAttachment: { bogus: 1 } })).status).toBe(400);
    expect((await iface(id, { interfaceAttachment: { tag: 'x' } }, '2.48')).status).toBe(400);
    expect(err(await iface(id, { interfaceAttachment: { port_id: MISSING } }))).toEqual([
      404,
      `Port id ${MISSING} could not be found.`,
    ]);
    expect(err(await iface(id, { interfaceAttachment: { net_id: MISSING } }))).toEqual([
      404,
      `Network ${MISSING} could not be found.`,
    ]);
    expect(err(await iface(id, { interfaceAttachment: { port_id: own.id } }))).toEqual([
      409,
      `Port ${own.id} is still in use.`,
    ]);
    expect(err(await iface(id, { interfaceAttachment: { net_id: net.id } }))).toEqual([
      400,
      `Instance ${id} already has an interface on network ${net.id}: a container has one interface per network.`,
    ]);
    expect(err(await iface(id, { interfaceAttachment: { net_id: PUBLIC_NETWORK_ID } }))).toEqual([
      403,
      `It is not allowed to create an interface on external network ${PUBLIC_NETWORK_ID}`,
    ]);
    const taken = await iface(id, {
      interfaceAttachment: { net_id: PRIVATE_NETWORK_ID, fixed_ips: [{ ip_address: '198.18.248.1' }] },
    });
    expect(taken.status).toBeGreaterThanOrEqual(400);
    expect(taken.status).toBeLessThan(500);
    expect(err(await u.nova('delete', `${S}/${id}/os-interface/${MISSING}`))).toEqual([
      404,
      `Port id ${MISSING} could not be found.`,
    ]);
    await u.nova('post', `${S}/${id}/action`, { lock: null });
    expect(err(await iface(id, { interfaceAttachment: { net_id: PRIVATE_NETWORK_ID } }))).toEqual([
      409,
      `Instance ${id} is locked`,
    ]);
    expect(err(await u.nova('delete', `${S}/${id}/os-interface/${own.id}`))).toEqual([409, `Instance ${id} is locked`]);
    // nothing changed
    expect((await portsOf(u, id)).map((p) => p.id)).toEqual([own.id]);
    expect(endpoints(id)).toEqual([dockerNetworkName(net.id)]);
  });

  it('no body: the project network; a failed plug leaves no port behind', async () => {
    const { id } = await boot(t, u, image.id, { networks: 'none' });
    const before = (await u.get('/ports')).body.ports.length;
    t.fake.failNext('network', new Error('injected connect failure'));
    const failed = await iface(id, { interfaceAttachment: {} });
    expect(failed.status).toBe(500);
    expect(failed.body.computeFault.message).toBe(`Failed to attach network adapter device to ${id}`);
    expect((await u.get('/ports')).body.ports.length).toBe(before);
    const ok = await iface(id, { interfaceAttachment: {} });
    expect(ok.status).toBe(200);
    expect(ok.body.interfaceAttachment.net_id).toBe(net.id);
  });
});

describe('a network with only an IPv6 subnet (Docker needs an IPv4 one)', () => {
  it('is a 400 at boot, at attach by net_id and at attach with no body (its project network); nothing made', async () => {
    const v6 = client(t, await makeProjectUser(t, 'ni-v6'));
    await setup(t, 'ni-v6');
    const n = (await v6.post('/networks', { network: { name: 'only-v6' } })).body.network;
    const sub = await v6.post('/subnets', { subnet: { network_id: n.id, ip_version: 6, cidr: 'fd6e:6f76:6124::/64' } });
    expect(sub.status, JSON.stringify(sub.body)).toBe(201);
    const message = `Network ${n.id} has no IPv4 subnet: a server's network on Docker needs one.`;
    const refused = await boot(t, v6, image.id, { networks: [{ uuid: n.id }] });
    expect([refused.status, refused.body.badRequest?.message]).toEqual([400, message]);
    const auto = await boot(t, v6, image.id, { networks: 'auto' });
    expect([auto.status, auto.body.badRequest?.message]).toEqual([400, message]);
    const { id } = await boot(t, v6, image.id, { networks: 'none' });
    const attach = (body: unknown) => v6.nova('post', `${S}/${id}/os-interface`, body);
    expect(err(await attach({ interfaceAttachment: { net_id: n.id } }))).toEqual([400, message]);
    expect(err(await attach({}))).toEqual([400, message]);
    expect((await v6.get(`/ports?network_id=${n.id}`)).body.ports).toEqual([]);
    expect(endpoints(id)).toEqual([]);
  });
});
