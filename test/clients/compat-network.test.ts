// Issue 17 after the network service (fake driver): the clients that found the sweep's issues, run
// again on a flow with networks now that servers have ports: a server created on a network, its
// addresses, a floating IP, security groups. fog-openstack, gophercloud, Libcloud and openstacksdk
// each run their users' calls (test/clients/compat/*_network.*, network_flow.go); the CLIs remove a
// server's last security group (5i: Nova with Neutron takes it off the server's ports, leaving them
// with none, and says 404 when none had it). What the clients read from 198.18.0.0/16 addresses is
// in docs/compatibility.md (they are not RFC 1918: fog and Libcloud classify them as public).
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOut, osEnv, runCli, startListeningApp, type ListeningApp } from '../helpers/cli.js';
import { makeProjectUser, type TestApp } from '../helpers/app.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';
import { go, python, ruby } from '../helpers/compat.js';

const T = 180_000;
const V2 = '/networking/v2.0';
let s: ListeningApp;
let env: Record<string, string>;
let token: string;
let imageId: string;
let netId: string;
const NET = 'compat-net';
const FIXED = /^198\.18\.41\.\d+$/;
const FLOATING = /^198\.18\.255\.\d+$/;

type Step = { step: string; ok: boolean; value?: any; error?: string };
/** every step ok (the failures listed if not); the values by step name */
function steps(rows: Step[]): Record<string, any> {
  expect(
    rows.filter((r) => !r.ok),
    JSON.stringify(rows),
  ).toEqual([]);
  return Object.fromEntries(rows.map((r) => [r.step, r.value]));
}

const http = () => request(s.app.server);
const api = async (method: 'get' | 'post' | 'put', p: string, body?: object) => {
  const r = http()[method](p).set('X-Auth-Token', token).set('OpenStack-API-Version', 'compute 2.79');
  return body ? r.send(body) : r;
};

beforeAll(async () => {
  s = await startListeningApp();
  await unlimitedQuota(s.services);
  imageId = (await seedImage(s.services, { name: 'busybox' })).id;
  ({ token } = await makeProjectUser({ ...s, http: http() } as unknown as TestApp, 'compat-net', 'member'));
  await unlimitedQuota(s.services, 'compat-net');
  env = osEnv(s, { user: 'compat-net-member', password: 'compat-net-member-password', project: 'compat-net' });
  const net = await api('post', `${V2}/networks`, { network: { name: NET } });
  expect(net.status).toBe(201);
  netId = net.body.network.id;
  const sub = await api('post', `${V2}/subnets`, {
    subnet: { network_id: netId, ip_version: 4, cidr: '198.18.41.0/24', name: 'compat-sub' },
  });
  expect(sub.status).toBe(201);
  const ext = (await api('get', `${V2}/networks?router:external=true`)).body.networks[0].id;
  const router = await api('post', `${V2}/routers`, {
    router: { name: 'compat-r', external_gateway_info: { network_id: ext } },
  });
  expect(router.status).toBe(201);
  const add = await api('put', `${V2}/routers/${router.body.router.id}/add_router_interface`, {
    subnet_id: sub.body.subnet.id,
  });
  expect(add.status).toBe(200);
}, 60_000);
afterAll(async () => s?.close());

