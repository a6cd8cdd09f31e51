// The real Horizon (Debian's openstack-dashboard 23, unmodified) in a real browser (Debian's Chromium,
// headless) against a novadock on the real Docker Engine: login, project switcher, logout, and the list
// pages, each asserting what the page shows (not just its status), no 5xx from Horizon (page or XHR) and
// no error toast. Screenshots of every page go to the folder printed at start.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_PASSWORD,
  bootServer,
  horizonLogTail,
  removeServerLeftovers,
  startHorizonEnv,
  timings,
  uploadTestImage,
  type HorizonEnv,
  type Visit,
} from './harness.js';
import { TEST_IMAGE, docker } from '../helpers/docker-app.js';
import { runCli } from '../helpers/cli.js';

let env: HorizonEnv;
const servers: string[] = [];
let serverIp = '';
let demoProjectId = '';
let testImageTar = '';

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
  testImageTar = path.join(env.shots, '..', `horizon-upload-${process.pid}.tar`);
  docker('image', 'save', TEST_IMAGE, '-o', testImageTar);
  const kp = await env.api('POST', '/compute/v2.1/os-keypairs', { keypair: { name: 'horizon-kp' } });
  expect(kp.status).toBe(200);
  const sg = await env.api('POST', '/compute/v2.1/os-server-groups', {
    server_group: { name: 'horizon-group', policies: ['anti-affinity'] },
  });
  expect(sg.status).toBe(200);
  const agg = await env.api('POST', '/compute/v2.1/os-aggregates', {
    aggregate: { name: 'horizon-agg', availability_zone: null },
  });
  expect(agg.status).toBe(200);
  const id = await bootServer(env, 'horizon-vm1', imageId, { key_name: 'horizon-kp' });
  servers.push(id);
  const server = (await env.api('GET', `/compute/v2.1/servers/${id}`)).body.server;
  serverIp = Object.values<Array<{ addr: string }>>(server.addresses)[0][0].addr;
  // a second project the admin user is a member of, for the project switcher
  const demo = await env.api('POST', '/identity/v3/projects', {
    project: { name: 'horizon-demo', domain_id: 'default' },
  });
  expect(demo.status).toBe(201);
  demoProjectId = demo.body.project.id;
  const roles = (await env.api('GET', '/identity/v3/roles?name=member')).body.roles;
  const users = (await env.api('GET', '/identity/v3/users?name=admin')).body.users;
  const grant = await env.api(
    'PUT',
    `/identity/v3/projects/${demoProjectId}/users/${users[0].id}/roles/${roles[0].id}`,
  );
  expect(grant.status).toBe(204);
  const cred = await env.api('POST', `/identity/v3/users/${users[0].id}/application_credentials`, {
    application_credential: { name: 'horizon-appcred' },
  });
  expect(cred.status).toBe(201);
}, 900_000);

