// Deferred delete on the real Docker Engine (NOVADOCK_RECLAIM_INSTANCE_INTERVAL > 0): delete stops
// the container and keeps it (SOFT_DELETED), restore runs it again, forceDelete removes it.
// Fails (does not skip) when Docker is missing.
import type request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuiltApp } from '../../src/app.js';
import { startDockerTestApp, removeServerContainers, docker, type DockerTestApp } from '../helpers/docker-app.js';
import { seedImage, waitForStatus } from '../helpers/servers.js';

const S = '/compute/v2.1/servers';
const containerStatus = (id: string) => docker('ps', '-a', '--filter', `name=^nova-${id}$`, '--format', '{{.State}}');

let built: BuiltApp;
let http: ReturnType<typeof request>;
let token: string;
let id: string;

let app: DockerTestApp;
beforeAll(async () => {
  app = await startDockerTestApp('deferred-docker', { reclaimInstanceIntervalSeconds: 3600 });
  ({ built, http, token } = app);
  const image = await seedImage(built.services, { name: 'busybox', data: app.tarball });
  const res = await http
    .post(S)
    .set('X-Auth-Token', token)
    .set('OpenStack-API-Version', 'compute 2.79')
    .send({ server: { name: 'deferred', imageRef: image.id, flavorRef: '1', networks: 'none' } });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  id = res.body.server.id;
  await waitForStatus(() => get(), 'ACTIVE', 60_000);
}, 120_000);

afterAll(async () => {
  if (id) removeServerContainers([id]);
  await app?.close();
});

const get = () => http.get(`${S}/${id}`).set('X-Auth-Token', token).set('OpenStack-API-Version', 'compute 2.79');
const act = async (body: object) => {
  const r = await http.post(`${S}/${id}/action`).set('X-Auth-Token', token).send(body);
  await built.services.worker.drain();
  return r;
};

describe('deferred delete on Docker', () => {
  it('delete keeps a stopped container (SOFT_DELETED, 4); restore runs it (ACTIVE, 1); forceDelete removes it', async () => {
    expect((await http.delete(`${S}/${id}`).set('X-Auth-Token', token)).status).toBe(204);
    await built.services.worker.drain();
    const soft = (await get()).body.server;
    expect([soft.status, soft['OS-EXT-STS:power_state']]).toEqual(['SOFT_DELETED', 4]);
    expect(containerStatus(id)).toBe('exited');
    expect((await act({ restore: null })).status).toBe(202);
    const back = (await get()).body.server;
    expect([back.status, back['OS-EXT-STS:power_state']]).toEqual(['ACTIVE', 1]);
    expect(containerStatus(id)).toBe('running');
    expect((await act({ forceDelete: null })).status).toBe(202);
    expect((await get()).status).toBe(404);
    expect(containerStatus(id)).toBe('');
  });
});
