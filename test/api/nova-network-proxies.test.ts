// Nova's proxies below 2.36 answered from the network service's records (fake driver): os-networks,
// os-tenant-networks,
// os-floating-ips and os-floating-ip-pools, os-security-groups and os-security-group-rules, and the
// addFloatingIp / removeFloatingIp actions below 2.44; Nova's shapes and errors; 404 from 2.36/2.44.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { boot, client, makeNetwork, portsOf, show, setup, type NetClient } from '../helpers/nova-network.js';
import { PUBLIC_NETWORK_ID } from '../../src/network/topology.js';
import { dockerNetworkName } from '../../src/network/dataplane.js';
import type { ImageRow } from '../../src/db/repositories/images-repo.js';

let t: TestApp;
let image: ImageRow;
let u: NetClient;
let net: { id: string; subnetId: string; name: string };
const C = '/compute/v2.1';
const MISSING = '7959a60f-d80a-4fd1-b601-bbf5b938fc8f';

beforeAll(async () => {
  t = await makeTestApp();
  u = client(t, await makeProjectUser(t, 'np-user'));
  image = await setup(t, 'np-user');
  net = await makeNetwork(u, '198.18.28.0/27');
  const router = (
    await u.post('/routers', { router: { name: 'r', external_gateway_info: { network_id: PUBLIC_NETWORK_ID } } })
  ).body.router;
  await u.put(`/routers/${router.id}/add_router_interface`, { subnet_id: net.subnetId });
}, 60_000);
afterAll(async () => t?.close());

const nova = (method: 'get' | 'post' | 'put' | 'delete', p: string, body?: unknown, v = '2.1') =>
  u.nova(method, `${C}${p}`, body, v);
const err = (res: { status: number; body: Record<string, any> }) => [
  res.status,
  (Object.values(res.body)[0] as { message?: string })?.message,
];

describe('os-networks', () => {
  it('lists what the project sees with id and label (the rest null); show; 404; writes 410; gone at 2.36', async () => {
    const list = (await nova('get', '/os-networks')).body.networks as Record<string, unknown>[];
    const mine = list.find((n) => n.id === net.id)!;
    expect(mine).toEqual({
      id: net.id,
      cidr: null,
      netmask: null,
      gateway: null,
      broadcast: null,
      dns1: null,
      dns2: null,
      cidr_v6: null,
      gateway_v6: null,
      label: net.name,
      netmask_v6: null,
    });
    expect(list.map((n) => n.label)).toEqual(expect.arrayContaining(['private', 'public', net.name]));
    expect((await nova('get', `/os-networks/${net.id}`)).body).toEqual({ network: mine });
    expect(err(await nova('get', `/os-networks/${MISSING}`))).toEqual([404, 'Network not found']);
    expect((await nova('post', '/os-networks', { network: { label: 'x' } })).status).toBe(410);
    expect((await nova('delete', `/os-networks/${net.id}`)).status).toBe(410);
    expect((await nova('get', '/os-networks', undefined, '2.36')).status).toBe(404);
  });
});