const memberEnv = () => ({ ...env, OS_DOMAIN_NAME: 'Default' });
/** the script deleted its server: gone once the worker has run the delete */
async function noServersLeft(): Promise<void> {
  const deadline = Date.now() + 60_000;
  let names: string[] = [];
  while (Date.now() < deadline) {
    names = (await api('get', '/compute/v2.1/servers')).body.servers.map((x: { name: string }) => x.name);
    if (!names.length) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  expect(names).toEqual([]);
}

describe('the clients that found issue 17, on a server with a network', () => {
  it(
    'fog-openstack: servers.create(nics), addresses, a Neutron floating IP on its port, os-floating-ips, os-interface, the last group removed and added',
    async () => {
      const v = steps(await ruby<Step[]>('fog_network.rb', [NET, imageId, '1'], memberEnv()));
      expect(v['wait_for ready']).toBe('ACTIVE');
      expect(v.ip_addresses).toEqual([expect.stringMatching(FIXED)]);
      const fixed = v.ip_addresses[0];
      const fip = v['floating_ips.create'];
      expect(fip).toMatch(FLOATING);
      expect(v.associate_floating_ip).toBe(fixed);
      expect(v.floating_ip_address).toBe(fip);
      expect(v['addresses types']).toEqual([
        [fixed, 'fixed'],
        [fip, 'floating'],
      ]);
      expect(v['os-floating-ips']).toEqual([[fip, fixed]]);
      expect(v['os-interface']).toEqual(v['ports device_id']);
      expect(v['remove_security_group default']).toBe(202);
      expect(v['security_groups after remove']).toEqual([]);
      expect(v['security_groups after add']).toEqual(['default']);
      await noServersLeft();
    },
    T,
  );

  it(
    'gophercloud (Terraform): the network by name through os-tenant-networks, os-networks and Neutron; create, /ips, compute and Neutron floating IPs; the last group removed',
    async () => {
      const v = steps(await go<Step[]>('network_flow', [NET, imageId, '1'], memberEnv()));
      expect(v['tenantnetworks.Extract']).toContainEqual({ id: netId, label: NET, cidr: 'None' });
      expect(v['tenantnetworks.Get']).toEqual({ id: netId, label: NET, cidr: 'None' });
      expect(v['neutron networks.Extract']).toBe(1);
      const [fixed] = v['servers.Get addresses'][NET];
      expect(fixed).toMatchObject({ addr: expect.stringMatching(FIXED), 'OS-EXT-IPS:type': 'fixed' });
      expect(v.ExtractAddresses).toEqual({ [NET]: [{ version: 4, addr: fixed.addr }] });
      expect(v.ExtractNetworkAddresses).toEqual([{ version: 4, addr: fixed.addr }]);
      const fip = v['compute floatingips.Create'].ip;
      expect(v['floatingips.Get after associate']).toMatchObject({ ip: fip, fixed_ip: fixed.addr });
      expect(v['servers.Get after associate'][NET].map((a: { addr: string }) => a.addr)).toEqual([fixed.addr, fip]);
      const l3 = v['l3 floatingips.Create with port'];
      expect(l3.fixed_ip_address).toBe(fixed.addr);
      expect(v['servers.Get after l3 fip'][NET].map((a: { addr: string }) => a.addr)).toEqual([
        fixed.addr,
        l3.floating_ip_address,
      ]);
      expect(v['secgroups.Extract']).toBe(1);
      expect(v['secgroups.Extract after remove']).toBe(0);
      await noServersLeft();
    },
    T,
  );

  it(
    'Libcloud: ex_list_networks (os-networks), create_node(networks), its IPs, a floating IP from the pool attached and detached',
    async () => {
      const v = steps(await python<Step[]>('libcloud_network.py', [NET, imageId, '1'], memberEnv()));
      expect(v.ex_list_networks[NET]).toBe(netId);
      expect(v.wait_until_running).toEqual(['running']);
      expect(v.ips).toEqual([expect.stringMatching(FIXED)]);
      expect(v.ex_list_floating_ip_pools).toEqual(['public']);
      const fip = v.create_floating_ip;
      expect(v['ips after attach']).toEqual([v.ips[0], fip].sort());
      expect(v.ex_list_floating_ips).toEqual([[fip, v['create_node networks']]]);
      expect(v.ex_get_node_security_groups).toEqual(['default']);
      await noServersLeft();
    },
    T,
  );

  it(
    'openstacksdk (Ansible): create_server(network), private_v4/public_v4, add_auto_ip, server_ips, the last group removed and added, delete_ips',
    async () => {
      const v = steps(await python<Step[]>('sdk_network.py', [NET, imageId, '1'], memberEnv()));
      expect(v['create_server network']).toBe('ACTIVE');
      expect(v.ips).toEqual({ private_v4: expect.stringMatching(FIXED), public_v4: '', interface_ip: '' });
      const fip = v.add_auto_ip;
      expect(fip).toMatch(FLOATING);
      expect(v['ips after add_auto_ip']).toEqual({ private_v4: v.ips.private_v4, public_v4: fip, interface_ip: fip });
      expect(v['compute.server_ips']).toEqual(
        [
          [NET, v.ips.private_v4],
          [NET, fip],
        ].sort(),
      );
      expect(v['compute.server_interfaces']).toEqual([netId]);
      expect(v['groups after remove']).toEqual([]);
      expect(v['groups after add']).toEqual(['default']);
      expect(v['floating ip left']).toEqual([]);
      await noServersLeft();
    },
    T,
  );
});

describe("removeSecurityGroup of a server's last group (issue 17, 5i)", () => {
  async function cli(cmd: string, args: string[]) {
    return runCli(cmd, args, env, { timeoutMs: T });
  }
  const portGroups = async (id: string) =>
    (await api('get', `${V2}/ports?device_id=${id}`)).body.ports.map(
      (p: { security_groups: string[] }) => p.security_groups,
    );

  it(
    'openstack server remove security group: off every port, the server shows none; nova remove-secgroup again: 404',
    async () => {
      const made = await cli('openstack', [
        'server',
        'create',
        '--image',
        'busybox',
        '--flavor',
        'm1.tiny',
        '--network',
        NET,
        '--wait',
        '-f',
        'json',
        'sg-vm',
      ]);
      expect(made.code, made.stderr).toBe(0);
      const id = jsonOut<{ id: string }>(made).id;
      expect((await portGroups(id))[0]).toHaveLength(1);
      const removed = await cli('openstack', ['server', 'remove', 'security', 'group', 'sg-vm', 'default']);
      expect(removed.code, removed.stderr).toBe(0);
      expect(await portGroups(id)).toEqual([[]]);
      // Nova's view leaves out security_groups when the server has none
      const shown = (await api('get', `/compute/v2.1/servers/${id}`)).body.server;
      expect(shown).not.toHaveProperty('security_groups');
      const listed = await cli('nova', ['list-secgroup', 'sg-vm']);
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout).not.toContain('default');
      const again = await cli('nova', ['remove-secgroup', 'sg-vm', 'default']);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain(`Security group default not associated with the instance ${id} (HTTP 404)`);
      const back = await cli('nova', ['add-secgroup', 'sg-vm', 'default']);
      expect(back.code, back.stderr).toBe(0);
      expect((await portGroups(id))[0]).toHaveLength(1);
      const last = await cli('nova', ['remove-secgroup', 'sg-vm', 'default']);
      expect(last.code, last.stderr).toBe(0);
      expect(await portGroups(id)).toEqual([[]]);
      const gone = await cli('openstack', ['server', 'delete', '--wait', 'sg-vm']);
      expect(gone.code, gone.stderr).toBe(0);
    },
    T,
  );
});
