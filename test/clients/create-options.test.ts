// Server-create options through python-novaclient against the listening app (fake driver):
// `nova boot --file` at 2.56 injects the local file's bytes (the client base64-encodes it), and
// `--security-groups` takes the default group and gets Nova-with-Neutron's 400 for any other.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminEnv, runCli, startListeningApp, type ListeningApp } from '../helpers/cli';
import { seedImage, unlimitedQuota } from '../helpers/servers';
import type { FakeDriver } from '../../src/virt/fake/fake-driver';

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

const nova = (...args: string[]) => runCli('nova', ['--os-compute-api-version', '2.56', ...args], env, { timeoutMs: CLI_TIMEOUT });

async function activeRow(name: string): Promise<{ uuid: string; host_id: number }> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const row = await s.services.db('instances').where({ display_name: name, deleted: false }).first();
    if (row?.vm_state === 'active' && row.task_state === null) return row;
    if (Date.now() > deadline) throw new Error(`${name} not active: ${JSON.stringify(row)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('nova boot options', () => {
  it('--file /etc/motd=local puts the local file into the server; --security-groups default is accepted', async () => {
    const local = path.join(dir, 'motd');
    fs.writeFileSync(local, 'motd from the client\n');
    const r = await nova('boot', '--image', 'busybox', '--flavor', 'c1.nano', '--nic', 'none', '--security-groups', 'default',
      '--file', `/etc/motd=${local}`, 'cli-files');
    expect(r.code, r.stderr).toBe(0);
    const row = await activeRow('cli-files');
    const fake = (await s.services.hosts.driverFor(row.host_id)) as FakeDriver;
    expect(fake.injectedFiles(row.uuid)).toEqual({ '/etc/motd': 'motd from the client\n' });
  });

  it('--security-groups with an unknown group is a 400 with Neutron\'s words', async () => {
    const r = await nova('boot', '--image', 'busybox', '--flavor', 'c1.nano', '--nic', 'none', '--security-groups', 'web', 'cli-sg');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("Unable to find security_group with name or id 'web' (HTTP 400)");
  });
});
