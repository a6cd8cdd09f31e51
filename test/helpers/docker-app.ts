// The app on the real Docker Engine for test/docker and test/reliability: a fresh data dir, the
// test image saved as a tarball (for seedImage), background work on, an admin token, no quota in
// the way. Fails (never skips) when Docker is not there.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { buildApp, type BuiltApp } from '../../src/app.js';
import { testConfig, type Config } from '../../src/config.js';
import { passwordToken, ADMIN_PASSWORD } from './app.js';
import { unlimitedQuota, waitForStatus } from './servers.js';
import { workerSlice } from './docker-network.js';

export const TEST_IMAGE = process.env.TEST_IMAGE ?? 'novadock-test/busybox:latest';

export const docker = (...args: string[]) =>
  execFileSync('docker', args, { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] }).trim();

export interface DockerTestApp {
  built: BuiltApp;
  http: ReturnType<typeof request>;
  token: string;
  dataDir: string;
  /** `docker save` of the test image */
  tarball: Buffer;
  close(): Promise<void>;
}

export async function startDockerTestApp(name: string, overrides: Partial<Config> = {}): Promise<DockerTestApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `novadock-${name}-`));
  const tar = path.join(dataDir, 'busybox.tar');
  docker('image', 'save', TEST_IMAGE, '-o', tar);
  const built = await buildApp({
    // this worker's own address ranges (docker-network.ts) unless the file brings its own
    config: testConfig({
      computeDriver: 'docker',
      dataDir,
      stopTimeoutSeconds: 1,
      network: workerSlice().network,
      ...overrides,
    }),
    background: true,
    logger: false,
  });
  await built.app.ready();
  const http = request(built.app.server);
  const token = await passwordToken(http, 'admin', ADMIN_PASSWORD, 'admin');
  await unlimitedQuota(built.services);
  return {
    built,
    http,
    token,
    dataDir,
    tarball: fs.readFileSync(tar),
    close: async () => {
      await built.app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Removes the containers of these servers (what a test left behind). */
export function removeServerContainers(ids: Iterable<string>): void {
  for (const id of ids) {
    try {
      docker('rm', '-f', `nova-${id}`);
    } catch {
      /* already gone */
    }
  }
}

type Http = ReturnType<typeof request>;
const SERVERS = '/compute/v2.1/servers';

/** GET /servers/{id} at 2.79. */
export const getServer = (http: Http, token: string, id: string) =>
  http.get(`${SERVERS}/${id}`).set('X-Auth-Token', token).set('OpenStack-API-Version', 'compute 2.79');

/** Boots a server with no network and waits (bounded) for ACTIVE; the id is pushed to `created`. */
export async function bootActiveServer(
  http: Http,
  token: string,
  server: { name: string; imageRef: string; flavorRef: string },
  created: string[],
): Promise<string> {
  const res = await http
    .post(SERVERS)
    .set('X-Auth-Token', token)
    .set('OpenStack-API-Version', 'compute 2.79')
    .send({ server: { ...server, networks: 'none' } });
  if (res.status !== 202) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
  const id = res.body.server.id as string;
  created.push(id);
  await waitForStatus(() => getServer(http, token, id), 'ACTIVE', 30_000);
  return id;
}

/** Polls the server every 20 ms until `pred` holds; returns the elapsed milliseconds, or throws after `ms`. */
export async function msUntil(
  http: Http,
  token: string,
  id: string,
  ms: number,
  pred: (s: Record<string, unknown>) => boolean,
): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const s = (await getServer(http, token, id)).body.server;
    if (pred(s)) return Date.now() - t0;
    if (Date.now() - t0 > ms)
      throw new Error(`not reached within ${ms} ms: ${s.status} power ${s['OS-EXT-STS:power_state']}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
