// The app on the real Docker Engine for test/docker and test/reliability: a fresh data dir, the
// test image saved as a tarball (for seedImage), background work on, an admin token, no quota in
// the way. Fails (never skips) when Docker is not there.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { buildApp, type BuiltApp } from '../../src/app';
import { testConfig, type Config } from '../../src/config';
import { passwordToken, ADMIN_PASSWORD } from './app';
import { unlimitedQuota } from './servers';

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
  const built = await buildApp({ config: testConfig({ computeDriver: 'docker', dataDir, stopTimeoutSeconds: 1, ...overrides }), background: true, logger: false });
  await built.app.ready();
  const http = request(built.app.server);
  const token = await passwordToken(http, 'admin', ADMIN_PASSWORD, 'admin');
  await unlimitedQuota(built.services);
  return {
    built, http, token, dataDir, tarball: fs.readFileSync(tar),
    close: async () => {
      await built.app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Removes the containers of these servers (what a test left behind). */
export function removeServerContainers(ids: Iterable<string>): void {
  for (const id of ids) {
    try { docker('rm', '-f', `nova-${id}`); } catch { /* already gone */ }
  }
}
