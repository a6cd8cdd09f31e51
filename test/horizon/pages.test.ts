// The real Horizon (Debian's openstack-dashboard 23, unmodified) in a real browser (Debian's Chromium,
// headless) against a novadock on the real Docker Engine: login, project switcher, logout, and the list
// pages, each asserting what the page shows (not just its status), no 5xx from Horizon (page or XHR) and
// no error toast. Screenshots of every page go to the folder printed at start.
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootServer, horizonLogTail, removeContainers, startHorizonEnv, timings, uploadTestImage, type HorizonEnv, type Visit } from './harness';

let env: HorizonEnv;
const servers: string[] = [];
let serverIp = '';
let demoProjectId = '';

function expectClean(v: Visit, env: HorizonEnv): void {
  const why = `${v.path}: status ${v.status}, 5xx ${JSON.stringify(v.serverErrors)}, alerts ${JSON.stringify(v.errorAlerts)} (screenshot ${v.screenshot})\n${v.serverErrors.length ? horizonLogTail(env) : ''}`;
  expect(v.status, why).toBe(200);
  expect(v.serverErrors, why).toEqual([]);
  expect(v.errorAlerts, why).toEqual([]);
}

/** The visible text of the element (waits for it), whitespace collapsed. */
async function textOf(selector: string): Promise<string> {
  const l = env.page.locator(selector).first();
  await l.waitFor();
  return (await l.innerText()).replace(/\s+/g, ' ');
}

beforeAll(async () => {
  env = await startHorizonEnv('pages');
  const imageId = await uploadTestImage(env, 'busybox');
  const kp = await env.api('POST', '/compute/v2.1/os-keypairs', { keypair: { name: 'horizon-kp' } });
  expect(kp.status).toBe(200);
  const sg = await env.api('POST', '/compute/v2.1/os-server-groups', { server_group: { name: 'horizon-group', policies: ['anti-affinity'] } });
  expect(sg.status).toBe(200);
  const agg = await env.api('POST', '/compute/v2.1/os-aggregates', { aggregate: { name: 'horizon-agg', availability_zone: null } });
  expect(agg.status).toBe(200);
  const id = await bootServer(env, 'horizon-vm1', imageId, { key_name: 'horizon-kp' });
  servers.push(id);
  const server = (await env.api('GET', `/compute/v2.1/servers/${id}`)).body.server;
  serverIp = (Object.values(server.addresses) as Array<Array<{ addr: string }>>)[0][0].addr;
  // a second project the admin user is a member of, for the project switcher
  const demo = await env.api('POST', '/identity/v3/projects', { project: { name: 'horizon-demo', domain_id: 'default' } });
  expect(demo.status).toBe(201);
  demoProjectId = demo.body.project.id;
  const roles = (await env.api('GET', '/identity/v3/roles?name=member')).body.roles;
  const users = (await env.api('GET', '/identity/v3/users?name=admin')).body.users;
  const grant = await env.api('PUT', `/identity/v3/projects/${demoProjectId}/users/${users[0].id}/roles/${roles[0].id}`);
  expect(grant.status).toBe(204);
  const cred = await env.api('POST', `/identity/v3/users/${users[0].id}/application_credentials`, { application_credential: { name: 'horizon-appcred' } });
  expect(cred.status).toBe(201);
}, 900_000);

afterAll(async () => {
  for (const id of servers) await env?.api('DELETE', `/compute/v2.1/servers/${id}`).catch(() => undefined);
  removeContainers(servers);
  await env?.close();
  console.log(`[horizon] timings (ms): ${JSON.stringify(timings)}`);
}, 120_000);

