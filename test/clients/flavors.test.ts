// The real CLIs against the app on 127.0.0.1:<ephemeral>, with Keystone password auth as admin:
// openstack flavor list / show / create, nova flavor-list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminEnv, jsonOut, runCli, startListeningApp, type ListeningApp } from '../helpers/cli.js';

let s: ListeningApp;
let env: Record<string, string>;
beforeAll(async () => {
  s = await startListeningApp({}, { background: false });
  env = adminEnv(s);
});
afterAll(async () => {
  await s?.close();
});

const CLI_TIMEOUT = 90_000;
const expectOk = (r: { code: number; stdout: string; stderr: string }) =>
  expect(r.code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);

describe('openstack and nova flavor commands', () => {
  it('openstack flavor list shows the default flavors', async () => {
    const r = await runCli('openstack', ['flavor', 'list', '-f', 'json'], env, { timeoutMs: CLI_TIMEOUT });
    expectOk(r);
    const rows = jsonOut<Array<Record<string, unknown>>>(r);
    const tiny = rows.find((x) => x.Name === 'm1.tiny');
    expect(tiny).toMatchObject({ ID: '1', RAM: 512, Disk: 1, VCPUs: 1, 'Is Public': true });
    expect(rows.map((x) => x.Name)).toEqual(
      expect.arrayContaining(['m1.small', 'm1.xlarge', 'c1.nano', 'c1.micro', 'c1.small']),
    );
  }, 120_000);

  it('openstack flavor show m1.tiny finds it by name (after the 404 on /flavors/m1.tiny)', async () => {
    const r = await runCli('openstack', ['flavor', 'show', 'm1.tiny', '-f', 'json'], env, { timeoutMs: CLI_TIMEOUT });
    expectOk(r);
    const f = jsonOut<Record<string, unknown>>(r);
    expect(f).toMatchObject({ id: '1', name: 'm1.tiny', ram: 512, disk: 1, vcpus: 1 });
  }, 120_000);

  it('nova flavor-list prints the flavors table', async () => {
    const r = await runCli('nova', ['flavor-list'], env, { timeoutMs: CLI_TIMEOUT });
    expectOk(r);
    const line = r.stdout.split('\n').find((l) => /\|\s*m1\.tiny\s*\|/.test(l));
    expect(line, r.stdout).toBeDefined();
    const cells = line!.split('|').map((c) => c.trim());
    // | ID | Name | Memory_MiB | Disk | Ephemeral | Swap | VCPUs | RXTX_Factor | Is_Public |
    expect(cells.slice(1, 4)).toEqual(['1', 'm1.tiny', '512']);
    expect(r.stdout).toMatch(/\|\s*c1\.nano\s*\|\s*64\s*\|/);
  }, 120_000);

  it('openstack flavor create --ram 64 --vcpus 1 --disk 0 x1 (admin) creates the flavor; a second create with that name is refused', async () => {
    const r = await runCli(
      'openstack',
      ['flavor', 'create', '--ram', '64', '--vcpus', '1', '--disk', '0', 'x1', '-f', 'json'],
      env,
      { timeoutMs: CLI_TIMEOUT },
    );
    expectOk(r);
    const f = jsonOut<Record<string, unknown>>(r);
    expect(f).toMatchObject({ name: 'x1', ram: 64, vcpus: 1, disk: 0 });
    const stored = await s.services.flavors.find(String(f.id));
    expect(stored).toMatchObject({ name: 'x1', memory_mb: 64, vcpus: 1, root_gb: 0, is_public: true });
    const again = await runCli(
      'openstack',
      ['flavor', 'create', '--ram', '64', '--vcpus', '1', '--disk', '0', 'x1'],
      env,
      { timeoutMs: CLI_TIMEOUT },
    );
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/Flavor with name x1 already exists/);
  }, 200_000);
});
