// The browser console in a real browser on a real container: the URL of os-getVNCConsole (novnc) and of
// remote-consoles vnc/novnc is a page served by novadock with xterm.js; typing `echo $((6*7))` in it
// prints 42 from the container's shell; closing the page leaves the server running; the used link then
// gets a page that says so. Then the same through Horizon: its console view (the one its Console tab
// links to, "Click here to show only console") opens novadock's page, and the shell answers there too;
// and in the Console tab of the instance detail page itself (a frame with the same page).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame, Page } from 'playwright-core';
import {
  bootServer,
  deleteServers,
  startHorizonEnv,
  uploadTestImage,
  waitForServer,
  type HorizonEnv,
} from './harness.js';
import { docker } from '../helpers/docker-app.js';

let env: HorizonEnv;
let id = '';
const servers: string[] = [];

/** The terminal's visible lines (xterm's DOM renderer rows), trailing blanks dropped. */
async function screenLines(page: Page | Frame): Promise<string[]> {
  const rows = await page.locator('.xterm-rows > div').allInnerTexts();
  return rows.map((r) => r.replace(/\u00a0/g, ' ').trimEnd());
}

/** Waits for a terminal line equal to `line` (or matching it), returns that line. */
async function waitForLine(page: Page | Frame, line: string | RegExp, ms = 20_000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const lines = await screenLines(page);
    const hit = lines.find((l) => (typeof line === 'string' ? l === line : line.test(l)));
    if (hit !== undefined) return hit;
    if (Date.now() > deadline)
      throw new Error(`no line ${String(line)} on the terminal within ${ms} ms:\n${lines.join('\n')}`);
    await page.waitForTimeout(100);
  }
}

/** Waits for the page's status bar to say the websocket is open, then types a command (into the
 * terminal's page, or its frame inside a Horizon page). */
async function runInTerminal(page: Page, command: string, frame: Page | Frame = page): Promise<void> {
  await frame.locator('#status.connected').waitFor({ timeout: 20_000 });
  await frame.locator('.xterm-helper-textarea').focus();
  await page.keyboard.type(command);
  await page.keyboard.press('Enter');
}

beforeAll(async () => {
  env = await startHorizonEnv('console');
  const image = await uploadTestImage(env, 'busybox');
  id = await bootServer(env, 'horizon-console', image);
  servers.push(id);
}, 900_000);

afterAll(async () => {
  await deleteServers(env, servers);
  await env?.close();
}, 120_000);

describe('the browser console', () => {
  it('os-getVNCConsole novnc gives a page where `echo $((6*7))` prints 42 from the container', async () => {
    const res = await env.api('POST', `/compute/v2.1/servers/${id}/action`, { 'os-getVNCConsole': { type: 'novnc' } });
    expect(res.status).toBe(200);
    expect(res.body.console.type).toBe('novnc');
    const page = await env.context.newPage();
    try {
      const loaded = await page.goto(res.body.console.url);
      expect(loaded?.status()).toBe(200);
      await runInTerminal(page, 'echo $((6*7)) | tee /tmp/from-browser');
      await waitForLine(page, '42');
      await waitForLine(page, /echo \$\(\(6\*7\)\) \| tee/); // the TTY echoed what was typed
      await page.screenshot({ path: `${env.shots}/console-novnc-42.png` });
      // it ran in the container
      expect(docker('exec', `nova-${id}`, 'cat', '/tmp/from-browser')).toBe('42');
      // the terminal has the page's size, not 80x24
      await runInTerminal(page, 'echo size=$(stty size)');
      const size = await waitForLine(page, /^size=\d+ \d+$/);
      expect(size).not.toBe('size=24 80');
    } finally {
      await page.close();
    }
    // closing the page leaves the server and its container running
    await new Promise((r) => setTimeout(r, 2500));
    expect((await waitForServer(env, id, (s) => s.status === 'ACTIVE', 5000)).status).toBe('ACTIVE');
    expect(docker('inspect', '-f', '{{.State.Status}}', `nova-${id}`)).toBe('running');
    // the link was used: loading it again gets a page that says so, not a hang
    const again = await env.context.newPage();
    try {
      const r = await again.goto(res.body.console.url);
      expect(r?.status()).toBe(410);
      expect(await again.locator('h1').innerText()).toBe('This console link has already been used');
      await again.screenshot({ path: `${env.shots}/console-used-link.png` });
    } finally {
      await again.close();
    }
  });

  it('remote-consoles vnc/novnc (2.6+) gives the same kind of page', async () => {
    const res = await env.api(
      'POST',
      `/compute/v2.1/servers/${id}/remote-consoles`,
      { remote_console: { protocol: 'vnc', type: 'novnc' } },
      { 'OpenStack-API-Version': 'compute 2.8' },
    );
    expect(res.status).toBe(200);
    const page = await env.context.newPage();
    try {
      await page.goto(res.body.remote_console.url);
      await runInTerminal(page, 'echo $((6*7))');
      await waitForLine(page, '42');
    } finally {
      await page.close();
    }
  });

  it("through Horizon: the instance's console view opens novadock's terminal, and the shell answers there", async () => {
    await env.login();
    const page = env.page;
    const t0 = Date.now();
    await page.goto(`${env.horizonUrl}/project/instances/${id}/vnc`);
    // Horizon asked novadock for a novnc console and redirected to its URL (with Horizon's &title=…)
    const url = new URL(page.url());
    expect(url.pathname).toBe('/compute/console/terminal');
    expect(url.searchParams.get('title')).toBe(`horizon-console(${id})`);
    expect(await page.title()).toBe(`Console: horizon-console(${id})`);
    await runInTerminal(page, 'echo $((6*7))');
    await waitForLine(page, '42');
    console.log(`[horizon] console through Horizon: 42 after ${Date.now() - t0} ms`);
    await env.shot('console-through-horizon');
  });

  it("through Horizon: the instance detail page's Console tab embeds the terminal, and the shell answers there", async () => {
    const v = await env.visit(`/project/instances/${id}/?tab=instance_details__console`, 'console-tab');
    expect(v.status).toBe(200);
    expect(v.serverErrors).toEqual([]);
    const frame = env.page.frame({ url: /\/compute\/console\/terminal\?/ });
    expect(frame, 'the Console tab has no frame with the terminal').not.toBeNull();
    await runInTerminal(env.page, 'echo $((6*7))', frame!);
    await waitForLine(frame!, '42');
    await env.shot('console-tab-42');
  });
});