afterAll(async () => {
  for (const id of servers) await env?.api('DELETE', `/compute/v2.1/servers/${id}`).catch(() => undefined);
  removeServerLeftovers(servers);
  if (testImageTar) fs.rmSync(testImageTar, { force: true });
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
    await Promise.all([
      env.page.waitForNavigation(),
      env.page.locator('.dropdown-menu:visible a', { hasText: 'horizon-demo' }).first().click(),
    ]);
    const v = await env.visit('/project/instances/', 'switcher-demo');
    expectClean(v, env);
    expect(await textOf('#navbar-collapse')).toContain('horizon-demo');
    expect(await textOf('table tbody')).toContain('No items to display');
    await env.page.locator('#navbar-collapse .context-selection, #navbar-collapse .dropdown-toggle').first().click();
    await Promise.all([
      env.page.waitForNavigation(),
      env.page
        .locator('.dropdown-menu:visible a', { hasText: /^\s*admin\s*$/ })
        .first()
        .click(),
    ]);
    const back = await env.visit('/project/instances/', 'switcher-back');
    expectClean(back, env);
    expect(await textOf(`#instances__row__${servers[0]}`)).toContain('horizon-vm1');
  });

  const pages: Array<[string, string, () => string[]]> = [
    ['/project/api_access/', 'API Access', () => ['compute', 'identity', 'image']],
    ['/project/images/', 'Images', () => ['busybox', 'Active', 'Public']],
    ['/project/key_pairs/', 'Key Pairs', () => ['horizon-kp']],
    ['/project/server_groups/', 'Server Groups', () => ['horizon-group', 'Anti Affinity']],
    ['/admin/', 'Overview', () => ['admin']],
    ['/admin/hypervisors/', 'All Hypervisors', () => [os.hostname(), 'docker']],
    ['/admin/aggregates/', 'Host Aggregates', () => ['horizon-agg']],
    ['/admin/instances/', 'Instances', () => ['horizon-vm1', serverIp]],
    ['/admin/flavors/', 'Flavors', () => ['m1.tiny', 'c1.nano']],
    ['/admin/images/', 'Images', () => ['busybox', 'Active']],
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

  it('uploads a Docker image from the browser (Create Image, format "Docker"): active, container_format docker, bootable', async () => {
    const v = await env.visit('/project/images/', 'images-before-upload');
    expectClean(v, env);
    const page = env.page;
    await page.locator('button', { hasText: 'Create Image' }).click();
    const modal = page.locator('.modal-dialog', { hasText: 'Image Details' });
    await modal.locator('input[name="name"]').fill('browser-busybox');
    await page.locator('input[type="file"]').first().setInputFiles(testImageTar);
    const format = modal.locator('select', { has: page.locator('option', { hasText: 'QCOW2' }) }).first();
    const options = await format.locator('option').allInnerTexts();
    expect(options).toContain('Docker');
    await format.selectOption({ label: 'Docker' });
    await env.shot('create-image-docker');
    await modal.locator('button', { hasText: 'Create Image' }).click();
    let image: { status: string; container_format: string; disk_format: string; id: string } | undefined;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      image = (await env.api('GET', '/image/v2/images?name=browser-busybox')).body.images[0];
      if (image?.status === 'active') break;
      await page.waitForTimeout(500);
    }
    expect(image).toMatchObject({ status: 'active', container_format: 'docker', disk_format: 'raw' });
    const errors = await page.locator('.alert-danger:visible').allInnerTexts();
    expect(errors).toEqual([]);
    const boot = await env.api(
      'POST',
      '/compute/v2.1/servers',
      { server: { name: 'from-browser-image', imageRef: image!.id, flavorRef: '6', networks: 'none' } },
      { 'OpenStack-API-Version': 'compute 2.79' },
    );
    expect(boot.status).toBe(202);
    servers.push(boot.body.server.id);
    const after = await env.visit('/project/images/', 'images-after-upload');
    expectClean(after, env);
    expect(await textOf('#content_body')).toContain('browser-busybox');
  });

  it("shows an image's detail page", async () => {
    const image = (await env.api('GET', '/image/v2/images?name=busybox')).body.images[0];
    const v = await env.visit(`/ngdetails/OS::Glance::Image/${image.id}`, 'image-detail');
    expectClean(v, env);
    const text = await textOf('#content_body');
    for (const t of ['busybox', 'Active', 'Container Format DOCKER', 'Disk Format RAW', image.id])
      expect(text).toContain(t);
  });

  it("opens a flavor's Update Metadata dialog with no error", async () => {
    const v = await env.visit('/admin/flavors/', 'flavors-before-metadata');
    expectClean(v, env);
    const row = env.page.locator('tr', { hasText: 'c1.nano' }).first();
    await row.locator('.dropdown-toggle').click();
    await row.locator('a', { hasText: 'Update Metadata' }).click();
    await env.page.locator('.modal-dialog', { hasText: 'Update Flavor Metadata' }).waitFor();
    await env.page.waitForLoadState('networkidle');
    await env.shot('flavor-update-metadata');
    expect(await env.page.locator('.alert-danger:visible').allInnerTexts()).toEqual([]);
    await env.page.locator('.modal-dialog button', { hasText: 'Cancel' }).click();
  });

  it('creates a key pair (the private key downloads) and imports a public key', async () => {
    await env.visit('/project/key_pairs/', 'keypairs-before');
    const page = env.page;
    await page.locator('button', { hasText: 'Create Key Pair' }).click();
    await page.locator('.modal-dialog input[name="name"]').fill('browser-kp');
    const download = page.waitForEvent('download');
    await page.locator('.modal-footer button', { hasText: 'Create Key Pair' }).click();
    const file = await (await download).path();
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^-----BEGIN (RSA |OPENSSH )?PRIVATE KEY-----/);
    await page
      .locator('.modal-dialog')
      .first()
      .waitFor({ state: 'detached' })
      .catch(() => undefined);
    await page.locator('button', { hasText: 'Import Public Key' }).click();
    await page.locator('.modal-dialog input[name="name"]').fill('browser-imported');
    const publicKey = (await env.api('POST', '/compute/v2.1/os-keypairs', { keypair: { name: 'throwaway' } })).body
      .keypair.public_key;
    await env.api('DELETE', '/compute/v2.1/os-keypairs/throwaway');
    await page.locator('.modal-dialog textarea').first().fill(publicKey);
    await page.locator('.modal-footer button', { hasText: 'Import Public Key' }).click();
    await page.locator('tr', { hasText: 'browser-imported' }).first().waitFor();
    await env.shot('keypairs-after');
    const names = (await env.api('GET', '/compute/v2.1/os-keypairs')).body.keypairs.map((k: any) => k.keypair.name);
    expect(names).toEqual(expect.arrayContaining(['browser-kp', 'browser-imported']));
    expect(await page.locator('.alert-danger:visible').allInnerTexts()).toEqual([]);
  });

  it('creates a server group', async () => {
    await env.visit('/project/server_groups/', 'server-groups-before');
    const page = env.page;
    await page.locator('button', { hasText: 'Create Server Group' }).click();
    await page.locator('.modal-dialog input').first().fill('browser-group');
    await page.locator('.modal-dialog select').first().selectOption({ label: 'Affinity' });
    await page.locator('.modal-footer button', { hasText: 'Submit' }).click();
    await page.locator('tr', { hasText: 'browser-group' }).first().waitFor();
    const groups = (await env.api('GET', '/compute/v2.1/os-server-groups')).body.server_groups;
    expect(groups.find((g: any) => g.name === 'browser-group')?.policies).toEqual(['affinity']);
    expect(await page.locator('.alert-danger:visible').allInnerTexts()).toEqual([]);
  });

  it("downloads the project's OpenStack RC file, and the CLIs work with it", async () => {
    const res = await env.page.request.get(`${env.horizonUrl}/project/api_access/openrc/`);
    expect(res.status()).toBe(200);
    const rc = path.join(env.shots, '..', `openrc-${process.pid}.sh`);
    fs.writeFileSync(rc, await res.text());
    try {
      const r = await runCli('/bin/bash', ['-c', `source ${rc} >/dev/null <<< "$PW"; openstack server list -f json`], {
        PW: ADMIN_PASSWORD,
      });
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).map((x: any) => x.Name)).toContain('horizon-vm1');
    } finally {
      fs.rmSync(rc, { force: true });
    }
  });

  it('creates a flavor (Admin → Flavors)', async () => {
    await env.visit('/admin/flavors/', 'flavors-before-create');
    const page = env.page;
    await page.locator('#flavors__action_create').click();
    await page.locator('.modal #id_name').fill('browser-flavor');
    await page.locator('.modal #id_vcpus').fill('1');
    await page.locator('.modal #id_memory_mb').fill('96');
    await page.locator('.modal #id_disk_gb').fill('0');
    await Promise.all([page.waitForNavigation(), page.locator('.modal-footer .btn-primary').click()]);
    expect(await textOf('#content_body')).toContain('browser-flavor');
    const flavors = (await env.api('GET', '/compute/v2.1/flavors/detail')).body.flavors;
    expect(flavors.find((f: any) => f.name === 'browser-flavor')).toMatchObject({ vcpus: 1, ram: 96, disk: 0 });
  });

  it('logs out to the login page, and pages then ask for a login', async () => {
    await env.page.goto(`${env.horizonUrl}/auth/logout/`);
    await env.page.locator('#id_username').waitFor();
    await env.shot('logged-out');
    await env.page.goto(`${env.horizonUrl}/project/instances/`);
    expect(new URL(env.page.url()).pathname).toBe('/auth/login/');
  });
});
