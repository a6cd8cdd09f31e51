// The network API (Neutron v2.0 subset) on the fake driver: the default topology, Neutron's bodies
// and errors, project isolation, filters/fields/paging, IPAM and quotas under concurrency, routers
// and floating IPs. On SQLite and, when TEST_PG_URL is set, on PostgreSQL (a database of its own).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { freshPgDatabase } from '../helpers/pg-database.js';

const V2 = '/networking/v2.0';
const engines: [string, string | null][] = [['sqlite', null]];
if (process.env.TEST_PG_URL) engines.push(['postgres', process.env.TEST_PG_URL]);

describe.each(engines)('network API on %s', (_engine, pgUrl) => {
  let t: TestApp;
  let alice: { projectId: string; token: string };
  let bob: { projectId: string; token: string };
  let dropDb: (() => Promise<void>) | null = null;

  beforeAll(async () => {
    let databaseUrl: string | undefined;
    if (pgUrl) {
      const pg = await freshPgDatabase(pgUrl, 'network');
      databaseUrl = pg.url;
      dropDb = pg.drop;
    }
    t = await makeTestApp(databaseUrl ? { databaseUrl } : {});
    alice = await makeProjectUser(t, 'net-alice', 'member');
    bob = await makeProjectUser(t, 'net-bob', 'member');
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await dropDb?.();
  });

  const as = (token: string) => ({
    get: (p: string) => t.http.get(`${V2}${p}`).set('X-Auth-Token', token),
    post: (p: string, body: unknown) =>
      t.http
        .post(`${V2}${p}`)
        .set('X-Auth-Token', token)
        .send(body as object),
    put: (p: string, body: unknown) =>
      t.http
        .put(`${V2}${p}`)
        .set('X-Auth-Token', token)
        .send(body as object),
    del: (p: string) => t.http.delete(`${V2}${p}`).set('X-Auth-Token', token),
  });

  describe('resources', () => {
    it('is in the catalog and answers version discovery', async () => {
      const cat = await t.http.get('/identity/v3/auth/catalog').set('X-Auth-Token', alice.token);
      const net = cat.body.catalog.find((s: { type: string }) => s.type === 'network');
      expect(net).toMatchObject({ type: 'network', name: 'neutron' });
      expect(net.endpoints[0].url).toMatch(/\/networking$/);
      const v = await t.http.get('/networking').expect(200);
      expect(v.body.versions[0]).toMatchObject({ id: 'v2.0', status: 'CURRENT' });
      expect((await t.http.get(`${V2}/networks`)).status).toBe(401);
    });

    it('starts with devstack topology: private (shared), public (external), router1', async () => {
      const nets = (await as(alice.token).get('/networks').expect(200)).body.networks;
      const byName = Object.fromEntries(nets.map((n: { name: string }) => [n.name, n]));
      expect(byName.private).toMatchObject({ shared: true, 'router:external': false, status: 'ACTIVE' });
      expect(byName.public).toMatchObject({ shared: false, 'router:external': true });
      expect(byName.private.subnets).toHaveLength(1);
      const sub = (await as(alice.token).get(`/subnets/${byName.private.subnets[0]}`).expect(200)).body.subnet;
      expect(sub).toMatchObject({ cidr: '198.18.248.0/22', gateway_ip: '198.18.248.1', ip_version: 4 });
      const routers = (await as(t.adminToken).get('/routers').expect(200)).body.routers;
      expect(routers.find((r: { name: string }) => r.name === 'router1').external_gateway_info.network_id).toBe(
        byName.public.id,
      );
    });

    it('answers with Neutron error bodies', async () => {
      const a = as(alice.token);
      expect((await a.get('/nothing-here').expect(404)).body).toEqual({
        NeutronError: { type: 'HTTPNotFound', message: 'The resource could not be found.', detail: '' },
      });
      expect((await a.post('/networks', { network: { nam: 'x' } }).expect(400)).body.NeutronError).toEqual({
        type: 'HTTPBadRequest',
        message: "Unrecognized attribute(s) 'nam'",
        detail: '',
      });
      expect((await a.post('/networks', { network: { shared: true } }).expect(403)).body.NeutronError.type).toBe(
        'PolicyNotAuthorized',
      );
      const missing = '8d0a5f5e-0000-4000-8000-000000000000';
      expect((await a.get(`/networks/${missing}`).expect(404)).body.NeutronError).toEqual({
        type: 'NetworkNotFound',
        message: `Network ${missing} could not be found.`,
        detail: '',
      });
    });

    it('isolates projects', async () => {
      const net = (
        await as(alice.token)
          .post('/networks', { network: { name: 'alice-net' } })
          .expect(201)
      ).body.network;
      expect((await as(bob.token).get(`/networks/${net.id}`)).status).toBe(404);
      expect(
        (
          await as(bob.token)
            .post('/ports', { port: { network_id: net.id } })
            .expect(404)
        ).body.NeutronError.type,
      ).toBe('HTTPNotFound');
      const mine = (await as(bob.token).get('/networks').expect(200)).body.networks.map(
        (n: { name: string }) => n.name,
      );
      expect(mine).not.toContain('alice-net');
      await as(alice.token).del(`/networks/${net.id}`).expect(204);
    });

    it('allocates addresses race-free and answers 409 when the subnet is full', async () => {
      const a = as(alice.token);
      const net = (await a.post('/networks', { network: { name: 'n27' } }).expect(201)).body.network;
      await a.post('/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '198.18.200.0/27' } }).expect(201);
      const res = await Promise.all(
        Array.from({ length: 30 }, () => a.post('/ports', { port: { network_id: net.id } })),
      );
      const ok = res.filter((r) => r.status === 201).map((r) => r.body.port.fixed_ips[0].ip_address);
      expect(ok).toHaveLength(29);
      expect(new Set(ok).size).toBe(29);
      const bad = res.filter((r) => r.status !== 201);
      expect(bad.map((r) => [r.status, r.body.NeutronError.type])).toEqual([[409, 'IpAddressGenerationFailure']]);
    });

    it('enforces the port quota race-free', async () => {
      const b = as(bob.token);
      const net = (await b.post('/networks', { network: { name: 'nq' } }).expect(201)).body.network;
      await b.post('/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '198.18.201.0/24' } }).expect(201);
      await as(t.adminToken)
        .put(`/quotas/${bob.projectId}`, { quota: { port: 5 } })
        .expect(200);
      const res = await Promise.all(
        Array.from({ length: 12 }, () => b.post('/ports', { port: { network_id: net.id } })),
      );
      expect(res.filter((r) => r.status === 201)).toHaveLength(5);
      for (const r of res.filter((x) => x.status !== 201)) {
        expect(r.status).toBe(409);
        expect(r.body.NeutronError).toEqual({
          type: 'OverQuota',
          message: "Quota exceeded for resources: ['port'].",
          detail: '',
        });
      }
      const q = (await b.get(`/quotas/${bob.projectId}/details`).expect(200)).body.quota;
      expect(q.port).toEqual({ limit: 5, used: 5, reserved: 0 });
    });

    it('filters, selects fields and pages with links', async () => {
      const a = as(alice.token);
      const net = (await a.post('/networks', { network: { name: 'pages' } }).expect(201)).body.network;
      await a.post('/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '198.18.202.0/24' } }).expect(201);
      for (const dev of ['d1', 'd1', 'd2', 'd3'])
        await a.post('/ports', { port: { network_id: net.id, device_id: dev } }).expect(201);
      const two = (await a.get(`/ports?network_id=${net.id}&device_id=d1&device_id=d3`).expect(200)).body.ports;
      expect(two.map((p: { device_id: string }) => p.device_id).sort()).toEqual(['d1', 'd1', 'd3']);
      const page = (await a.get(`/ports?network_id=${net.id}&limit=2&fields=id&fields=device_id`).expect(200)).body;
      expect(page.ports).toHaveLength(2);
      expect(Object.keys(page.ports[0]).sort()).toEqual(['device_id', 'id']);
      expect(page.ports_links.map((l: { rel: string }) => l.rel)).toEqual(['next', 'previous']);
      const next = new URL(page.ports_links[0].href);
      const rest = (await a.get(`/ports${next.search}`).expect(200)).body.ports;
      expect(rest).toHaveLength(2);
      expect((await a.get('/ports?bogus=1').expect(400)).body.NeutronError.message).toBe(
        "['bogus'] is invalid attribute for filtering",
      );
    });

    it("routers and floating IPs follow Neutron's rules", async () => {
      const a = as(alice.token);
      const nets = (await a.get('/networks?name=public').expect(200)).body.networks;
      const pub = nets[0];
      const net = (await a.post('/networks', { network: { name: 'l3' } }).expect(201)).body.network;
      const sub = (
        await a.post('/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '198.18.210.0/24' } }).expect(201)
      ).body.subnet;
      const port = (
        await a
          .post('/ports', { port: { network_id: net.id, device_id: 'srv', device_owner: 'compute:nova' } })
          .expect(201)
      ).body.port;
      const fip = (await a.post('/floatingips', { floatingip: { floating_network_id: pub.id } }).expect(201)).body
        .floatingip;
      expect(fip).toMatchObject({ status: 'DOWN', port_id: null, floating_network_id: pub.id });
      const unreachable = await a.put(`/floatingips/${fip.id}`, { floatingip: { port_id: port.id } }).expect(404);
      expect(unreachable.body.NeutronError).toEqual({
        type: 'ExternalGatewayForFloatingIPNotFound',
        message: `External network ${pub.id} is not reachable from subnet ${sub.id}.  Therefore, cannot associate Port ${port.id} with a Floating IP.`,
        detail: '',
      });
      const r = (
        await a.post('/routers', { router: { name: 'r', external_gateway_info: { network_id: pub.id } } }).expect(201)
      ).body.router;
      expect(r.external_gateway_info.network_id).toBe(pub.id);
      const iface = (await a.put(`/routers/${r.id}/add_router_interface`, { subnet_id: sub.id }).expect(200)).body;
      expect(iface).toMatchObject({ id: r.id, subnet_id: sub.id, network_id: net.id });
      const assoc = (await a.put(`/floatingips/${fip.id}`, { floatingip: { port_id: port.id } }).expect(200)).body
        .floatingip;
      expect(assoc).toMatchObject({
        port_id: port.id,
        router_id: r.id,
        fixed_ip_address: port.fixed_ips[0].ip_address,
      });
      expect(assoc.port_details).toMatchObject({ device_id: 'srv', network_id: net.id });
      expect(
        (await a.put(`/routers/${r.id}/remove_router_interface`, { subnet_id: sub.id }).expect(409)).body.NeutronError
          .type,
      ).toBe('RouterInterfaceInUseByFloatingIP');
      expect((await a.del(`/routers/${r.id}`).expect(409)).body.NeutronError.message).toBe(
        `Router ${r.id} has ports still attached: ${iface.port_id}`,
      );
      expect((await a.del(`/ports/${iface.port_id}`).expect(409)).body.NeutronError.type).toBe('ServicePortInUse');
      await a.put(`/floatingips/${fip.id}`, { floatingip: { port_id: null } }).expect(200);
      await a.put(`/routers/${r.id}/remove_router_interface`, { port_id: iface.port_id }).expect(200);
      await a.put(`/routers/${r.id}`, { router: { external_gateway_info: {} } }).expect(200);
      await a.del(`/routers/${r.id}`).expect(204);
      await a.del(`/floatingips/${fip.id}`).expect(204);
      const pools = (await a.get('/floatingip_pools').expect(200)).body.floatingip_pools;
      expect(pools.map((p: { network_id: string }) => p.network_id)).toContain(pub.id);
    });

    it("makes the default security group on first use, with Neutron's rules", async () => {
      const b = as(bob.token);
      const sgs = (await b.get('/security-groups').expect(200)).body.security_groups;
      const def = sgs.find((g: { name: string }) => g.name === 'default');
      expect(def.description).toBe('Default security group');
      expect(
        def.security_group_rules
          .map(
            (x: { direction: string; ethertype: string; remote_group_id: string | null }) =>
              `${x.direction} ${x.ethertype} ${x.remote_group_id === def.id ? 'self' : '-'}`,
          )
          .sort(),
      ).toEqual(['egress IPv4 -', 'egress IPv6 -', 'ingress IPv4 self', 'ingress IPv6 self']);
      const rule = {
        security_group_rule: {
          security_group_id: def.id,
          direction: 'ingress',
          protocol: 'tcp',
          port_range_min: 22,
          port_range_max: 22,
        },
      };
      const r1 = (await b.post('/security-group-rules', rule).expect(201)).body.security_group_rule;
      expect((await b.post('/security-group-rules', rule).expect(409)).body.NeutronError.message).toBe(
        `Security group rule already exists. Rule id is ${r1.id}.`,
      );
      const bad = await b
        .post('/security-group-rules', {
          security_group_rule: { ...rule.security_group_rule, port_range_min: 30, port_range_max: 20 },
        })
        .expect(400);
      expect(bad.body.NeutronError.type).toBe('SecurityGroupInvalidPortRange');
      expect((await b.del(`/security-groups/${def.id}`).expect(409)).body.NeutronError.type).toMatch(
        /SecurityGroupInUse|SecurityGroupCannotRemoveDefault/,
      );
    });
  });
});
