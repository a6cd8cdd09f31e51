// A resize's migration record through the real clients: after `nova resize` and `nova
// resize-confirm`, `nova migration-list` (nova runs at 2.92) and `openstack server migration list`
// --user --project at 2.80 show the one record: type resize, confirmed, same source and destination host, the
// old and new flavor, who started it. Fake driver; the server is booted over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminEnv, jsonOut, runCli, startListeningApp, type ListeningApp } from '../helpers/cli.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';
import { HostRegistry } from '../../src/compute/hosts/host-registry.js';

const CLI_TIMEOUT = 120_000;
let s: ListeningApp;
let serverId: string;
let ids: { user: string; project: string };

async function waitForVmState(id: string, vmState: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const row = await s.services.instancesRepo.findByUuid(id);
    if (row?.vm_state === vmState && row.task_state === null) return;
    if (Date.now() > deadline)
      throw new Error(`server ${id} did not reach ${vmState} (now ${row?.vm_state}/${row?.task_state})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  s = await startListeningApp();
  await unlimitedQuota(s.services);
  const image = await seedImage(s.services);
  const repo = s.services.identityRepo;
  ids = {
    user: (await repo.findUserByName('default', 'admin'))!.id,
    project: (await repo.findProjectByName('default', 'admin'))!.id,
  };
  const auth = await fetch(`${s.url}/identity/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'admin', password: s.adminPassword, domain: { name: 'Default' } } },
        },
        scope: { project: { name: 'admin', domain: { name: 'Default' } } },
      },
    }),
  });
  const token = auth.headers.get('x-subject-token')!;
  const boot = await fetch(`${s.url}/compute/v2.1/servers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-auth-token': token, 'openstack-api-version': 'compute 2.79' },
    body: JSON.stringify({ server: { name: 'mig-cli', imageRef: image.id, flavorRef: '1', networks: 'none' } }),
  });
  expect(boot.status).toBe(202);
  serverId = ((await boot.json()) as { server: { id: string } }).server.id;
  await waitForVmState(serverId, 'active');
}, 60_000);
afterAll(async () => {
  await s?.close();
});

describe('a resize in the migration lists of the real clients', () => {
  it(
    'nova resize + resize-confirm, then nova migration-list shows the confirmed record',
    async () => {
      const env = adminEnv(s);
      const resize = await runCli('nova', ['resize', serverId, '2'], env, { timeoutMs: CLI_TIMEOUT });
      expect(resize.code, resize.stderr).toBe(0);
      await waitForVmState(serverId, 'resized');
      const confirm = await runCli('nova', ['resize-confirm', serverId], env, { timeoutMs: CLI_TIMEOUT });
      expect(confirm.code, confirm.stderr).toBe(0);
      await waitForVmState(serverId, 'active');

      const r = await runCli('nova', ['migration-list'], env, { timeoutMs: CLI_TIMEOUT });
      expect(r.code, r.stderr).toBe(0);
      const rows = r.stdout.split('\n').filter((l) => l.includes(serverId));
      expect(rows.length, r.stdout).toBe(1);
      const cells = rows[0].split('|').map((c) => c.trim());
      expect(cells).toContain('confirmed');
      expect(cells).toContain('resize');
      expect(cells).toContain(ids.user);
      expect(cells.filter((c) => c === HostRegistry.defaultHostName()).length).toBe(4); // source/dest node and compute
    },
    4 * CLI_TIMEOUT,
  );

  it(
    'openstack server migration list --user --project at 2.80 (the columns User and Project come with the filters)',
    async () => {
      const args = [
        '--os-compute-api-version',
        '2.80',
        'server',
        'migration',
        'list',
        '--user',
        'admin',
        '--project',
        'admin',
        '-f',
        'json',
      ];
      const r = await runCli('openstack', args, adminEnv(s), { timeoutMs: CLI_TIMEOUT });
      expect(r.code, r.stderr).toBe(0);
      const rows = jsonOut<Record<string, unknown>[]>(r);
      expect(rows.length).toBe(1);
      expect(rows[0]).toMatchObject({
        'Server UUID': serverId,
        Status: 'confirmed',
        Type: 'resize',
        'Old Flavor': 1,
        'New Flavor': 2,
        'Source Compute': HostRegistry.defaultHostName(),
        'Dest Compute': HostRegistry.defaultHostName(),
        'Dest Host': '127.0.0.1',
        User: ids.user,
        Project: ids.project,
      });
      expect(rows[0].UUID).toMatch(/^[0-9a-f-]{36}$/);
    },
    CLI_TIMEOUT,
  );
});
