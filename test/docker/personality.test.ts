// Personality files (Nova's file injection, below 2.57) on the real Engine: the files of server
// create are in the container (docker exec cat), byte for byte, mode 0644, parent directories
// created, a path longer than ustar's 100 bytes included, and existing directories (/tmp) keep
// their mode; a rebuild's personality replaces them with its own; a path that names no file fails
// the build with a fault. Fails when Docker is missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, removeServerContainers, startDockerTestApp, type DockerTestApp } from '../helpers/docker-app.js';
import { seedImage, waitForStatus } from '../helpers/servers.js';
import type { ImageRow } from '../../src/db/repositories/images-repo.js';

const S = '/compute/v2.1/servers';
let t: DockerTestApp;
let image: ImageRow;
const created: string[] = [];
const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64');

beforeAll(async () => {
  t = await startDockerTestApp('personality');
  image = await seedImage(t.built.services, { name: 'busybox', data: t.tarball });
}, 60_000);

afterAll(async () => {
  removeServerContainers(created);
  await t?.close();
}, 60_000);

const call = (req: ReturnType<typeof t.http.get>) =>
  req.set('X-Auth-Token', t.token).set('OpenStack-API-Version', 'compute 2.56');
const getServer = (id: string) => call(t.http.get(`${S}/${id}`));
const exec = (id: string, ...cmd: string[]) => docker('exec', `nova-${id}`, ...cmd);

async function create(name: string, personality: { path: string; contents: string }[]): Promise<string> {
  const res = await call(t.http.post(S)).send({
    server: { name, imageRef: image.id, flavorRef: '1', networks: 'none', personality },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  created.push(res.body.server.id);
  return res.body.server.id as string;
}

describe('personality → files in the container (Docker)', () => {
  const longPath = `/opt/${'d'.repeat(60)}/${'e'.repeat(60)}/long-name.txt`;
  const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  let id: string;

  it('create injects every file before the server is ACTIVE: contents, mode 0644, parents made, /tmp untouched', async () => {
    id = await create('personality', [
      { path: '/etc/motd', contents: b64('Welcome to novadock\n') },
      { path: '/opt/app/conf/app.ini', contents: b64('[main]\nkey = value\n') },
      { path: longPath, contents: b64('deep') },
      { path: '/tmp/blob.bin', contents: b64(binary) },
    ]);
    await waitForStatus(() => getServer(id), 'ACTIVE', 30_000);
    expect(exec(id, 'cat', '/etc/motd')).toBe('Welcome to novadock');
    expect(exec(id, 'cat', '/opt/app/conf/app.ini')).toBe('[main]\nkey = value');
    expect(exec(id, 'cat', longPath)).toBe('deep');
    expect(exec(id, 'stat', '-c', '%a %u %s', '/etc/motd', '/tmp/blob.bin')).toBe('644 0 20\n644 0 256');
    expect(exec(id, 'md5sum', '/tmp/blob.bin').split(' ')[0]).toBe('e2c865db4162bed963bfaa9ef6ac18f0');
    expect(exec(id, 'stat', '-c', '%a', '/tmp', '/opt/app/conf')).toBe('1777\n755');
  }, 60_000);

  it('a rebuild injects its own personality into the new container, and only that', async () => {
    const res = await call(t.http.post(`${S}/${id}/action`)).send({
      rebuild: { imageRef: image.id, personality: [{ path: '/etc/issue.d/x', contents: b64('rebuilt') }] },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    await waitForStatus(() => getServer(id), 'ACTIVE', 30_000);
    expect(exec(id, 'cat', '/etc/issue.d/x')).toBe('rebuilt');
    expect(() => exec(id, 'cat', '/etc/motd')).toThrow();
  }, 60_000);

  it('a path that names no file fails the build with a fault, and no container is left', async () => {
    const bad = await create('personality-bad', [{ path: '/', contents: b64('x') }]);
    const server = (await waitForStatus(() => getServer(bad), 'ERROR', 30_000)).server;
    expect(JSON.stringify(server.fault)).toMatch(/injected file path not valid/);
    expect(docker('ps', '-a', '-q', '--filter', `name=nova-${bad}`)).toBe('');
  }, 60_000);
});
