// Drift on the real engine: containers changed behind the service's back (docker kill, docker rm,
// docker start) are reconciled through Docker events within 2 s. Fails (never skips) without Docker.
import type request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuiltApp } from '../../src/app.js';
import {
  startDockerTestApp,
  removeServerContainers,
  docker,
  bootActiveServer,
  msUntil,
  type DockerTestApp,
} from '../helpers/docker-app.js';
import { seedImage } from '../helpers/servers.js';
import type { ImageRow } from '../../src/db/repositories/images-repo.js';
import { requireDocker } from './driver-helpers.js';

const S = '/compute/v2.1/servers';

let built: BuiltApp;
let http: ReturnType<typeof request>;
let token: string;
let image: ImageRow;
const created: string[] = [];

let app: DockerTestApp;
beforeAll(async () => {
  await requireDocker();
  // The periodic sync is off: what is measured here is the event path alone.
  app = await startDockerTestApp('drift-docker', { powerSyncIntervalSeconds: 0 });
  ({ built, http, token } = app);
  image = await seedImage(built.services, { name: 'busybox', data: app.tarball });
}, 60_000);

afterAll(async () => {
  removeServerContainers(created);
  await app?.close();
});

const get = (id: string) =>
  http.get(`${S}/${id}`).set('X-Auth-Token', token).set('OpenStack-API-Version', 'compute 2.79');

const boot = () => bootActiveServer(http, token, { name: 'drift', imageRef: image.id, flavorRef: '1' }, created);
const within = (ms: number, id: string, pred: (s: Record<string, unknown>) => boolean) =>
  msUntil(http, token, id, ms, pred);

describe('drift on the real engine', { timeout: 120_000 }, () => {
  it("docker kill behind the service's back: SHUTOFF within 2 s", async () => {
    const id = await boot();
    docker('kill', `nova-${id}`);
    const ms = await within(2000, id, (s) => s.status === 'SHUTOFF');
    const s = (await get(id)).body.server;
    expect(s['OS-EXT-STS:power_state']).toBe(4);
    expect(s['OS-EXT-STS:vm_state']).toBe('stopped');
    expect(s['OS-EXT-STS:task_state']).toBeNull();
    console.log(`drift: docker kill → SHUTOFF in ${ms} ms`);
  });

  it("docker rm behind the service's back: power_state NOSTATE within 2 s", async () => {
    const id = await boot();
    docker('rm', '-f', `nova-${id}`);
    await within(2000, id, (s) => s['OS-EXT-STS:power_state'] === 0);
    expect((await get(id)).body.server.status).toBe('ACTIVE');
  });

  it("docker start of a SHUTOFF server: the service powers it off again (Nova's force_stop)", async () => {
    const id = await boot();
    docker('kill', `nova-${id}`);
    await within(2000, id, (s) => s.status === 'SHUTOFF');
    docker('start', `nova-${id}`);
    // the TTY shell ignores SIGTERM: the 1 s stop timeout, then SIGKILL
    const deadline = Date.now() + 5000;
    while (docker('inspect', '-f', '{{.State.Status}}', `nova-${id}`) !== 'exited') {
      if (Date.now() > deadline) throw new Error('container still running');
      await new Promise((r) => setTimeout(r, 50));
    }
    await within(
      2000,
      id,
      (s) => s.status === 'SHUTOFF' && s['OS-EXT-STS:power_state'] === 4 && s['OS-EXT-STS:task_state'] === null,
    );
  });

  it('without events, the periodic sync is the safety net (interval 1 s)', async () => {
    const id = await boot();
    await built.services.drift.eventWatcher.stop();
    built.services.drift.powerSync.start(1);
    try {
      docker('kill', `nova-${id}`);
      const ms = await within(5000, id, (s) => s.status === 'SHUTOFF');
      console.log(`drift: docker kill → SHUTOFF in ${ms} ms through the periodic sync alone`);
    } finally {
      await built.services.drift.powerSync.stop();
    }
  });
});
