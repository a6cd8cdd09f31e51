// The Instances table's row actions in the real Horizon, in a real browser, on a server in a real Docker
// container: each action is clicked as a user would (row menu, confirmation dialog or form), and both the
// row Horizon shows and the server's state in novadock's API must follow.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bootServer,
  horizonLogTail,
  deleteServers,
  startHorizonEnv,
  uploadTestImage,
  waitForServer,
  type HorizonEnv,
} from './harness.js';
import { docker } from '../helpers/docker-app.js';

let env: HorizonEnv;
let imageId = '';
let id = '';
const servers: string[] = [];
const images: string[] = [];

const row = () => env.page.locator(`#instances__row__${id}`);
const rowText = async () => (await row().innerText()).replace(/\s+/g, ' ');

/** Polls the API (cheap) until the server settles as `pred` says, then loads the Instances page until
 * Horizon's row matches (normally at once). `status` is the API's status to wait for. */
async function waitRow(re: RegExp, status: string, ms = 60_000): Promise<string> {
  await waitForServer(env, id, (s) => s.status === status && s['OS-EXT-STS:task_state'] === null, ms);
  const deadline = Date.now() + 15_000;
  let last = '';
  for (;;) {
    await env.page.goto(`${env.horizonUrl}/project/instances/`);
    last = await rowText().catch(() => '(no row)');
    if (re.test(last)) return last;
    if (Date.now() > deadline) throw new Error(`row never matched ${re}: ${last}`);
    await env.page.waitForTimeout(500);
  }
}

/** Clicks a row action (opening the row's menu when it is in there), confirms it or fills its form, waits
 * for Horizon's redirect, and returns the messages shown; an error message fails the test. */
async function rowAction(name: string, form?: () => Promise<void>): Promise<string> {
  await env.page.goto(`${env.horizonUrl}/project/instances/`);
  const button = env.page.locator(`#instances__row_${id}__action_${name}`);
  if (!(await button.isVisible())) await row().locator('.dropdown-toggle').first().click();
  const navigated = env.page.waitForNavigation({ timeout: 60_000 });
  await button.click();
  if (form) {
    await env.page.locator('.modal form').first().waitFor();
    await form();
  } else {
    const confirm = env.page.locator('.modal-footer .btn-danger, .modal-footer .btn-primary').first();
    await confirm.waitFor({ timeout: 3000 }).then(
      () => confirm.click(),
      () => undefined,
    );
  }
  await navigated;
  await env.page.waitForLoadState('networkidle').catch(() => undefined);
  await env.shot(`action-${name}`);
  const errors = await env.page.locator('.alert-danger:visible').allInnerTexts();
  expect(errors, `${name}: ${errors.join(' | ')}\n${horizonLogTail(env)}`).toEqual([]);
  return (await env.page.locator('.alert:visible').allInnerTexts()).join(' ').replace(/\s+/g, ' ');
}

const api = async () =>
  (await env.api('GET', `/compute/v2.1/servers/${id}`, undefined, { 'OpenStack-API-Version': 'compute 2.79' })).body
    .server;
const containerState = () => docker('inspect', '-f', '{{.State.Status}}', `nova-${id}`);

beforeAll(async () => {
  env = await startHorizonEnv('actions');
  imageId = await uploadTestImage(env, 'busybox');
  id = await bootServer(env, 'horizon-actions', imageId);
  servers.push(id);
  await env.login();
}, 900_000);

afterAll(async () => {
  await deleteServers(env, servers);
  for (const i of images) await env?.api('DELETE', `/image/v2/images/${i}`).catch(() => undefined);
  await env?.close();
}, 120_000);

