// The network flow of issue 13 with the real Debian `openstack` CLI, as a new project member would
// run it (fake driver: what reaches Docker is test/docker/nova-network.test.ts): network, subnet,
// router with the public gateway and the subnet, a port with a fixed IP, servers on --nic net-id and
// --nic port-id, a floating IP added and removed, a security group rule, server add/remove network
// and port, port list --server, and the deletes. Then openstacksdk's create_server(network=…,
// auto_ip=True).
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOut, osEnv, runCli, startListeningApp, type ListeningApp } from '../helpers/cli.js';
import { makeProjectUser, type TestApp } from '../helpers/app.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';

const T = 120_000;
let s: ListeningApp;
let env: Record<string, string>;
let token: string;
/** the records behind what the CLI did (read through the APIs, without spawning a CLI per check) */
const api = async (p: string) =>
  (await request(s.app.server).get(p).set('X-Auth-Token', token).set('OpenStack-API-Version', 'compute 2.79')).body;
const addresses = async (name: string) => {
  const [srv] = (await api(`/compute/v2.1/servers/detail?name=${name}`)).servers;
  return JSON.stringify(srv.addresses);
};

beforeAll(async () => {
  s = await startListeningApp();
  await unlimitedQuota(s.services);
  await seedImage(s.services, { name: 'busybox' });
  ({ token } = await makeProjectUser({ ...s, http: request(s.app.server) } as unknown as TestApp, 'cli-net', 'member'));
  await unlimitedQuota(s.services, 'cli-net');
  env = osEnv(s, { user: 'cli-net-member', password: 'cli-net-member-password', project: 'cli-net' });
}, 60_000);
afterAll(async () => s?.close());

