// `nova` at its default 2.92 (novadock's maximum is 2.93) against the app on the real Docker
// Engine: the 2.90 hostname through boot (on a host forced by zone:host), update and rebuild down
// to the container, Nova's refusals of a bad or shared hostname, lock --reason, the 2.84 event
// details, the 2.88 hypervisor, the usage window cut to now, the usage audit log and 2.92 key pair
// names. One server, ~16 CLI calls; its containers are removed by id at the end. Fails (never
// skips) without Docker.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminEnv, runCli, startListeningApp, type CliResult, type ListeningApp } from '../helpers/cli.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';
import { sql } from '../../src/db/sql.js';

const TEST_IMAGE = process.env.TEST_IMAGE ?? 'novadock-test/busybox:latest';
const docker = (...args: string[]) =>
  execFileSync('docker', args, { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const CLI_TIMEOUT = 120_000;
const expectOk = (r: CliResult) => expect(r.code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);
const expectError = (r: CliResult, message: string) => {
  expect(r.code, r.stdout).not.toBe(0);
  expect(r.stderr).toContain(message);
};
/** The value column of a `nova show`-style property table. */
const prop = (out: string, name: string) =>
  out
    .split('\n')
    .find((l) => new RegExp(`^\\|\\s*${name.replace(/[.:]/g, '\\$&')}\\s*\\|`).test(l))
    ?.split('|')[2]
    .trim();

let s: ListeningApp;
let env: Record<string, string>;
let serverId: string;
const nova = (...args: string[]) => runCli('nova', args, env, { timeoutMs: CLI_TIMEOUT });
const containerHostname = (id: string) => docker('inspect', '-f', '{{.Config.Hostname}}', `nova-${id}`);

beforeAll(async () => {
  s = await startListeningApp({ computeDriver: 'docker' });
  env = adminEnv(s);
  await unlimitedQuota(s.services);
  const tar = path.join(s.dataDir, 'busybox.tar');
  docker('image', 'save', TEST_IMAGE, '-o', tar);
  await seedImage(s.services, { name: 'busybox', data: fs.readFileSync(tar) });
}, 60_000);

afterAll(async () => {
  // every server of this app's fresh database is this file's; remove exactly their containers
  const rows: { uuid: string }[] = s ? await sql(s.services.db)('instances').select('uuid') : [];
  for (const { uuid } of rows) {
    try {
      docker('rm', '-f', `nova-${uuid}`);
    } catch {
      /* gone */
    }
  }
  await s?.close();
});

describe('nova at 2.92 on Docker', () => {
  it("boot --hostname --availability-zone zone:host: the server and its container carry the hostname; Nova's refusals of a dotted or shared one", async () => {
    const bad = await nova(
      'boot',
      '--image',
      'busybox',
      '--flavor',
      'm1.tiny',
      '--nic',
      'none',
      '--hostname',
      'web.example',
      'dotted',
    );
    expectError(
      bad,
      "Invalid input for field/attribute hostname. Value: web.example. 'web.example' does not match '^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$' (HTTP 400)",
    );
    const shared = await nova(
      'boot',
      '--image',
      'busybox',
      '--flavor',
      'm1.tiny',
      '--nic',
      'none',
      '--hostname',
      'web',
      '--min-count',
      '2',
      'pair',
    );
    expectError(shared, 'Unable to allocate a single hostname to multiple instances (HTTP 400)');

    // forced onto the host the admin's legacy way (zone:host), which used to be "zone not available"
    const [host] = await s.services.hostsRepo.list();
    const boot = await nova(
      'boot',
      '--image',
      'busybox',
      '--flavor',
      'm1.tiny',
      '--nic',
      'none',
      '--hostname',
      'web-1',
      '--availability-zone',
      `${host.availability_zone}:${host.name}`,
      '--poll',
      'n292',
    );
    expectOk(boot);
    serverId = prop(boot.stdout, 'id')!;
    expect(prop(boot.stdout, 'OS-EXT-SRV-ATTR:hostname')).toBe('web-1');
    expect(prop(boot.stdout, 'OS-EXT-SRV-ATTR:host')).toBe(host.name);
    expect(prop(boot.stdout, 'OS-EXT-AZ:availability_zone')).toBe(host.availability_zone);
    expect(containerHostname(serverId)).toBe('web-1');
    const rows = await sql(s.services.db)('instances').select('display_name');
    expect(rows.map((r) => r.display_name)).toEqual(['n292']);
  }, 240_000);

  it('update --hostname changes the record; rebuild --hostname reaches the container', async () => {
    expectOk(await nova('update', '--hostname', 'web-2', serverId));
    expect((await sql(s.services.db)('instances').where({ uuid: serverId }).first()).hostname).toBe('web-2');
    expectOk(await nova('rebuild', '--hostname', 'web-3', '--poll', serverId, 'busybox'));
    expect(containerHostname(serverId)).toBe('web-3');
  }, 240_000);

  it('lock --reason shows in nova show with the hostname', async () => {
    expectOk(await nova('lock', '--reason', 'maintenance window', serverId));
    const show = await nova('show', serverId);
    expectOk(show);
    expect(prop(show.stdout, 'locked')).toBe('True');
    expect(prop(show.stdout, 'locked_reason')).toBe('maintenance window');
    expect(prop(show.stdout, 'OS-EXT-SRV-ATTR:hostname')).toBe('web-3');
    expect(prop(show.stdout, 'status')).toBe('ACTIVE');
  }, 120_000);

  it('instance-action shows the create event with 2.84 details', async () => {
    const { request_id: requestId } = await sql(s.services.db)('instance_actions')
      .where({ instance_uuid: serverId, action: 'create' })
      .first();
    const show = await nova('instance-action', serverId, requestId);
    expectOk(show);
    expect(prop(show.stdout, 'action')).toBe('create');
    expect(show.stdout).toContain("'event': 'compute__do_build_and_run_instance'");
    expect(show.stdout).toContain("'details': None");
    expect(show.stdout).toContain("'result': 'Success'");
  }, 120_000);

  it("hypervisor-show by id has 2.88's fields (uptime, no vcpus or memory figures)", async () => {
    const list = await nova('hypervisor-list');
    expectOk(list);
    const id = list.stdout
      .split('\n')
      .find((l) => /^\|\s*[0-9a-f-]{36}\s*\|/.test(l))!
      .split('|')[1]
      .trim();
    const show = await nova('hypervisor-show', id);
    expectOk(show);
    expect(prop(show.stdout, 'hypervisor_type')).toBe('docker');
    expect(prop(show.stdout, 'state')).toBe('up');
    expect(prop(show.stdout, 'uptime')).toMatch(/ up \d+ days?,/); // the uptime(1) line (the table wraps its tail)
    expect(prop(show.stdout, 'vcpus')).toBeUndefined();
    expect(prop(show.stdout, 'memory_mb')).toBeUndefined();
  }, 120_000);

  it('usage charges the server up to now, not up to tomorrow where nova ends its window', async () => {
    const usage = await nova('usage');
    expectOk(usage);
    const row = usage.stdout.split('\n').find((l) => /^\|\s*1\s*\|/.test(l));
    expect(row, usage.stdout).toBeDefined();
    const cpuHours = Number(row!.split('|')[3].trim());
    expect(cpuHours).toBeLessThan(1);
  }, 120_000);

  it('instance-usage-audit-log: the last month, the compute host not run (the route used to be 404)', async () => {
    const log = await nova('instance-usage-audit-log', '--before', '2026-11-28 10:00:00');
    expectOk(log);
    expect(prop(log.stdout, 'period_beginning')).toBe('2026-10-01 00:00:00');
    expect(prop(log.stdout, 'period_ending')).toBe('2026-11-01 00:00:00');
    expect(prop(log.stdout, 'total_instances')).toBe('0');
    expect(prop(log.stdout, 'hosts_not_run')).toMatch(/^\['[^']+'\]$/);
    expect(prop(log.stdout, 'overall_status')).toBe('0 of 1 hosts done. 0 errors.');
  }, 120_000);

  it("keypair-add at 2.92 takes a name with '@' and '.', and refuses other characters in Nova's words", async () => {
    const dir = fs.mkdtempSync(path.join(s.dataDir, 'kp-'));
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'n292', '-f', path.join(dir, 'k')]);
    expectOk(await nova('keypair-add', '--pub-key', path.join(dir, 'k.pub'), 'me@host.example'));
    expect(await sql(s.services.db)('keypairs').where({ name: 'me@host.example' }).first()).toBeDefined();
    const bad = await nova('keypair-add', '--pub-key', path.join(dir, 'k.pub'), 'me+host');
    expectError(
      bad,
      "An invalid 'name' value was provided. The name must be: Only expected characters: [@._- 0123456789",
    );
  }, 120_000);
});