describe('Horizon Instances row actions on a real container', () => {
  it('shuts off and starts', async () => {
    await rowAction('stop');
    expect(await waitRow(/Shutoff.*Shut Down/, 'SHUTOFF')).toContain('horizon-actions');
    expect((await api()).status).toBe('SHUTOFF');
    expect(containerState()).toBe('exited');
    await rowAction('start');
    await waitRow(/Active.*None.*Running/, 'ACTIVE');
    expect(containerState()).toBe('running');
  });

  it('reboots soft and hard', async () => {
    const started = () => docker('inspect', '-f', '{{.State.StartedAt}}', `nova-${id}`);
    let before = started();
    expect(await rowAction('soft_reboot')).toContain('Soft Rebooted Instance');
    await waitRow(/Active.*None.*Running/, 'ACTIVE');
    await waitForServer(env, id, (s) => s.status === 'ACTIVE' && s['OS-EXT-STS:task_state'] === null);
    expect(started()).not.toBe(before);
    before = started();
    expect(await rowAction('reboot')).toContain('Hard Rebooted Instance');
    await waitRow(/Active.*None.*Running/, 'ACTIVE');
    await waitForServer(env, id, (s) => s.status === 'ACTIVE' && s['OS-EXT-STS:task_state'] === null);
    expect(started()).not.toBe(before);
  });

  it('pauses and resumes, suspends and resumes', async () => {
    await waitRow(/Active.*None.*Running/, 'ACTIVE');
    await rowAction('pause');
    await waitRow(/Paused/, 'PAUSED');
    expect(containerState()).toBe('paused');
    await rowAction('pause'); // the toggle now reads "Resume Instance"
    await waitRow(/Active.*Running/, 'ACTIVE');
    expect(containerState()).toBe('running');
    await rowAction('suspend');
    await waitRow(/Suspended/, 'SUSPENDED');
    expect((await api()).status).toBe('SUSPENDED');
    await rowAction('suspend');
    await waitRow(/Active.*Running/, 'ACTIVE');
    expect(containerState()).toBe('running');
  });

  it('locks and unlocks', async () => {
    await waitRow(/Active.*None.*Running/, 'ACTIVE');
    await rowAction('lock');
    await waitForServer(env, id, (s) => s.locked === true, 10_000);
    expect(await row().locator('.fa-lock').count()).toBe(1);
    await rowAction('unlock');
    await waitForServer(env, id, (s) => s.locked === false, 10_000);
    await env.page.goto(`${env.horizonUrl}/project/instances/`);
    expect(await row().locator('.fa-unlock').count()).toBe(1);
  });

  it('creates a snapshot (an active docker image) and rebuilds from it', async () => {
    await rowAction('snapshot', async () => {
      await env.page.fill('#id_name', 'horizon-snap');
      await env.page.locator('.modal-footer .btn-primary').click();
    });
    const deadline = Date.now() + 60_000;
    let snap: any;
    while (Date.now() < deadline) {
      snap = (await env.api('GET', '/image/v2/images?name=horizon-snap')).body.images[0];
      if (snap?.status === 'active') break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(snap?.status).toBe('active');
    expect(snap.container_format).toBe('docker');
    images.push(snap.id);
    await waitRow(/Active.*None/, 'ACTIVE');
    await rowAction('rebuild', async () => {
      const value = await env.page
        .locator('#id_image option', { hasText: 'horizon-snap' })
        .first()
        .getAttribute('value');
      expect(value).toBeTruthy();
      await env.page.locator('#id_image').selectOption(value);
      await env.page.locator('.modal-footer .btn-primary').click();
    });
    expect(await waitRow(/horizon-snap.*Active.*None.*Running/, 'ACTIVE')).toContain('horizon-snap');
    expect((await api()).image.id).toBe(snap.id);
  });

  it('resizes to another flavor and confirms', async () => {
    await rowAction('resize', async () => {
      await env.page.locator('.modal .themable-select:has(#id_flavor) .dropdown-toggle').click();
      await env.page
        .locator('.modal .themable-select:has(#id_flavor) .dropdown-menu a', { hasText: 'c1.micro' })
        .first()
        .click();
      await env.page.locator('.modal-footer .btn-primary').click();
    });
    await waitRow(/Confirm or Revert Resize/, 'VERIFY_RESIZE');
    await rowAction('confirm');
    expect(await waitRow(/c1\.micro.*Active.*None/, 'ACTIVE')).toContain('c1.micro');
    expect((await api()).flavor.original_name).toBe('c1.micro');
    expect(docker('inspect', '-f', '{{.HostConfig.Memory}}', `nova-${id}`)).toBe(String(128 * 1024 * 1024));
  });

  it('shelves and unshelves', async () => {
    await rowAction('shelve');
    await waitRow(/Shelved Offloaded/, 'SHELVED_OFFLOADED', 90_000);
    expect((await api()).status).toBe('SHELVED_OFFLOADED');
    await rowAction('shelve'); // the toggle now reads "Unshelve Instance"
    await waitRow(/Active.*Running/, 'ACTIVE', 90_000);
    expect(containerState()).toBe('running');
  });

  it('deletes', async () => {
    await rowAction('delete');
    await waitForServer(env, id, (s) => s === null, 60_000);
    await env.page.goto(`${env.horizonUrl}/project/instances/`);
    expect(await row().count()).toBe(0);
    expect(() => containerState()).toThrow();
  });
});