describe('os-tenant-networks', () => {
  it("lists the networks the project sees as Nova's network_dict (cidr 'None'); show; 404; writes 410; gone at 2.36", async () => {
    const other = client(t, await makeProjectUser(t, 'np-other'));
    const hidden = await makeNetwork(other, '198.18.28.64/27');
    const list = (await nova('get', '/os-tenant-networks')).body.networks as Record<string, unknown>[];
    expect(list).toContainEqual({ id: net.id, cidr: 'None', label: net.name });
    expect(list.map((n) => n.label)).toEqual(expect.arrayContaining(['private', 'public', net.name]));
    expect(list.map((n) => n.id)).not.toContain(hidden.id);
    for (const n of list) expect(Object.keys(n).sort()).toEqual(['cidr', 'id', 'label']);
    expect((await nova('get', `/os-tenant-networks/${net.id}`)).body).toEqual({
      network: { id: net.id, cidr: 'None', label: net.name },
    });
    expect(err(await nova('get', `/os-tenant-networks/${hidden.id}`))).toEqual([404, 'Network not found']);
    expect(err(await nova('get', `/os-tenant-networks/${MISSING}`))).toEqual([404, 'Network not found']);
    expect((await other.nova('get', `${C}/os-tenant-networks/${hidden.id}`, undefined, '2.35')).status).toBe(200);
    expect((await nova('post', '/os-tenant-networks', { network: { label: 'x', cidr: '10.0.0.0/24' } })).status).toBe(
      410,
    );
    expect((await nova('delete', `/os-tenant-networks/${net.id}`)).status).toBe(410);
    expect((await nova('get', '/os-tenant-networks', undefined, '2.36')).status).toBe(404);
    expect((await nova('get', `/os-tenant-networks/${net.id}`, undefined, '2.36')).status).toBe(404);
  });
});

describe('floating IPs', () => {
  it('pools, allocate (default pool public), show, list, unknown pool 404, release; gone at 2.36', async () => {
    expect((await nova('get', '/os-floating-ip-pools')).body).toEqual({ floating_ip_pools: [{ name: 'public' }] });
    const made = await nova('post', '/os-floating-ips', {});
    expect(made.status).toBe(200);
    const fip = made.body.floating_ip;
    expect(fip).toEqual({
      id: expect.any(String),
      ip: expect.stringMatching(/^198\.18\.255\./),
      pool: 'public',
      fixed_ip: null,
      instance_id: null,
    });
    expect((await nova('get', `/os-floating-ips/${fip.id}`)).body).toEqual({ floating_ip: fip });
    expect((await nova('get', '/os-floating-ips')).body.floating_ips).toContainEqual(fip);
    expect((await nova('post', '/os-floating-ips', { pool: 'public' })).body.floating_ip.pool).toBe('public');
    expect(err(await nova('post', '/os-floating-ips', { pool: 'nope' }))).toEqual([404, 'Floating IP pool not found.']);
    expect(err(await nova('get', `/os-floating-ips/${MISSING}`))).toEqual([
      404,
      `Floating IP not found for ID ${MISSING}`,
    ]);
    expect((await nova('delete', `/os-floating-ips/${fip.id}`)).status).toBe(202);
    expect((await u.get(`/floatingips/${fip.id}`)).status).toBe(404);
    expect((await nova('get', '/os-floating-ips', undefined, '2.36')).status).toBe(404);
  });

  it('addFloatingIp / removeFloatingIp: associated live on the port of the fixed address; Nova errors; gone at 2.44', async () => {
    const { id } = await boot(t, u, image.id, { networks: [{ uuid: net.id }] });
    const [port] = await portsOf(u, id);
    const fixed = port.fixed_ips[0].ip_address as string;
    const fip = (await nova('post', '/os-floating-ips', {})).body.floating_ip;
    const act = (body: unknown, v = '2.1') => nova('post', `/servers/${id}/action`, body, v);
    expect(err(await act({ addFloatingIp: { address: fip.ip, fixed_address: '10.9.9.9' } }))).toEqual([
      400,
      'Specified fixed address not assigned to instance',
    ]);
    expect(err(await act({ addFloatingIp: { address: '198.18.255.250' } }))).toEqual([404, 'floating IP not found']);
    expect((await act({ addFloatingIp: { address: fip.ip } })).status).toBe(202);
    expect((await nova('get', `/os-floating-ips/${fip.id}`)).body.floating_ip).toMatchObject({
      fixed_ip: fixed,
      instance_id: id,
    });
    expect((await show(u, id)).addresses[net.name].map((a: { addr: string }) => a.addr)).toEqual([fixed, fip.ip]);
    expect(t.fake.nets.endpointsOf(id).map((e) => e.network)).toContain(dockerNetworkName(PUBLIC_NETWORK_ID));
    const other = await boot(t, u, image.id, { networks: [{ uuid: net.id }] });
    expect(err(await nova('post', `/servers/${other.id}/action`, { removeFloatingIp: { address: fip.ip } }))).toEqual([
      409,
      `Floating IP ${fip.ip} is not associated with instance ${other.id}.`,
    ]);
    expect(err(await act({ removeFloatingIp: { address: '198.18.255.251' } }))).toEqual([
      404,
      'Floating IP not found for address 198.18.255.251.',
    ]);
    expect((await act({ removeFloatingIp: { address: fip.ip } })).status).toBe(202);
    expect(t.fake.nets.endpointsOf(id).map((e) => e.network)).not.toContain(dockerNetworkName(PUBLIC_NETWORK_ID));
    expect((await show(u, id)).addresses[net.name]).toHaveLength(1);
    expect((await act({ addFloatingIp: { address: fip.ip } }, '2.44')).status).toBe(404);
    const bare = await boot(t, u, image.id, { networks: 'none' });
    expect(err(await nova('post', `/servers/${bare.id}/action`, { addFloatingIp: { address: fip.ip } }))).toEqual([
      400,
      'Instance network is not ready yet',
    ]);
  });
});