async function os(...args: string[]): Promise<string> {
  const r = await runCli('openstack', args, env, { timeoutMs: T });
  expect(r.code, `openstack ${args.join(' ')}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);
  return r.stdout;
}
const osJson = async <X = Record<string, any>>(...args: string[]) =>
  jsonOut<X>({ code: 0, stdout: await os(...args, '-f', 'json'), stderr: '' });
const portsOf = async (server: string) =>
  (await osJson<{ ID: string; 'Fixed IP Addresses': unknown }[]>('port', 'list', '--server', server)).map((p) => p.ID);
/** server remove network/port is Nova's cast: the port leaves a moment later */
async function until(what: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > deadline) throw new Error('not reached');
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('openstack CLI: the network flow of a new user', () => {
  it(
    'networks, router, ports, servers, floating IP, security group rule, add/remove network and port, deletes',
    { timeout: 600_000 },
    async () => {
      const net = await osJson('network', 'create', 'net1');
      const sub = await osJson('subnet', 'create', '--network', 'net1', '--subnet-range', '198.18.32.0/24', 'sub1');
      expect(sub.gateway_ip).toBe('198.18.32.1');
      await osJson('router', 'create', 'r1');
      await os('router', 'set', '--external-gateway', 'public', 'r1');
      await os('router', 'add', 'subnet', 'r1', 'sub1');
      const port = await osJson(
        'port',
        'create',
        '--network',
        'net1',
        '--fixed-ip',
        'subnet=sub1,ip-address=198.18.32.50',
        'p1',
      );

      const s1 = await osJson(
        'server',
        'create',
        '--image',
        'busybox',
        '--flavor',
        'm1.tiny',
        '--nic',
        `net-id=${net.id}`,
        '--wait',
        's1',
      );
      expect(s1.status).toBe('ACTIVE');
      expect(JSON.stringify(s1.addresses)).toMatch(/net1.*198\.18\.32\./);
      const s2 = await osJson(
        'server',
        'create',
        '--image',
        'busybox',
        '--flavor',
        'm1.tiny',
        '--nic',
        `port-id=${port.id}`,
        '--wait',
        's2',
      );
      expect(JSON.stringify(s2.addresses)).toContain('198.18.32.50');
      expect(await portsOf('s2')).toEqual([port.id]);

      const fip = await osJson('floating', 'ip', 'create', 'public');
      await os('server', 'add', 'floating', 'ip', 's1', fip.floating_ip_address);
      expect(JSON.stringify((await osJson('server', 'show', 's1')).addresses)).toContain(fip.floating_ip_address);
      expect((await osJson('floating', 'ip', 'show', fip.floating_ip_address)).status).toBe('ACTIVE');

      const rule = await osJson(
        'security',
        'group',
        'rule',
        'create',
        '--protocol',
        'tcp',
        '--dst-port',
        '22',
        'default',
      );
      expect(rule).toMatchObject({ protocol: 'tcp', port_range_min: 22, direction: 'ingress' });

      await os('server', 'add', 'network', 's1', 'private');
      expect(await portsOf('s1')).toHaveLength(2);
      expect(JSON.stringify((await osJson('server', 'show', 's1')).addresses)).toContain('private');
      await os('server', 'remove', 'network', 's1', 'private');
      await until(async () => (await portsOf('s1')).length === 1);

      const p2 = await osJson('port', 'create', '--network', 'private', 'p2');
      await os('server', 'add', 'port', 's1', 'p2');
      expect(await portsOf('s1')).toContain(p2.id);
      await os('server', 'remove', 'port', 's1', 'p2');
      await until(async () => !(await portsOf('s1')).includes(p2.id));
      expect((await osJson('port', 'show', 'p2')).device_id).toBe('');

      await os('server', 'remove', 'floating', 'ip', 's1', fip.floating_ip_address);
      expect(await addresses('s1')).not.toContain(fip.floating_ip_address);

      await os('server', 'delete', '--wait', 's1', 's2');
      // the user's port stays, unbound; Nova's went with s1
      expect((await osJson('port', 'show', 'p1')).device_id).toBe('');
      expect(await osJson<unknown[]>('port', 'list', '--network', 'net1', '--device-owner', 'compute:nova')).toEqual(
        [],
      );
      await os('port', 'delete', 'p1', 'p2');
      await os('floating', 'ip', 'delete', fip.floating_ip_address);
      await os('router', 'remove', 'subnet', 'r1', 'sub1');
      await os('router', 'delete', 'r1');
      await os('subnet', 'delete', 'sub1');
      await os('network', 'delete', 'net1');
      expect((await api('/networking/v2.0/networks?name=net1')).networks).toEqual([]);
    },
  );
});

describe('openstacksdk', () => {
  it(
    'create_server(network=…, auto_ip=True): ACTIVE with a floating IP; delete_server',
    { timeout: 300_000 },
    async () => {
      await os('network', 'create', 'sdknet');
      await os('subnet', 'create', '--network', 'sdknet', '--subnet-range', '198.18.33.0/24', 'sdksub');
      await os('router', 'create', 'sdkr');
      await os('router', 'set', '--external-gateway', 'public', 'sdkr');
      await os('router', 'add', 'subnet', 'sdkr', 'sdksub');
      const script = [
        'import openstack, json',
        'conn = openstack.connect()',
        "s = conn.create_server('sdk-net', image='busybox', flavor='m1.tiny', network='sdknet', auto_ip=True, wait=True, timeout=120)",
        "print(json.dumps({'status': s.status, 'public_v4': s.public_v4, 'private_v4': s.private_v4}))",
        // by id: a lookup by name lists servers without their addresses, and the floating IP would stay
        'conn.delete_server(s.id, wait=True, delete_ips=True, timeout=120)',
        "print('deleted')",
      ].join('\n');
      const r = await runCli('python3', ['-c', script], env, { timeoutMs: 240_000 });
      expect(r.code, `stdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);
      const [first, second] = r.stdout.trim().split('\n');
      const out = JSON.parse(first);
      expect(out.status).toBe('ACTIVE');
      expect(out.private_v4).toMatch(/^198\.18\.33\./);
      expect(out.public_v4).toMatch(/^198\.18\.255\./);
      expect(second).toBe('deleted');
      expect((await api('/networking/v2.0/floatingips')).floatingips).toEqual([]);
    },
  );
});
