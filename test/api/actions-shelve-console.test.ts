// shelve / shelveOffload / unshelve and the serial console (remote-consoles, os-getSerialConsole,
// the one-time token, the websocket bridge) on the fake driver.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { makeTestApp, type TestApp } from '../helpers/app.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';
import type { ImageRow } from '../../src/db/repositories/images-repo.js';
import { sql } from '../../src/db/sql.js';

let t: TestApp;
let image: ImageRow;
const S = '/compute/v2.1/servers';

beforeAll(async () => {
  t = await makeTestApp();
  image = await seedImage(t.services);
  await unlimitedQuota(t.services);
});
afterAll(async () => {
  await t.close();
});
beforeEach(() => {
  t.fake.clearInjections();
  t.services.serverShelves.offloadTimeSeconds = 0;
});

const as = (token: string, version = '2.1') => ({
  post: (url: string, body: unknown) =>
    t.http
      .post(url)
      .set('X-Auth-Token', token)
      .set('OpenStack-API-Version', `compute ${version}`)
      .send(body as object),
  get: (url: string) => t.http.get(url).set('X-Auth-Token', token).set('OpenStack-API-Version', `compute ${version}`),
});
const admin = (v = '2.1') => as(t.adminToken, v);
const action = (id: string, body: unknown, v = '2.1') => admin(v).post(`${S}/${id}/action`, body);
const show = async (id: string) => (await admin('2.1').get(`${S}/${id}`)).body.server;

