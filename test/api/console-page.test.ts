// The browser console on the fake driver: vnc/novnc grants point at a terminal page served by the
// service (xterm.js from npm, no CDN), which opens the console websocket with the same one-time token;
// the page does not take the token, the websocket does; used, expired, unknown tokens and gone servers
// get a page that says so; the terminal subprotocol carries keystrokes as binary frames and resizes as
// JSON text frames.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { makeTestApp, type TestApp } from '../helpers/app.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';
import type { ImageRow } from '../../src/db/repositories/images-repo.js';
import { sql } from '../../src/db/sql.js';

let t: TestApp;
let image: ImageRow;
let port = 0;
const S = '/compute/v2.1/servers';

beforeAll(async () => {
  t = await makeTestApp();
  image = await seedImage(t.services);
  await unlimitedQuota(t.services);
  await new Promise<void>((r) => t.app.server.listen(0, '127.0.0.1', () => r()));
  port = (t.app.server.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((r) => t.app.server.close(r));
  await t.close();
});

const api = (method: 'get' | 'post' | 'delete', url: string, version = '2.31') =>
  t.http[method](url).set('X-Auth-Token', t.adminToken).set('OpenStack-API-Version', `compute ${version}`);

async function boot(): Promise<string> {
  const res = await api('post', S, '2.79').send({
    server: { name: 'console', imageRef: image.id, flavorRef: '1', networks: 'none' },
  });
  expect(res.status).toBe(202);
  await t.services.worker.drain();
  return res.body.server.id;
}

async function novnc(id: string): Promise<{ url: string; token: string; path: string }> {
  const res = await api('post', `${S}/${id}/remote-consoles`).send({
    remote_console: { protocol: 'vnc', type: 'novnc' },
  });
  expect(res.status).toBe(200);
  const url = new URL(res.body.remote_console.url);
  return {
    url: res.body.remote_console.url,
    token: url.searchParams.get('token')!,
    path: `${url.pathname}${url.search}`,
  };
}

function openTerminal(token: string): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/compute/console/serial?token=${token}`, ['novadock.terminal']);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

describe('browser console page', () => {
  it('serves the terminal page for a fresh novnc token without taking it, framable, never cached', async () => {
    const id = await boot();
    const { path, token } = await novnc(id);
    const page = await t.http.get(path);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    expect(page.headers['x-frame-options']).toBeUndefined();
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).not.toContain('frame-ancestors');
    for (const asset of ['assets/xterm.js', 'assets/addon-fit.js', 'assets/terminal.js', 'assets/xterm.css'])
      expect(page.text).toContain(asset);
    expect(page.text).not.toMatch(/https?:\/\//); // nothing from elsewhere
    // the page did not take the token: the auth-token API still describes it, and a second load works
    const described = await api('get', `/compute/v2.1/os-console-auth-tokens/${token}`);
    expect(described.status).toBe(200);
    expect(described.body.console).toEqual({
      instance_uuid: id,
      host: null,
      port: 0,
      internal_access_path: '/compute/console/terminal',
    });
    expect((await t.http.get(path)).status).toBe(200);
  });

  it('serves xterm.js, its fit addon and stylesheet from the npm packages, and the page script', async () => {
    const js = await t.http.get('/compute/console/assets/xterm.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.text.length).toBeGreaterThan(100_000);
    expect(js.text).toContain('xterm');
    const fit = await t.http.get('/compute/console/assets/addon-fit.js');
    expect(fit.status).toBe(200);
    expect(fit.text).toContain('FitAddon');
    const css = await t.http.get('/compute/console/assets/xterm.css');
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.text).toContain('.xterm');
    const own = await t.http.get('/compute/console/assets/terminal.js');
    expect(own.text).toContain('"novadock.terminal"');
    expect((await t.http.get('/compute/console/assets/nope.js')).status).toBe(404);
    expect((await t.http.get('/compute/console/assets/..%2Fpackage.json')).status).toBe(404);
  });

  it('the websocket takes the token: keystrokes reach the shell, resizes size the TTY, then the page says "already used"', async () => {
    const id = await boot();
    const { path, token } = await novnc(id);
    const ws = await openTerminal(token);
    expect(ws.protocol).toBe('novadock.terminal');
    const echoed = new Promise<string>((resolve) => ws.on('message', (d) => resolve(String(d))));
    ws.send(JSON.stringify({ resize: [132, 43] })); // a text frame: a control, not input
    ws.send(Buffer.from('echo hi\n')); // a binary frame: keystrokes
    expect(await echoed).toBe('echo hi\n'); // the fake's TTY echoes input only
    await expect
      .poll(() => t.fake.execResizes.filter((r) => r.instanceUuid === id))
      .toEqual([{ instanceUuid: id, cols: 132, rows: 43 }]);
    ws.send('{"resize": [0, 10]}'); // out of range: ignored
    ws.send('not json'); // ignored, never typed
    ws.close();
    const used = await t.http.get(path);
    expect(used.status).toBe(410);
    expect(used.text).toContain('This console link has already been used');
    expect((await api('get', `/compute/v2.1/os-console-auth-tokens/${token}`)).status).toBe(404);
    expect((await api('get', `${S}/${id}`)).body.server.status).toBe('ACTIVE'); // closing leaves it running
  });

  it('what the page sends while the shell is still opening is kept, in order; a client gone meanwhile gets its shell closed', async () => {
    const id = await boot();
    t.fake.delay('exec', 300);
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/compute/console/serial?token=${(await novnc(id)).token}`, [
        'novadock.terminal',
      ]);
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      const echoed = new Promise<string>((resolve) => ws.on('message', (d) => resolve(String(d))));
      ws.send(JSON.stringify({ resize: [100, 30] }));
      ws.send(Buffer.from('typed-early\n'));
      expect(await echoed).toBe('typed-early\n');
      expect(t.fake.execResizes.filter((r) => r.instanceUuid === id)).toEqual([
        { instanceUuid: id, cols: 100, rows: 30 },
      ]);
      ws.close();
      await expect.poll(() => t.fake.openExecs).toBe(0);

      const leaving = new WebSocket(`ws://127.0.0.1:${port}/compute/console/serial?token=${(await novnc(id)).token}`);
      await new Promise((resolve) => leaving.once('open', resolve));
      leaving.terminate(); // gone before docker exec answered
      await new Promise((r) => setTimeout(r, 500));
      expect(t.fake.openExecs).toBe(0);
    } finally {
      t.fake.delay('exec', 0);
    }
  });

  it('an expired token, an unknown one, none, and a deleted server each get a page that says so', async () => {
    const id = await boot();
    const expired = await novnc(id);
    await sql(t.services.db)('console_auth_tokens').update({ expires_at: new Date(Date.now() - 1000).toISOString() });
    const e = await t.http.get(expired.path);
    expect(e.status).toBe(410);
    expect(e.text).toContain('This console link has expired');
    const unknown = await t.http.get(`/compute/console/terminal?token=${'0'.repeat(48)}`);
    expect(unknown.status).toBe(404);
    expect(unknown.text).toContain('This console link is not valid');
    expect((await t.http.get('/compute/console/terminal')).status).toBe(404);
    expect((await t.http.get(`/compute/console/terminal?token=${'x'.repeat(300)}`)).status).toBe(404);
    const fresh = await novnc(id);
    expect((await api('delete', `${S}/${id}`)).status).toBe(204);
    await t.services.worker.drain();
    const gone = await t.http.get(fresh.path);
    expect(gone.status).toBe(404);
    expect(gone.text).toContain('The server of this console is gone');
  });

  it("the http form of a serial grant's ws:// URL serves the same page; the ws:// URL still bridges raw frames", async () => {
    const id = await boot();
    const res = await api('post', `${S}/${id}/remote-consoles`).send({
      remote_console: { protocol: 'serial', type: 'serial' },
    });
    const url = new URL(res.body.remote_console.url);
    expect(url.protocol).toBe('ws:');
    const page = await t.http.get(`${url.pathname}${url.search}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('assets/terminal.js');
    const ws = new WebSocket(`ws://127.0.0.1:${port}${url.pathname}${url.search}`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const echoed = new Promise<string>((resolve) => ws.on('message', (d) => resolve(String(d))));
    ws.send('{"resize": [80, 24]}\n'); // without the terminal subprotocol a text frame is input
    expect(await echoed).toBe('{"resize": [80, 24]}\n');
    ws.close();
  });
});
