// Server-create options through python-novaclient against the listening app (fake driver):
// `nova boot --file` at 2.56 and `openstack server create --file` inject the local file's bytes
// (the client base64-encodes it), `--boot-from-volume` is refused (no block storage), and
// `--security-groups` takes the default group and gets Nova-with-Neutron's 400 for any other;
// `openstack server create --security-group` finds the group through /os-security-groups first.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminEnv, runCli, startListeningApp, type ListeningApp } from '../helpers/cli.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';
import type { FakeDriver } from '../../src/virt/fake/fake-driver.js';
import { sql } from '../../src/db/sql.js';

const CLI_TIMEOUT = 120_000;
let s: ListeningApp;
let env: Record<string, string>;
let dir: string;

beforeAll(async () => {
  s = await startListeningApp({ computeDriver: 'fake' });
  env = adminEnv(s);
  await unlimitedQuota(s.services);
  await seedImage(s.services, { name: 'busybox' });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'novadock-files-'));
}, 60_000);
afterAll(async () => {
  await s?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const nova = (...args: string[]) =>
  runCli('nova', ['--os-compute-api-version', '2.56', ...args], env, { timeoutMs: CLI_TIMEOUT });

async function activeRow(name: string): Promise<{ uuid: string; host_id: number }> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const row = await sql(s.services.db)('instances').where({ display_name: name, deleted: false }).first();
    if (row?.vm_state === 'active' && row.task_state === null) return row;
    if (Date.now() > deadline) throw new Error(`${name} not active: ${JSON.stringify(row)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('nova boot options', () => {
  it('--file /etc/motd=local puts the local file into the server; --security-groups default is accepted', async () => {
    const local = path.join(dir, 'motd');
    fs.writeFileSync(local, 'motd from the client\n');
    const r = await nova(
      'boot',
      '--image',
      'busybox',
      '--flavor',
      'c1.nano',
      '--nic',
      'none',
      '--security-groups',
      'default',
      '--file',
      `/etc/motd=${local}`,
      'cli-files',
    );
    expect(r.code, r.stderr).toBe(0);
    const row = await activeRow('cli-files');
    const fake = (await s.services.hosts.driverFor(row.host_id)) as FakeDriver;
    expect(fake.injectedFiles(row.uuid)).toEqual({ '/etc/motd': 'motd from the client\n' });
  }, 180_000);

  it('openstack server create --file injects too; --boot-from-volume gets the no-block-storage 400', async () => {
    const local = path.join(dir, 'issue');
    fs.writeFileSync(local, 'from openstack\n');
    const osc = (...args: string[]) => runCli('openstack', args, env, { timeoutMs: CLI_TIMEOUT });
    const r = await osc(
      'server',
      'create',
      '--image',
      'busybox',
      '--flavor',
      'c1.nano',
      '--file',
      `/etc/issue=${local}`,
      'osc-files',
      '-f',
      'json',
      '-c',
      'id',
    );
    expect(r.code, r.stderr).toBe(0);
    const row = await activeRow('osc-files');
    const fake = (await s.services.hosts.driverFor(row.host_id)) as FakeDriver;
    expect(fake.injectedFiles(row.uuid)).toEqual({ '/etc/issue': 'from openstack\n' });
    const bfv = await osc(
      'server',
      'create',
      '--image',
      'busybox',
      '--flavor',
      'c1.nano',
      '--boot-from-volume',
      '1',
      'osc-bfv',
    );
    expect(bfv.code).not.toBe(0);
    expect(bfv.stderr).toContain('Block Device Mapping is Invalid: novadock has no block storage');
    expect(bfv.stderr).toContain('(HTTP 400)');
  }, 180_000);

  it("--security-groups with an unknown group is a 400 with Neutron's words", async () => {
    const r = await nova(
      'boot',
      '--image',
      'busybox',
      '--flavor',
      'c1.nano',
      '--nic',
      'none',
      '--security-groups',
      'web',
      'cli-sg',
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("Unable to find security_group with name or id 'web' (HTTP 400)");
  }, 180_000);

  it('openstack server create --security-group default: the client finds the group, the server is in it; an unknown one is not found', async () => {
    const osc = (...args: string[]) => runCli('openstack', args, env, { timeoutMs: CLI_TIMEOUT });
    const r = await osc(
      'server',
      'create',
      '--image',
      'busybox',
      '--flavor',
      'c1.nano',
      '--security-group',
      'default',
      'osc-sg',
      '-f',
      'json',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.stringify(JSON.parse(r.stdout).security_groups)).toContain('default');
    await activeRow('osc-sg');
    const bad = await osc(
      'server',
      'create',
      '--image',
      'busybox',
      '--flavor',
      'c1.nano',
      '--security-group',
      'web',
      'osc-sg-bad',
    );
    expect(bad.code).not.toBe(0);
    // with a network service in the catalog the client looks the name up there, and finds none
    expect(bad.stderr).toMatch(/web/);
  }, 180_000);
});
