// Real clients asking for console URLs: `openstack console url show` (default --novnc, --serial,
// --spice) and `nova get-vnc-console` / `get-serial-console`, against the app on loopback (fake
// driver). The novnc URL is the service's browser terminal page, which answers a plain GET; the serial
// URL stays Nova's ws:// form; other console types keep Nova's 400.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminEnv, jsonOut, runCli, startListeningApp, type ListeningApp } from '../helpers/cli.js';
import { seedImage } from '../helpers/servers.js';
import { sql } from '../../src/db/sql.js';

const CLI_TIMEOUT = 120_000;
const expectOk = (r: { code: number; stdout: string; stderr: string }) =>
  expect(r.code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);

let s: ListeningApp;
let env: Record<string, string>;
let serverId: string;

beforeAll(async () => {
  s = await startListeningApp();
  env = adminEnv(s);
  const image = await seedImage(s.services, { name: 'console-image' });
  const tokenRes = await fetch(`${s.url}/identity/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'admin', password: s.adminPassword, domain: { id: 'default' } } },
        },
        scope: { project: { name: 'admin', domain: { id: 'default' } } },
      },
    }),
  });
  const created = await fetch(`${s.url}/compute/v2.1/servers`, {
    method: 'POST',
    headers: { 'X-Auth-Token': tokenRes.headers.get('x-subject-token')!, 'Content-Type': 'application/json' },
    body: JSON.stringify({ server: { name: 'console-vm', imageRef: image.id, flavorRef: '1' } }),
  });
  expect(created.status).toBe(202);
  serverId = ((await created.json()) as { server: { id: string } }).server.id;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const row = await sql(s.services.db)('instances').where({ uuid: serverId }).first();
    if (row?.vm_state === 'active' && row.task_state === null) break;
    if (Date.now() > deadline) throw new Error(`server not active: ${JSON.stringify(row)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}, 180_000);
afterAll(async () => {
  await s?.close();
});

const TERMINAL = /^http:\/\/127\.0\.0\.1:\d+\/compute\/console\/terminal\?token=[0-9a-f]{48}$/;

describe('console URLs through the CLIs', () => {
  it(
    'openstack console url show: novnc (the default) is the terminal page, which loads; serial is a ws:// URL',
    async () => {
      const vnc = await runCli('openstack', ['console', 'url', 'show', serverId, '-f', 'json'], env, {
        timeoutMs: CLI_TIMEOUT,
      });
      expectOk(vnc);
      const out = jsonOut<{ type: string; url: string }>(vnc);
      expect(out.type).toBe('novnc');
      expect(out.url).toMatch(TERMINAL);
      const page = await fetch(out.url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('assets/xterm.js');
      const serial = await runCli('openstack', ['console', 'url', 'show', '--serial', serverId, '-f', 'json'], env, {
        timeoutMs: CLI_TIMEOUT,
      });
      expectOk(serial);
      expect(jsonOut<{ type: string; url: string }>(serial)).toMatchObject({
        type: 'serial',
        url: expect.stringMatching(/^ws:\/\//),
      });
      const spice = await runCli('openstack', ['console', 'url', 'show', '--spice', serverId], env, {
        timeoutMs: CLI_TIMEOUT,
      });
      expect(spice.code).not.toBe(0);
      expect(spice.stderr).toContain('Unavailable console type spice-html5.');
    },
    CLI_TIMEOUT * 4,
  );

  it(
    'nova get-vnc-console novnc and get-serial-console',
    async () => {
      const vnc = await runCli('nova', ['get-vnc-console', serverId, 'novnc'], env, { timeoutMs: CLI_TIMEOUT });
      expectOk(vnc);
      expect(vnc.stdout).toMatch(
        /\|\s+novnc\s+\|\s+http:\/\/127\.0\.0\.1:\d+\/compute\/console\/terminal\?token=[0-9a-f]{48}\s+\|/,
      );
      const serial = await runCli('nova', ['get-serial-console', serverId], env, { timeoutMs: CLI_TIMEOUT });
      expectOk(serial);
      expect(serial.stdout).toMatch(/\|\s+serial\s+\|\s+ws:\/\/127\.0\.0\.1:\d+\/compute\/console\/serial\?token=/);
      const xvp = await runCli('nova', ['get-vnc-console', serverId, 'xvpvnc'], env, { timeoutMs: CLI_TIMEOUT });
      expect(xvp.code).not.toBe(0);
      expect(xvp.stderr).toContain('Unavailable console type xvpvnc.');
    },
    CLI_TIMEOUT * 3,
  );
});
