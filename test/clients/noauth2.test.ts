// The client modes without Keystone (openstack-contract.md §3) against the app in noauth2 mode on
// 127.0.0.1 with the fake driver: openstack and nova with `--os-auth-type none` send the token
// "notused" (user notused, member of project notused), nova boot --image NAME looks the image up
// under the compute prefix, and openstack server create uses the nova image proxy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOut, runCli, startListeningApp, type ListeningApp } from '../helpers/cli.js';
import { insertServers, seedImage } from '../helpers/servers.js';
import { sql } from '../../src/db/sql.js';

const CLI_TIMEOUT = 90_000;
const expectOk = (r: { code: number; stdout: string; stderr: string }) =>
  expect(r.code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);

let s: ListeningApp;
let compute: string;
let imageId: string;
const seen: { method?: string; url?: string; token?: string }[] = [];
/** nova's `none` mode needs these three set to anything; they are never contacted. */
const novaEnv = { OS_USERNAME: 'whoever', OS_PROJECT_ID: 'whatever', OS_AUTH_URL: 'http://127.0.0.1:9/never-used' };
const osc = (...args: string[]) =>
  runCli('openstack', ['--os-auth-type', 'none', '--os-endpoint', compute, ...args], {}, { timeoutMs: CLI_TIMEOUT });
const nova = (...args: string[]) =>
  runCli('nova', ['--os-auth-type', 'none', '--os-endpoint-override', compute, ...args], novaEnv, {
    timeoutMs: CLI_TIMEOUT,
  });

async function waitActive(name: string): Promise<string> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const row = await sql(s.services.db)('instances').where({ display_name: name, deleted: false }).first();
    if (row?.vm_state === 'active' && row.task_state === null) return row.uuid as string;
    if (Date.now() > deadline) throw new Error(`${name} not active: ${JSON.stringify(row)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  s = await startListeningApp({ authStrategy: 'noauth2' });
  compute = `${s.url}/compute/v2.1`;
  imageId = (await seedImage(s.services, { name: 'busybox' })).id;
  // a server of the admin project: not the notused caller's
  const admin = (await s.services.identityRepo.findProjectByName('default', 'admin'))!;
  await insertServers(s.services, 1, { projectId: admin.id, prefix: 'admins' });
  s.app.server.prependListener('request', (req) => {
    seen.push({ method: req.method, url: req.url, token: req.headers['x-auth-token'] as string | undefined });
  });
}, 60_000);
afterAll(async () => {
  await s?.close();
});

describe('nova --os-auth-type none', () => {
  it('boot --image NAME finds the image under the compute prefix and boots as user notused in project notused', async () => {
    const r = await nova('boot', '--image', 'busybox', '--flavor', 'm1.tiny', 'noauth-nova');
    expectOk(r);
    expect(r.stdout).toMatch(new RegExp(`\\|\\s*image\\s*\\|\\s*busybox \\(${imageId}\\)`));
    const id = await waitActive('noauth-nova');
    expect(r.stdout).toContain(id);
    const lookups = seen.filter((q) => q.url?.startsWith('/compute/v2.1/v2/images'));
    expect(lookups.map((q) => q.url)).toContain('/compute/v2.1/v2/images?name=busybox');
    expect(lookups.every((q) => q.token === 'notused')).toBe(true);
    const row = await sql(s.services.db)('instances').where({ uuid: id }).first();
    expect(row.project_id).toBe((await s.services.identityRepo.findProjectByName('default', 'notused'))!.id);
    expect(row.user_id).toBe((await s.services.identityRepo.findUserByName('default', 'notused'))!.id);
  }, 120_000);

  it("list shows the project's server ACTIVE, not the admin project's", async () => {
    const r = await nova('list');
    expectOk(r);
    expect(r.stdout).toMatch(/\|\s*noauth-nova\s*\|\s*ACTIVE\s*\|/);
    expect(r.stdout).not.toContain('admins-0');
  }, 120_000);
});

describe('openstack --os-auth-type none', () => {
  it('server create --image NAME (nova image proxy), then server list shows both servers', async () => {
    const create = await osc(
      'server',
      'create',
      '--image',
      'busybox',
      '--flavor',
      'm1.tiny',
      'noauth-osc',
      '-f',
      'json',
    );
    expectOk(create);
    expect(jsonOut<{ name: string }>(create).name).toBe('noauth-osc');
    await waitActive('noauth-osc');
    const r = await osc('server', 'list', '-f', 'json');
    expectOk(r);
    const rows = jsonOut<{ Name: string; Status: string; Image: string }[]>(r);
    expect(rows.map((x) => [x.Name, x.Status, x.Image]).sort()).toEqual([
      ['noauth-nova', 'ACTIVE', 'busybox'],
      ['noauth-osc', 'ACTIVE', 'busybox'],
    ]);
    expect(seen.filter((q) => q.url === '/compute/v2.1/servers/detail').every((q) => q.token === 'notused')).toBe(true);
  }, 120_000);

  it('image list against the image endpoint', async () => {
    const r = await runCli(
      'openstack',
      ['--os-auth-type', 'none', '--os-endpoint', `${s.url}/image`, 'image', 'list', '-f', 'json'],
      {},
      { timeoutMs: CLI_TIMEOUT },
    );
    expectOk(r);
    expect(jsonOut<{ ID: string; Name: string; Status: string }[]>(r)).toEqual([
      { ID: imageId, Name: 'busybox', Status: 'active' },
    ]);
    expect(seen.some((q) => q.url === '/image/v2/images' && q.token === 'notused')).toBe(true);
  }, 120_000);
});