async function boot(): Promise<string> {
  const res = await admin('2.79').post(S, {
    server: { name: 'shelf', imageRef: image.id, flavorRef: '1', networks: 'none' },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  await t.services.worker.drain();
  return res.body.server.id;
}
const shelvedImages = async (id: string) =>
  (await sql(t.services.db)('images').where('properties', 'like', `%${id}%`)).map(
    (r: { name: string; status: string }) => `${r.name}:${r.status}`,
  );

describe('shelve', () => {
  it('Nova default (offload time 0): ACTIVE → SHELVED_OFFLOADED, container gone, host cleared, image <name>-shelved', async () => {
    const id = await boot();
    t.fake.delay('powerOff', 500);
    const res = await action(id, { shelve: null });
    expect(res.status).toBe(202);
    expect((await show(id))['OS-EXT-STS:task_state']).toBe('shelving');
    await t.services.worker.drain();
    const s = await show(id);
    expect(s).toMatchObject({
      status: 'SHELVED_OFFLOADED',
      'OS-EXT-STS:task_state': null,
      'OS-EXT-STS:power_state': 0,
    });
    expect(s['OS-EXT-SRV-ATTR:host']).toBeNull();
    expect(t.fake.containers.has(id)).toBe(false);
    expect(await shelvedImages(id)).toEqual(['shelf-shelved:active']);
    // unshelve: a new container from the shelved image, ACTIVE, the image deleted afterwards
    expect((await action(id, { unshelve: { availability_zone: 'nowhere' } }, '2.77')).status).toBe(400);
    expect((await action(id, { unshelve: { availability_zone: 'nova' } }, '2.77')).status).toBe(202);
    await t.services.worker.drain();
    const u = await show(id);
    expect(u).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:power_state': 1 });
    expect(u['OS-EXT-SRV-ATTR:host']).not.toBeNull();
    expect(t.fake.containers.get(id)!.status).toBe('running');
    expect(await shelvedImages(id)).toEqual([]);
  });

  it('offload time -1: SHUTOFF → SHELVED (container kept, stopped); shelveOffload → SHELVED_OFFLOADED', async () => {
    t.services.serverShelves.offloadTimeSeconds = -1;
    const id = await boot();
    expect((await action(id, { 'os-stop': null })).status).toBe(202);
    await t.services.worker.drain();
    expect((await action(id, { shelve: null })).status).toBe(202);
    await t.services.worker.drain();
    expect(await show(id)).toMatchObject({ status: 'SHELVED', 'OS-EXT-STS:power_state': 4 });
    expect(t.fake.containers.get(id)!.status).toBe('exited');
    expect((await action(id, { shelve: null })).status).toBe(409);
    expect((await action(id, { shelveOffload: null })).status).toBe(202);
    await t.services.worker.drain();
    expect((await show(id)).status).toBe('SHELVED_OFFLOADED');
    expect(t.fake.containers.has(id)).toBe(false);
    expect((await action(id, { shelveOffload: null })).status).toBe(409);
  });

  it('unshelve of a SHELVED server starts its container again; 409 from ACTIVE; 2.77 body', async () => {
    t.services.serverShelves.offloadTimeSeconds = -1;
    const id = await boot();
    expect((await action(id, { unshelve: null })).status).toBe(409);
    // Below 2.77 Nova validates no unshelve body: a zone passes the schema and meets the state check.
    expect((await action(id, { unshelve: { availability_zone: 'nova' } }, '2.76')).status).toBe(409);
    expect((await action(id, { shelve: null })).status).toBe(202);
    await t.services.worker.drain();
    const noZone = await action(id, { unshelve: {} }, '2.77');
    expect(noZone.status).toBe(400);
    expect(noZone.body.badRequest.message).toBe(
      "Invalid input for field/attribute unshelve. Value: {}. 'availability_zone' is a required property",
    );
    const az = await action(id, { unshelve: { availability_zone: 'nova' } }, '2.77');
    expect(az.status).toBe(409);
    expect(az.body.conflictingRequest.message).toMatch(/The server status must be SHELVED_OFFLOADED\.$/);
    expect((await action(id, { unshelve: null }, '2.77')).status).toBe(202);
    await t.services.worker.drain();
    expect((await show(id)).status).toBe('ACTIVE');
    expect(t.fake.calls).toContain(`powerOn ${id}`);
    expect(await shelvedImages(id)).toEqual([]);
  });

  it('a failed unshelve of an offloaded server leaves it SHELVED_OFFLOADED without a host, image kept', async () => {
    const id = await boot();
    expect((await action(id, { shelve: null })).status).toBe(202);
    await t.services.worker.drain();
    t.fake.failNext('spawn');
    expect((await action(id, { unshelve: null })).status).toBe(202);
    await t.services.worker.drain();
    const s = await show(id);
    expect(s).toMatchObject({ status: 'SHELVED_OFFLOADED', 'OS-EXT-STS:task_state': null });
    expect(s['OS-EXT-SRV-ATTR:host']).toBeNull();
    expect(await shelvedImages(id)).toEqual(['shelf-shelved:active']);
    expect((await action(id, { unshelve: null })).status).toBe(202);
    await t.services.worker.drain();
    expect((await show(id)).status).toBe('ACTIVE');
  });

  it('a failed commit: image deleted, fault, task_state None', async () => {
    const id = await boot();
    t.fake.failNext('snapshot');
    expect((await action(id, { shelve: null })).status).toBe(202);
    await t.services.worker.drain();
    const s = await show(id);
    expect(s['OS-EXT-STS:task_state']).toBeNull();
    expect(['ACTIVE', 'SHUTOFF']).toContain(s.status);
    expect(await shelvedImages(id)).toEqual([]);
  });
});

describe('serial console', () => {
  it('2.6+: serial/serial → 200 ws URL, vnc/novnc → 200 terminal page URL, each with a token; other protocols and types → 400; below 2.6 → 404', async () => {
    const id = await boot();
    const url = `${S}/${id}/remote-consoles`;
    const res = await admin('2.6').post(url, { remote_console: { protocol: 'serial', type: 'serial' } });
    expect(res.status).toBe(200);
    expect(res.body.remote_console).toMatchObject({ protocol: 'serial', type: 'serial' });
    expect(res.body.remote_console.url).toMatch(
      /^ws:\/\/127\.0\.0\.1(:\d+)?\/compute\/console\/serial\?token=[0-9a-f]{48}$/,
    );
    const vnc = await admin('2.6').post(url, { remote_console: { protocol: 'vnc', type: 'novnc' } });
    expect(vnc.status).toBe(200);
    expect(vnc.body.remote_console).toMatchObject({ protocol: 'vnc', type: 'novnc' });
    expect(vnc.body.remote_console.url).toMatch(
      /^http:\/\/127\.0\.0\.1(:\d+)?\/compute\/console\/terminal\?token=[0-9a-f]{48}$/,
    );
    const xvp = await admin('2.6').post(url, { remote_console: { protocol: 'vnc', type: 'xvpvnc' } });
    expect(xvp.status).toBe(400);
    expect(xvp.body.badRequest.message).toBe('Unavailable console type xvpvnc.');
    expect(
      (await admin('2.6').post(url, { remote_console: { protocol: 'spice', type: 'spice-html5' } })).body.badRequest
        .message,
    ).toBe('Unavailable console type spice-html5.');
    const mismatch = await admin('2.6').post(url, { remote_console: { protocol: 'serial', type: 'novnc' } });
    expect(mismatch.body.badRequest.message).toBe('Invalid console type novnc');
    expect((await admin('2.6').post(url, { remote_console: { protocol: 'mks', type: 'webmks' } })).status).toBe(400);
    expect(
      (await admin('2.8').post(url, { remote_console: { protocol: 'mks', type: 'webmks' } })).body.badRequest.message,
    ).toBe('Unavailable console type webmks.');
    expect((await admin('2.5').post(url, { remote_console: { protocol: 'serial', type: 'serial' } })).status).toBe(404);
  });

  it('os-getSerialConsole and os-getVNCConsole novnc (deprecated, up to 2.5) → 200 {"console"}; 404 from 2.6; 409 when SHUTOFF', async () => {
    const id = await boot();
    const res = await action(id, { 'os-getSerialConsole': { type: 'serial' } });
    expect(res.status).toBe(200);
    expect(res.body.console.type).toBe('serial');
    expect(res.body.console.url).toMatch(/\/compute\/console\/serial\?token=/);
    expect((await action(id, { 'os-getSerialConsole': { type: 'serial' } }, '2.6')).status).toBe(404);
    expect((await action(id, { 'os-getSerialConsole': { type: 'novnc' } })).status).toBe(400);
    const vnc = await action(id, { 'os-getVNCConsole': { type: 'novnc' } });
    expect(vnc.status).toBe(200);
    expect(vnc.body.console.type).toBe('novnc');
    expect(vnc.body.console.url).toMatch(
      /^http:\/\/127\.0\.0\.1(:\d+)?\/compute\/console\/terminal\?token=[0-9a-f]{48}$/,
    );
    expect((await action(id, { 'os-getVNCConsole': { type: 'xvpvnc' } })).body.badRequest.message).toBe(
      'Unavailable console type xvpvnc.',
    );
    expect((await action(id, { 'os-getSPICEConsole': { type: 'spice-html5' } })).body.badRequest.message).toBe(
      'Unavailable console type spice-html5.',
    );
    expect((await action(id, { 'os-getRDPConsole': { type: 'novnc' } })).status).toBe(400);
    expect((await action(id, { 'os-getVNCConsole': { type: 'novnc' } }, '2.6')).status).toBe(404);
    expect((await action(id, { 'os-stop': null })).status).toBe(202);
    await t.services.worker.drain();
    const off = await action(id, { 'os-getSerialConsole': { type: 'serial' } });
    expect(off.status).toBe(409);
    expect(off.body.conflictingRequest.message).toBe(`Instance ${id} is not ready`);
    const offVnc = await action(id, { 'os-getVNCConsole': { type: 'novnc' } });
    expect(offVnc.status).toBe(409);
    expect(offVnc.body.conflictingRequest.message).toBe(`Instance ${id} is not ready`);
  });

  it('the websocket bridges to the shell; the token works once; os-console-auth-tokens (admin, 2.31)', async () => {
    const id = await boot();
    await new Promise<void>((r) => t.app.server.listen(0, '127.0.0.1', () => r()));
    const port = (t.app.server.address() as { port: number }).port;
    try {
      const res = await admin('2.31').post(`${S}/${id}/remote-consoles`, {
        remote_console: { protocol: 'serial', type: 'serial' },
      });
      const token = new URL(res.body.remote_console.url).searchParams.get('token')!;
      const described = await admin('2.31').get(`/compute/v2.1/os-console-auth-tokens/${token}`);
      expect(described.status).toBe(200);
      expect(described.body.console.instance_uuid).toBe(id);
      expect((await admin('2.30').get(`/compute/v2.1/os-console-auth-tokens/${token}`)).status).toBe(401);
      const wsUrl = `ws://127.0.0.1:${port}/compute/console/serial?token=${token}`;
      const ws = new WebSocket(wsUrl);
      await new Promise((resolve, reject) => {
        ws.once('open', resolve);
        ws.once('error', reject);
      });
      const got = new Promise<string>((resolve) => ws.on('message', (d) => resolve(String(d))));
      ws.send('ping-from-test\n');
      expect(await got).toBe('ping-from-test\n'); // the fake's TTY echoes
      ws.close();
      // second use of the same token is refused
      const again = new WebSocket(wsUrl);
      const err = await new Promise<Error>((resolve) => again.once('error', resolve));
      expect(err.message).toMatch(/401/);
      expect((await admin('2.31').get(`/compute/v2.1/os-console-auth-tokens/${token}`)).status).toBe(404);
      // deleting the server closes an open console
      const res2 = await admin('2.31').post(`${S}/${id}/remote-consoles`, {
        remote_console: { protocol: 'serial', type: 'serial' },
      });
      const ws2 = new WebSocket(res2.body.remote_console.url.replace(/^ws:\/\/[^/]+/, `ws://127.0.0.1:${port}`));
      await new Promise((resolve, reject) => {
        ws2.once('open', resolve);
        ws2.once('error', reject);
      });
      const closed = new Promise<number>((resolve) => ws2.once('close', (code) => resolve(code)));
      expect((await admin().get(`${S}/${id}`)).status).toBe(200);
      await t.http.delete(`${S}/${id}`).set('X-Auth-Token', t.adminToken);
      await t.services.worker.drain();
      expect(await closed).toBe(1000);
    } finally {
      await new Promise((r) => t.app.server.close(r));
    }
  });
});
