// A server's ports over its life (fake driver; SQLite and, with TEST_PG_URL, PostgreSQL): floating
// IPs in `addresses` whichever API associates them; a failed build deletes Nova's ports and unbinds
// the user's; delete does the same and disassociates floating IPs of deleted ports; shelve-offload
// unplugs and unshelve plugs again; two servers given one port at once: exactly one gets it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { freshPgDatabase } from '../helpers/pg-database.js';
import { boot, client, makeNetwork, portsOf, show, S, setup, type NetClient } from '../helpers/nova-network.js';
import { dockerNetworkName } from '../../src/network/dataplane.js';
import { PUBLIC_NETWORK_ID } from '../../src/network/topology.js';
import { DriverError } from '../../src/errors.js';
import type { ImageRow } from '../../src/db/repositories/images-repo.js';

const engines: [string, string | null][] = [['sqlite', null]];
if (process.env.TEST_PG_URL) engines.push(['postgres', process.env.TEST_PG_URL]);

describe.each(engines)('server ports on %s', (_engine, pgUrl) => {
  let t: TestApp;
  let image: ImageRow;
  let u: NetClient;
  let net: { id: string; subnetId: string; name: string };
  let other: { id: string; subnetId: string; name: string };
  let dropDb: (() => Promise<void>) | null = null;

  beforeAll(async () => {
    let databaseUrl: string | undefined;
    if (pgUrl) {
      const pg = await freshPgDatabase(pgUrl, 'novanet');
      databaseUrl = pg.url;
      dropDb = pg.drop;
    }
    t = await makeTestApp(databaseUrl ? { databaseUrl } : {});
    u = client(t, await makeProjectUser(t, 'nl-user'));
    image = await setup(t, 'nl-user');
    net = await makeNetwork(u, '198.18.20.0/27');
    const router = (
      await u.post('/routers', { router: { name: 'r', external_gateway_info: { network_id: PUBLIC_NETWORK_ID } } })
    ).body.router;
    other = await makeNetwork(u, '198.18.20.64/27');
    for (const n of [net, other])
      expect((await u.put(`/routers/${router.id}/add_router_interface`, { subnet_id: n.subnetId })).status).toBe(200);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await dropDb?.();
  });

  const fipOn = async (portId: string) =>
    (await u.post('/floatingips', { floatingip: { floating_network_id: PUBLIC_NETWORK_ID, port_id: portId } })).body
      .floatingip;

  it('a floating IP associated through the network API shows in addresses (floating), and leaves with it', async () => {
    const { id } = await boot(t, u, image.id, { networks: [{ uuid: net.id }] });
    const [port] = await portsOf(u, id);
    const fip = await fipOn(port.id);
    expect(fip.status).toBe('ACTIVE');
    const addrs = (await show(u, id)).addresses[net.name];
    expect(addrs).toEqual([
      {
        version: 4,
        addr: port.fixed_ips[0].ip_address,
        'OS-EXT-IPS:type': 'fixed',
        'OS-EXT-IPS-MAC:mac_addr': port.mac_address,
      },
      {
        version: 4,
        addr: fip.floating_ip_address,
        'OS-EXT-IPS:type': 'floating',
        'OS-EXT-IPS-MAC:mac_addr': port.mac_address,
      },
    ]);
    expect(t.fake.nets.endpointsOf(id).map((e) => e.network)).toContain(dockerNetworkName(PUBLIC_NETWORK_ID));
    expect((await u.put(`/floatingips/${fip.id}`, { floatingip: { port_id: null } })).status).toBe(200);
    expect((await show(u, id)).addresses[net.name]).toHaveLength(1);
    expect(t.fake.nets.endpointsOf(id).map((e) => e.network)).not.toContain(dockerNetworkName(PUBLIC_NETWORK_ID));
    await u.del(`/floatingips/${fip.id}`);
  });

  it('delete: Nova ports deleted (their floating IPs disassociated), user ports unbound and kept with theirs', async () => {
    const mine = (await u.post('/ports', { port: { network_id: net.id, name: 'keep' } })).body.port;
    const { id } = await boot(t, u, image.id, { networks: [{ port: mine.id }, { uuid: other.id }] });
    expect((await show(u, id)).status).toBe('ACTIVE');
    const ports = await portsOf(u, id);
    const novas = ports.find((p) => p.id !== mine.id)!;
    const fipMine = await fipOn(mine.id);
    const fipNova = (await u.post('/floatingips', { floatingip: { floating_network_id: PUBLIC_NETWORK_ID } })).body
      .floatingip;
    // one floating IP per server per external network (a container has one endpoint per Docker network)
    const clash = await u.put(`/floatingips/${fipNova.id}`, { floatingip: { port_id: novas.id } });
    expect(clash.status).toBe(409);
    // a container takes one interface per network: the same network twice is refused at create
    const twice = await boot(t, u, image.id, { networks: [{ uuid: net.id }, { uuid: net.id }] });
    expect([twice.status, twice.body.badRequest?.message]).toEqual([
      400,
      `Network ${net.id} is requested more than once: a container has one interface per network.`,
    ]);
    expect((await u.nova('delete', `${S}/${id}`)).status).toBe(204);
    await t.services.worker.drain();
    expect((await u.get(`/ports/${novas.id}`)).status).toBe(404);
    const kept = (await u.get(`/ports/${mine.id}`)).body.port;
    expect(kept).toMatchObject({ device_id: '', device_owner: '', status: 'DOWN', name: 'keep' });
    expect((await u.get(`/floatingips/${fipMine.id}`)).body.floatingip).toMatchObject({
      port_id: mine.id,
      status: 'DOWN',
    });
    expect(t.fake.nets.endpointsOf(id)).toEqual([]);
    expect(await t.services.interfacesRepo.list(id)).toEqual([]);
    // the kept port boots another server
    const again = await boot(t, u, image.id, { networks: [{ port: mine.id }] });
    expect((await show(u, again.id)).status).toBe('ACTIVE');
    expect((await u.get(`/floatingips/${fipMine.id}`)).body.floatingip.status).toBe('ACTIVE');
    await u.nova('delete', `${S}/${again.id}`);
    await t.services.worker.drain();
    await u.del(`/floatingips/${fipMine.id}`);
    await u.del(`/floatingips/${fipNova.id}`);
    await u.del(`/ports/${mine.id}`);
  });

  it('a floating IP on a port Nova made is disassociated when the server goes', async () => {
    const { id } = await boot(t, u, image.id, { networks: [{ uuid: net.id }] });
    const [port] = await portsOf(u, id);
    const fip = await fipOn(port.id);
    await u.nova('delete', `${S}/${id}`);
    await t.services.worker.drain();
    expect((await u.get(`/floatingips/${fip.id}`)).body.floatingip).toMatchObject({
      port_id: null,
      fixed_ip_address: null,
    });
    await u.del(`/floatingips/${fip.id}`);
  });

  it('a failed build: ERROR, its own ports deleted, the user port unbound, nothing left in the engine', async () => {
    const mine = (await u.post('/ports', { port: { network_id: net.id } })).body.port;
    const before = (await u.get('/ports')).body.ports.length;
    t.fake.failNext('spawn', new DriverError('injected spawn failure'));
    const { id } = await boot(t, u, image.id, { networks: [{ uuid: other.id }, { port: mine.id }] });
    const s = await show(u, id);
    expect(s.status).toBe('ERROR');
    expect(s.addresses).toEqual({});
    expect((await u.get('/ports')).body.ports.length).toBe(before);
    expect((await u.get(`/ports/${mine.id}`)).body.port).toMatchObject({ device_id: '', device_owner: '' });
    expect(t.fake.containers.has(id)).toBe(false);
    await u.nova('delete', `${S}/${id}`);
    await t.services.worker.drain();
    await u.del(`/ports/${mine.id}`);
  });

  it('shelve (offloaded at once) unplugs the ports (kept, DOWN, addresses kept); unshelve plugs them again', async () => {
    const { id } = await boot(t, u, image.id, { networks: [{ uuid: net.id }] });
    const [port] = await portsOf(u, id);
    const addresses = (await show(u, id)).addresses;
    const sh = await u.nova('post', `${S}/${id}/action`, { shelve: null });
    expect(sh.status, JSON.stringify(sh.body)).toBe(202);
    await t.services.worker.drain();
    const offloaded = await show(u, id);
    expect(offloaded.status).toBe('SHELVED_OFFLOADED');
    expect(offloaded.addresses).toEqual(addresses);
    expect((await u.get(`/ports/${port.id}`)).body.port).toMatchObject({ device_id: id, status: 'DOWN' });
    expect((await u.nova('post', `${S}/${id}/action`, { unshelve: null })).status).toBe(202);
    await t.services.worker.drain();
    expect((await show(u, id)).status).toBe('ACTIVE');
    expect((await u.get(`/ports/${port.id}`)).body.port).toMatchObject({ device_id: id, status: 'ACTIVE' });
    expect(t.fake.nets.endpointsOf(id)).toEqual([
      { network: dockerNetworkName(net.id), ipv4: port.fixed_ips[0].ip_address, mac: port.mac_address },
    ]);
    await u.nova('delete', `${S}/${id}`);
    await t.services.worker.drain();
  });

  it('two servers given one port at the same moment: one ACTIVE with it, the other ERROR (PortInUse)', async () => {
    const port = (await u.post('/ports', { port: { network_id: net.id } })).body.port;
    // both requests pass the API's check before either build binds the port
    await t.services.worker.stop();
    const res = [];
    for (const _ of [0, 1])
      res.push(
        await u.nova('post', S, {
          server: { name: 'race', imageRef: image.id, flavorRef: '1', networks: [{ port: port.id }] },
        }),
      );
    t.services.worker.start();
    expect(
      res.map((r) => r.status),
      JSON.stringify(res.map((r) => r.body)),
    ).toEqual([202, 202]);
    await t.services.worker.drain();
    const states = await Promise.all(res.map(async (r) => (await show(u, r.body.server.id)).status));
    expect([...states].sort()).toEqual(['ACTIVE', 'ERROR']);
    const winner = res[states.indexOf('ACTIVE')].body.server.id;
    const loser = await show(u, res[states.indexOf('ERROR')].body.server.id);
    expect(loser.fault.message).toBe(`Port ${port.id} is still in use.`);
    expect((await u.get(`/ports/${port.id}`)).body.port.device_id).toBe(winner);
    for (const r of res) await u.nova('delete', `${S}/${r.body.server.id}`);
    await t.services.worker.drain();
    expect((await u.get(`/ports/${port.id}`)).body.port.device_id).toBe('');
  });
});