describe('security groups', () => {
  it('create, show, update, list, rules (Nova checks, ingress only), delete; a group in use; gone at 2.36', async () => {
    const made = await nova('post', '/os-security-groups', { security_group: { name: 'web', description: 'http' } });
    expect(made.status).toBe(200);
    const g = made.body.security_group;
    expect(g).toEqual({ id: expect.any(String), description: 'http', name: 'web', tenant_id: u.projectId, rules: [] });
    const rule = await nova('post', '/os-security-group-rules', {
      security_group_rule: {
        parent_group_id: g.id,
        ip_protocol: 'tcp',
        from_port: 80,
        to_port: 80,
        cidr: '10.0.0.0/8',
      },
    });
    expect(rule.status, JSON.stringify(rule.body)).toBe(200);
    expect(rule.body.security_group_rule).toEqual({
      id: expect.any(String),
      parent_group_id: g.id,
      ip_protocol: 'tcp',
      from_port: 80,
      to_port: 80,
      group: {},
      ip_range: { cidr: '10.0.0.0/8' },
    });
    // the network API sees the same rule
    const neutronRule = (await u.get(`/security-group-rules/${rule.body.security_group_rule.id}`)).body
      .security_group_rule;
    expect(neutronRule).toMatchObject({
      direction: 'ingress',
      protocol: 'tcp',
      port_range_min: 80,
      remote_ip_prefix: '10.0.0.0/8',
    });
    const fromGroup = await nova('post', '/os-security-group-rules', {
      security_group_rule: { parent_group_id: g.id, ip_protocol: 'udp', group_id: g.id },
    });
    expect(fromGroup.body.security_group_rule).toMatchObject({
      from_port: 1,
      to_port: 65535,
      group: { name: 'web', tenant_id: u.projectId },
      ip_range: {},
    });
    const rulesErr = (r: Record<string, unknown>) =>
      nova('post', '/os-security-group-rules', { security_group_rule: { parent_group_id: g.id, ...r } });
    expect(err(await rulesErr({ ip_protocol: 'tcp', from_port: 80, to_port: 80, cidr: '10.0.0.0/8' }))).toEqual([
      400,
      `This rule already exists in group ${g.id}`,
    ]);
    expect(err(await rulesErr({ ip_protocol: 'tcp', from_port: 90, to_port: 80 }))).toEqual([
      400,
      'Invalid port range 90:80. Former value cannot be greater than the later',
    ]);
    expect(err(await rulesErr({ ip_protocol: 'gre', from_port: 1, to_port: 2 }))).toEqual([
      400,
      'Invalid IP protocol gre.',
    ]);
    expect(err(await rulesErr({ ip_protocol: 'tcp' }))).toEqual([400, 'Not enough parameters to build a valid rule.']);
    expect(err(await rulesErr({ ip_protocol: 'tcp', from_port: 1, to_port: 2, cidr: '10.0.0.1/0' }))).toEqual([
      400,
      'Bad prefix for network in cidr 10.0.0.1/0',
    ]);
    expect(
      err(await nova('post', '/os-security-group-rules', { security_group_rule: { parent_group_id: 'x' } })),
    ).toEqual([400, 'Security group id should be uuid']);
    const shown = (await nova('get', `/os-security-groups/${g.id}`)).body.security_group;
    expect(shown.rules).toHaveLength(2);
    const renamed = await nova('put', `/os-security-groups/${g.id}`, {
      security_group: { name: 'www', description: 'd' },
    });
    expect(renamed.body.security_group).toMatchObject({ name: 'www', description: 'd' });
    const listed = (await nova('get', '/os-security-groups')).body.security_groups.map((x: { name: string }) => x.name);
    expect(listed).toEqual(['default', 'www']);
    // on a server: add and remove through the actions; a group in use cannot go
    const { id } = await boot(t, u, image.id, { networks: [{ uuid: net.id }] });
    expect((await nova('post', `/servers/${id}/action`, { addSecurityGroup: { name: 'www' } })).status).toBe(202);
    expect((await show(u, id)).security_groups).toEqual([{ name: 'default' }, { name: 'www' }]);
    const inUse = await nova('delete', `/os-security-groups/${g.id}`);
    expect(inUse.status).toBe(400);
    expect((await nova('post', `/servers/${id}/action`, { removeSecurityGroup: { name: 'www' } })).status).toBe(202);
    expect((await nova('delete', `/os-security-group-rules/${rule.body.security_group_rule.id}`)).status).toBe(202);
    expect(err(await nova('delete', `/os-security-group-rules/${MISSING}`))[0]).toBe(404);
    expect((await nova('delete', `/os-security-groups/${g.id}`)).status).toBe(202);
    expect(err(await nova('get', `/os-security-groups/${g.id}`))).toEqual([
      404,
      `Security group ${g.id} does not exist`,
    ]);
    expect((await nova('get', '/os-security-groups', undefined, '2.36')).status).toBe(404);
    expect((await nova('post', '/os-security-group-rules', {}, '2.36')).status).toBe(404);
    expect(err(await nova('post', '/os-security-groups', {}))).toEqual([400, "The request body can't be empty"]);
  });
});

