// Part-2 server actions through the real clients against the listening app (fake driver):
// nova image-create (2.45+ image_id) and at 2.44 (Location header), openstack server image create,
// nova rebuild, nova resize + resize-confirm, nova shelve / unshelve.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminEnv, jsonOut, runCli, startListeningApp, type ListeningApp } from '../helpers/cli.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';
import { sql } from '../../src/db/sql.js';

const CLI_TIMEOUT = 120_000;
const expectOk = (r: { code: number; stdout: string; stderr: string }) =>
  expect(r.code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);

let s: ListeningApp;
let env: Record<string, string>;

beforeAll(async () => {
  s = await startListeningApp({ computeDriver: 'fake' });
  env = adminEnv(s);
  await unlimitedQuota(s.services);
  await seedImage(s.services, { name: 'busybox' });
}, 60_000);
afterAll(async () => {
  await s?.close();
});

async function waitVmState(
  name: string,
  state: string,
  timeoutMs = 30_000,
): Promise<{ uuid: string; flavor_id: string; image_ref: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const row = await sql(s.services.db)('instances').where({ display_name: name, deleted: false }).first();
    if (row?.vm_state === state && row.task_state === null) return row;
    if (Date.now() > deadline) throw new Error(`${name} not ${state}: ${JSON.stringify(row)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
async function imageNamed(name: string): Promise<{ id: string; status: string } | undefined> {
  return sql(s.services.db)('images').where({ name }).first();
}
async function waitImageActive(name: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const row = await imageNamed(name);
    if (row?.status === 'active') return row.id;
    if (Date.now() > deadline) throw new Error(`image ${name}: ${JSON.stringify(row)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const nova = (...args: string[]) => runCli('nova', args, env, { timeoutMs: CLI_TIMEOUT });

describe('images from servers', () => {
  it('nova boot; nova image-create (latest: image_id) and at 2.44 (Location); openstack server image create', async () => {
    expectOk(await nova('boot', '--image', 'busybox', '--flavor', 'c1.nano', '--nic', 'none', 'cli-snap'));
    await waitVmState('cli-snap', 'active');
    expectOk(await nova('image-create', 'cli-snap', 'cli-snap-img'));
    await waitImageActive('cli-snap-img');
    await waitVmState('cli-snap', 'active');
    expectOk(await nova('--os-compute-api-version', '2.44', 'image-create', 'cli-snap', 'cli-snap-img-244'));
    await waitImageActive('cli-snap-img-244');
    await waitVmState('cli-snap', 'active');
    const osc = await runCli(
      'openstack',
      ['server', 'image', 'create', '--name', 'osc-snap', '--wait', '-f', 'json', 'cli-snap'],
      env,
      { timeoutMs: CLI_TIMEOUT },
    );
    expectOk(osc);
    const img = jsonOut<{ id: string; name: string; status: string }>(osc);
    expect(img).toMatchObject({ name: 'osc-snap', status: 'active' });
    expect(img.id).toBe((await imageNamed('osc-snap'))!.id);
  }, 240_000);
});

describe('rebuild, resize, shelve', () => {
  it('nova rebuild → ACTIVE with the new image', async () => {
    expectOk(await nova('boot', '--image', 'busybox', '--flavor', 'c1.nano', '--nic', 'none', 'cli-rebuild'));
    await waitVmState('cli-rebuild', 'active');
    const other = await seedImage(s.services, { name: 'busybox-2' });
    const r = await nova('rebuild', 'cli-rebuild', 'busybox-2');
    expectOk(r);
    expect(r.stdout).toMatch(/adminPass/);
    const row = await waitVmState('cli-rebuild', 'active');
    expect(row.image_ref).toBe(other.id);
  }, 180_000);

  it('nova resize → VERIFY_RESIZE; nova resize-confirm → ACTIVE with the new flavor', async () => {
    expectOk(await nova('boot', '--image', 'busybox', '--flavor', 'c1.nano', '--nic', 'none', 'cli-resize'));
    const { uuid } = await waitVmState('cli-resize', 'active');
    expectOk(await nova('resize', 'cli-resize', 'c1.micro'));
    await waitVmState('cli-resize', 'resized');
    expectOk(await nova('resize-confirm', 'cli-resize'));
    const row = await waitVmState('cli-resize', 'active');
    expect(row.flavor_id).toBe('7');
    const show = await nova('show', uuid);
    expectOk(show);
    expect(show.stdout).toMatch(/c1\.micro/);
  }, 180_000);

  it('nova shelve → SHELVED_OFFLOADED; nova unshelve → ACTIVE', async () => {
    expectOk(await nova('boot', '--image', 'busybox', '--flavor', 'c1.nano', '--nic', 'none', 'cli-shelve'));
    await waitVmState('cli-shelve', 'active');
    expectOk(await nova('shelve', 'cli-shelve'));
    await waitVmState('cli-shelve', 'shelved_offloaded');
    expectOk(await nova('unshelve', 'cli-shelve'));
    await waitVmState('cli-shelve', 'active');
    expect(await imageNamed('cli-shelve-shelved')).toBeUndefined();
  }, 180_000);
});