describe('Horizon against novadock: login, switcher, list pages, logout', () => {
  it('logs in with a password (unscoped token, project list, project scope) and shows the instances with their IPs', async () => {
    const t0 = Date.now();
    await env.login();
    timings['login'] = Date.now() - t0;
    const v = await env.visit('/project/instances/', 'project-instances');
    timings['page load (instances)'] = v.ms;
    expectClean(v, env);
    expect(await textOf('h1')).toContain('Instances');
    const row = await textOf(`#instances__row__${servers[0]}`);
    for (const t of ['horizon-vm1', serverIp, 'Active', 'c1.nano', 'busybox', 'Running']) expect(row).toContain(t);
    expect(await textOf('#navbar-collapse')).toContain('admin');
  });

  it('switches projects with the project switcher and back', async () => {
    await env.visit('/project/instances/', 'switcher-before');
    await env.page.locator('#navbar-collapse .context-selection, #navbar-collapse .dropdown-toggle').first().click();
    const menu = await textOf('.dropdown-menu:visible');
    expect(menu).toContain('horizon-demo');
    expect(menu).toContain('admin');
    await env.shot('switcher-menu');
    await Promise.all([env.page.waitForNavigation(), env.page.locator('.dropdown-menu:visible a', { hasText: 'horizon-demo' }).first().click()]);
    const v = await env.visit('/project/instances/', 'switcher-demo');
    expectClean(v, env);
    expect(await textOf('#navbar-collapse')).toContain('horizon-demo');
    expect(await textOf('table tbody')).toContain('No items to display');
    await env.page.locator('#navbar-collapse .context-selection, #navbar-collapse .dropdown-toggle').first().click();
    await Promise.all([env.page.waitForNavigation(), env.page.locator('.dropdown-menu:visible a', { hasText: /^\s*admin\s*$/ }).first().click()]);
    const back = await env.visit('/project/instances/', 'switcher-back');
    expectClean(back, env);
    expect(await textOf(`#instances__row__${servers[0]}`)).toContain('horizon-vm1');
  });

  const pages: Array<[string, string, () => string[]]> = [
    ['/project/api_access/', 'API Access', () => ['compute', 'identity', 'image']],
    ['/project/key_pairs/', 'Key Pairs', () => ['horizon-kp']],
    ['/project/server_groups/', 'Server Groups', () => ['horizon-group', 'Anti Affinity']],
    ['/admin/', 'Overview', () => ['admin']],
    ['/admin/hypervisors/', 'All Hypervisors', () => [os.hostname(), 'docker']],
    ['/admin/aggregates/', 'Host Aggregates', () => ['horizon-agg']],
    ['/admin/instances/', 'Instances', () => ['horizon-vm1', serverIp]],
    ['/admin/flavors/', 'Flavors', () => ['m1.tiny', 'c1.nano']],
    ['/admin/defaults/', 'Defaults', () => ['Instances', 'Key Pairs']],
    ['/admin/info/', 'System Information', () => ['nova', 'glance', 'keystone']],
    ['/identity/', 'Projects', () => ['admin', 'horizon-demo']],
    ['/identity/users/', 'Users', () => ['admin']],
    ['/identity/groups/', 'Groups', () => ['No items to display']],
    ['/identity/roles/', 'Roles', () => ['admin', 'member', 'reader']],
    ['/identity/application_credentials/', 'Application Credentials', () => ['horizon-appcred']],
    ['/settings/', 'User Settings', () => ['Language', 'Timezone']],
  ];
  for (const [p, h1, texts] of pages) {
    it(`shows ${p} (${h1})`, async () => {
      const v = await env.visit(p);
      expectClean(v, env);
      expect(await textOf('h1')).toContain(h1);
      const text = await textOf('#content_body');
      for (const t of texts()) expect(text, `${p} should show ${t} (screenshot ${v.screenshot})`).toContain(t);
    });
  }

  it('logs out to the login page, and pages then ask for a login', async () => {
    await env.page.goto(`${env.horizonUrl}/auth/logout/`);
    await env.page.locator('#id_username').waitFor();
    await env.shot('logged-out');
    await env.page.goto(`${env.horizonUrl}/project/instances/`);
    expect(new URL(env.page.url()).pathname).toBe('/auth/login/');
  });
});
