// The real image clients against the app on 127.0.0.1:<ephemeral>: glance image-create from a
// `docker save` pipe (chunked upload), openstack image create --file (fixed length), checksums
// equal to md5sum/sha512sum of the file, a byte-identical glance image-download, and both list
// commands showing the images. Needs Docker for `docker save` (fails, never skips, without it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { adminEnv, jsonOut, runCli, startListeningApp, type ListeningApp } from '../helpers/cli.js';
import { sql } from '../../src/db/sql.js';

let s: ListeningApp;
let env: Record<string, string>;
let work: string;
let tarFile: string;
let md5: string;
let sha512: string;
const uploads: { te?: string; cl?: string }[] = [];

const CLI_TIMEOUT = 90_000;
const expectOk = (r: { code: number; stdout: string; stderr: string }) =>
  expect(r.code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'novadock-glancecli-'));
  tarFile = path.join(work, 'busybox.tar');
  execFileSync('docker', ['save', 'novadock-test/busybox:latest', '-o', tarFile], { timeout: 60_000 });
  md5 = execFileSync('md5sum', [tarFile]).toString().split(' ')[0];
  sha512 = execFileSync('sha512sum', [tarFile]).toString().split(' ')[0];
  s = await startListeningApp({}, { background: false });
  // a private HOME: glanceclient caches the served schema under ~/.glanceclient
  env = { ...adminEnv(s), HOME: work };
  // record how each client framed its upload body
  s.app.server.prependListener('request', (req) => {
    if (req.method === 'PUT' && /\/file$/.test(req.url ?? ''))
      uploads.push({ te: req.headers['transfer-encoding'], cl: req.headers['content-length'] });
  });
}, 120_000);
afterAll(async () => {
  await s?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('glance and openstack image commands', () => {
  let glanceId: string;

  it("docker save | glance image-create uploads chunked and the image is active with the file's checksums", async () => {
    const r = await runCli(
      '/bin/bash',
      [
        '-c',
        `set -o pipefail; docker save novadock-test/busybox:latest | glance image-create --visibility public --container-format docker --disk-format raw --name busybox`,
      ],
      env,
      { timeoutMs: CLI_TIMEOUT },
    );
    expectOk(r);
    const id = /\|\s*id\s*\|\s*([0-9a-f-]{36})\s*\|/.exec(r.stdout)?.[1];
    expect(id, r.stdout).toBeDefined();
    glanceId = id!;
    const row = (await s.services.imagesRepo.find(glanceId))!;
    expect(row).toMatchObject({
      status: 'active',
      container_format: 'docker',
      disk_format: 'raw',
      visibility: 'public',
      name: 'busybox',
    });
    // the stream glance sent is `docker save`'s output: compare with a saved copy of the same image
    expect(row.size).toBe(fs.statSync(tarFile).size);
    expect(row.checksum).toBe(md5);
    expect(row.os_hash_value).toBe(sha512);
    expect(r.stdout).toMatch(/\|\s*status\s*\|\s*active\s*\|/);
    expect(uploads.at(-1)).toEqual({ te: 'chunked', cl: undefined });
    expect(fs.existsSync(path.join(work, '.glanceclient'))).toBe(true);
  }, 120_000);

  it('glance image-download is byte-identical to the uploaded file', async () => {
    const out = path.join(work, 'download.tar');
    const r = await runCli('glance', ['image-download', '--file', out, glanceId], env, { timeoutMs: CLI_TIMEOUT });
    expectOk(r);
    expect(fs.readFileSync(out).equals(fs.readFileSync(tarFile))).toBe(true);
  }, 120_000);

  it('openstack image create --file uploads with Content-Length; hashes match md5sum and sha512sum', async () => {
    const r = await runCli(
      'openstack',
      [
        'image',
        'create',
        '--container-format',
        'docker',
        '--disk-format',
        'raw',
        '--file',
        tarFile,
        'busybox-osc',
        '-f',
        'json',
      ],
      env,
      { timeoutMs: CLI_TIMEOUT },
    );
    expectOk(r);
    const created = jsonOut<Record<string, unknown>>(r);
    expect(uploads.at(-1)).toEqual({ te: undefined, cl: String(fs.statSync(tarFile).size) });
    const id = created.id as string;
    const show = await runCli('openstack', ['image', 'show', 'busybox-osc', '-f', 'json'], env, {
      timeoutMs: CLI_TIMEOUT,
    });
    expectOk(show);
    const shown = jsonOut<Record<string, unknown>>(show);
    expect(shown).toMatchObject({
      id,
      name: 'busybox-osc',
      status: 'active',
      checksum: md5,
      size: fs.statSync(tarFile).size,
    });
    // this OSC does not print os_hash_*: read them as the SDK would, from the image API
    const auth = await fetch(`${s.url}/identity/v3/auth/tokens`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: 'admin', password: s.adminPassword, domain: { name: 'Default' } } },
          },
          scope: { project: { name: 'admin', domain: { name: 'Default' } } },
        },
      }),
    });
    const api = await (
      await fetch(`${s.url}/image/v2/images/${id}`, {
        headers: { 'X-Auth-Token': auth.headers.get('x-subject-token')! },
      })
    ).json();
    expect(api).toMatchObject({ os_hash_algo: 'sha512', os_hash_value: sha512, checksum: md5 });
  }, 120_000);

  it('glance image-list and openstack image list show both images', async () => {
    const g = await runCli('glance', ['image-list'], env, { timeoutMs: CLI_TIMEOUT });
    expectOk(g);
    expect(g.stdout).toMatch(new RegExp(`\\|\\s*${glanceId}\\s*\\|\\s*busybox\\s*\\|`));
    expect(g.stdout).toMatch(/\|\s*busybox-osc\s*\|/);
    const o = await runCli('openstack', ['image', 'list', '-f', 'json'], env, { timeoutMs: CLI_TIMEOUT });
    expectOk(o);
    const rows = jsonOut<Array<{ ID: string; Name: string; Status: string }>>(o);
    expect(rows.map((x) => x.Name).sort()).toEqual(['busybox', 'busybox-osc']);
    expect(rows.every((x) => x.Status === 'active')).toBe(true);
  }, 120_000);

  it('openstack image set/unset (properties, visibility, tags), image save, image add project', async () => {
    const set = await runCli(
      'openstack',
      ['image', 'set', '--property', 'os_distro=busybox', '--tag', 'blue', '--private', 'busybox-osc'],
      env,
      { timeoutMs: CLI_TIMEOUT },
    );
    expectOk(set);
    const { id } = await sql(s.services.db)('images').where({ name: 'busybox-osc' }).first('id');
    let row = (await s.services.imagesRepo.find(id))!;
    expect(row.visibility).toBe('private');
    expect(JSON.parse(row.properties).os_distro).toBe('busybox');
    expect(await s.services.imagesRepo.tags(row.id)).toEqual(['blue']);
    const unset = await runCli('openstack', ['image', 'unset', '--property', 'os_distro', 'busybox-osc'], env, {
      timeoutMs: CLI_TIMEOUT,
    });
    expectOk(unset);
    row = (await s.services.imagesRepo.find(row.id))!;
    expect(JSON.parse(row.properties).os_distro).toBeUndefined();
    const out = path.join(work, 'saved.tar');
    const save = await runCli('openstack', ['image', 'save', '--file', out, 'busybox-osc'], env, {
      timeoutMs: CLI_TIMEOUT,
    });
    expectOk(save);
    expect(fs.readFileSync(out).equals(fs.readFileSync(tarFile))).toBe(true);
    const shared = await runCli('openstack', ['image', 'set', '--shared', 'busybox-osc'], env, {
      timeoutMs: CLI_TIMEOUT,
    });
    expectOk(shared);
    const add = await runCli('openstack', ['image', 'add', 'project', 'busybox-osc', 'admin', '-f', 'json'], env, {
      timeoutMs: CLI_TIMEOUT,
    });
    expectOk(add);
    expect(jsonOut<Record<string, unknown>>(add)).toMatchObject({ image_id: row.id, status: 'pending' });
  }, 180_000);

  it('glance image-show and image-update work with the cached schema (no option clash)', async () => {
    const u = await runCli('glance', ['image-update', '--property', 'os_command_line=sleep 1000', glanceId], env, {
      timeoutMs: CLI_TIMEOUT,
    });
    expectOk(u);
    const r = await runCli('glance', ['image-show', glanceId], env, { timeoutMs: CLI_TIMEOUT });
    expectOk(r);
    expect(r.stdout).toMatch(/\|\s*os_command_line\s*\|\s*sleep 1000\s*\|/);
  }, 120_000);
});
