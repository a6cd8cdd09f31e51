// The real `openstack` CLI against the network API (app on 127.0.0.1:<ephemeral>, Keystone password
// auth as admin, the fake driver): network, subnet, router, port, floating IP, security group and rule
// create / list / show / set / delete, as a user types them, and errors printed as Neutron words them.
// The commands run in batches through the CLI's interactive mode (one Python start-up per batch).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminEnv, runOpenstackBatch, startListeningApp, type ListeningApp } from '../helpers/cli.js';

let s: ListeningApp;
let env: Record<string, string>;
beforeAll(async () => {
  s = await startListeningApp({}, { background: false });
  env = adminEnv(s);
});
afterAll(async () => {
  await s?.close();
});

type Row = Record<string, unknown>;
type Result = Awaited<ReturnType<typeof runOpenstackBatch>>[number];
/** Runs the commands; `-f json` is added to those named in `json`. Returns results by index. */
async function batch(commands: string[][]): Promise<Result[]> {
  return runOpenstackBatch(commands, env, { timeoutMs: 300_000 });
}
const ok = (r: Result) => {
  expect(r.ok, `openstack ${r.command}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(true);
  return r;
};
const json = <T = Row>(r: Result): T => JSON.parse(ok(r).stdout) as T;
const names = (rows: Row[]) => rows.map((r) => r.Name);
const J = ['-f', 'json'];
const FIP = '198.18.255.77';

describe('openstack network commands', () => {
  it('network, subnet, router, port, floating ip: create, list, show, set, delete', { timeout: 300_000 }, async () => {
    const r = await batch([
      ['network', 'create', '--description', 'cli', 'clinet', ...J], // 0
      ['network', 'list', ...J],
      ['network', 'set', '--name', 'clinet2', 'clinet'],
      ['network', 'show', 'clinet2', ...J],
      [
        'subnet',
        'create',
        '--network',
        'clinet2',
        '--subnet-range',
        '198.18.120.0/24',
        '--allocation-pool',
        'start=198.18.120.10,end=198.18.120.99',
        'clisub',
        ...J,
      ], // 4
      ['subnet', 'set', '--name', 'clisub2', '--dns-nameserver', '198.18.120.53', 'clisub'],
      ['subnet', 'show', 'clisub2', ...J],
      ['subnet', 'list', '--network', 'clinet2', ...J],
      ['router', 'create', 'clirouter', ...J], // 8
      ['router', 'set', '--external-gateway', 'public', 'clirouter'],
      ['router', 'add', 'subnet', 'clirouter', 'clisub2'],
      ['router', 'show', 'clirouter', ...J],
      ['router', 'list', ...J],
      [
        'port',
        'create',
        '--network',
        'clinet2',
        '--fixed-ip',
        'subnet=clisub2,ip-address=198.18.120.50',
        'cliport',
        ...J,
      ], // 13
      ['port', 'set', '--name', 'cliport2', '--description', 'p', 'cliport'],
      ['port', 'show', 'cliport2', ...J],
      ['port', 'list', '--network', 'clinet2', ...J],
      ['floating', 'ip', 'create', '--floating-ip-address', FIP, 'public', ...J], // 17
      ['floating', 'ip', 'set', '--port', 'cliport2', FIP],
      ['floating', 'ip', 'show', FIP, ...J],
      ['floating', 'ip', 'list', ...J],
      ['network', 'delete', 'clinet2'], // 21: in use
      ['floating', 'ip', 'unset', '--port', FIP],
      ['floating', 'ip', 'show', FIP, ...J],
      ['floating', 'ip', 'delete', FIP],
      ['port', 'delete', 'cliport2'], // 25
      ['router', 'remove', 'subnet', 'clirouter', 'clisub2'],
      ['router', 'unset', '--external-gateway', 'clirouter'],
      ['router', 'delete', 'clirouter'],
      ['subnet', 'delete', 'clisub2'],
      ['network', 'delete', 'clinet2'], // 30
      ['network', 'list', ...J],
      ['floating', 'ip', 'list', ...J],
    ]);
    const net = json(r[0]);
    expect(net).toMatchObject({ name: 'clinet', description: 'cli', status: 'ACTIVE', shared: false });
    expect(names(json<Row[]>(r[1]))).toEqual(expect.arrayContaining(['clinet', 'public', 'private']));
    ok(r[2]);
    expect(json(r[3])).toMatchObject({ id: net.id, name: 'clinet2' });
    expect(json(r[4])).toMatchObject({
      cidr: '198.18.120.0/24',
      gateway_ip: '198.18.120.1',
      ip_version: 4,
      network_id: net.id,
    });
    ok(r[5]);
    expect(json(r[6])).toMatchObject({ name: 'clisub2', dns_nameservers: ['198.18.120.53'] });
    expect(names(json<Row[]>(r[7]))).toEqual(['clisub2']);
    const router = json(r[8]);
    ok(r[9]);
    ok(r[10]);
    const pub = json<Row[]>(r[1]).find((n) => n.Name === 'public')!;
    expect(JSON.stringify(json(r[11]).external_gateway_info)).toContain(pub.ID as string);
    expect(names(json<Row[]>(r[12]))).toContain('clirouter');
    const port = json(r[13]);
    expect(JSON.stringify(port.fixed_ips)).toContain('198.18.120.50');
    ok(r[14]);
    expect(json(r[15])).toMatchObject({ id: port.id, name: 'cliport2', description: 'p', status: 'DOWN' });
    expect(names(json<Row[]>(r[16]))).toContain('cliport2');
    expect(json(r[17])).toMatchObject({ floating_ip_address: FIP, port_id: null });
    ok(r[18]);
    expect(json(r[19])).toMatchObject({ port_id: port.id, fixed_ip_address: '198.18.120.50' });
    expect(json<Row[]>(r[20]).map((f) => f['Floating IP Address'])).toContain(FIP);
    expect(r[21].ok).toBe(false);
    expect(r[21].stderr).toMatch(/There are one or more ports still in use on the network/);
    ok(r[22]);
    expect(json(r[23]).port_id).toBeNull();
    for (const i of [24, 25, 26, 27, 28, 29, 30]) ok(r[i]);
    expect(names(json<Row[]>(r[31]))).not.toContain('clinet2');
    expect(json<Row[]>(r[32]).map((f) => f['Floating IP Address'])).not.toContain(FIP);
    expect(router.name).toBe('clirouter');
  });

  it('security group and rule: create, list, show, set, delete', { timeout: 300_000 }, async () => {
    const rule = [
      'security',
      'group',
      'rule',
      'create',
      '--protocol',
      'tcp',
      '--dst-port',
      '8080',
      '--remote-ip',
      '198.18.0.0/16',
      'cliweb',
    ];
    const r = await batch([
      ['security', 'group', 'create', '--description', 'web-servers', 'cliweb', ...J],
      [...rule, ...J],
      rule, // duplicate
      ['security', 'group', 'rule', 'list', 'cliweb', ...J],
      ['security', 'group', 'set', '--name', 'cliweb2', '--description', 'd', 'cliweb'],
      ['security', 'group', 'show', 'cliweb2', ...J],
      ['security', 'group', 'list', ...J],
    ]);
    const sg = json(r[0]);
    expect(sg).toMatchObject({ name: 'cliweb', description: 'web-servers' });
    expect(JSON.stringify(sg.rules)).toContain('egress');
    const created = json(r[1]);
    expect(created).toMatchObject({
      direction: 'ingress',
      protocol: 'tcp',
      port_range_min: 8080,
      port_range_max: 8080,
      remote_ip_prefix: '198.18.0.0/16',
    });
    expect(r[2].ok).toBe(false);
    expect(r[2].stderr).toMatch(/Security group rule already exists/);
    expect(json<Row[]>(r[3]).map((x) => x.ID)).toContain(created.id);
    ok(r[4]);
    expect(json(r[5])).toMatchObject({ id: sg.id, name: 'cliweb2', description: 'd' });
    expect(names(json<Row[]>(r[6]))).toEqual(expect.arrayContaining(['cliweb2', 'default']));

    const id = created.id as string;
    const d = await batch([
      ['security', 'group', 'rule', 'show', id, ...J],
      ['security', 'group', 'rule', 'delete', id],
      ['security', 'group', 'rule', 'show', id],
      ['security', 'group', 'delete', 'cliweb2'],
      ['security', 'group', 'list', ...J],
    ]);
    expect(json(d[0])).toMatchObject({ id, security_group_id: sg.id });
    ok(d[1]);
    expect(d[2].ok).toBe(false);
    ok(d[3]);
    expect(names(json<Row[]>(d[4]))).not.toContain('cliweb2');
  });
});