describe("removeSecurityGroup of a server's last group (Nova with Neutron)", () => {
  it('takes it off the ports, which then let nothing in or out; the view drops security_groups; again 404', async () => {
    const { id } = await boot(t, u, image.id, { networks: [{ uuid: net.id }] });
    const accepts = async () => {
      await t.services.network.firewall.idle();
      return (t.fake.firewalls.get(id)?.v4 ?? '').split('\n').filter((l) => /^-A nd-sg-(in|out) .*-j ACCEPT/.test(l));
    };
    expect((await accepts()).length).toBeGreaterThan(0); // the default group: egress and its members in
    expect((await nova('post', `/servers/${id}/action`, { removeSecurityGroup: { name: 'default' } })).status).toBe(
      202,
    );
    expect((await portsOf(u, id)).map((p) => p.security_groups)).toEqual([[]]);
    // Neutron's port security with no group: nothing allowed either way (only loopback and replies)
    expect(await accepts()).toEqual([]);
    expect(await show(u, id)).not.toHaveProperty('security_groups');
    expect((await nova('get', `/servers/${id}/os-security-groups`)).body).toEqual({ security_groups: [] });
    expect(err(await nova('post', `/servers/${id}/action`, { removeSecurityGroup: { name: 'default' } }))).toEqual([
      404,
      `Security group default not associated with the instance ${id}`,
    ]);
    expect((await nova('post', `/servers/${id}/action`, { addSecurityGroup: { name: 'default' } })).status).toBe(202);
    expect((await accepts()).length).toBeGreaterThan(0);
  });
});
