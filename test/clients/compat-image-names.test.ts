// Issue 17, item 2: images named like Docker images (`busybox:latest`, `samalba/hipache:v1`) must
// be found by name. The clients look names up with GET /v2/images?name=NAME, and Glance reads the
// text before the first colon as an operator ("Unable to filter by unknown operator 'busybox'").
// novadock goes beyond Glance: only Glance's real operators are operators (`in:` and `eq:` on name,
// id, status, container_format, disk_format; eq neq gt gte lt lte on created_at/updated_at); any
// other prefix is part of the value. Driven by glance, openstack and nova (Debian's CLIs),
// openstacksdk's find_image and gophercloud (Terraform's SDK); the other filters with fetch.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminEnv, jsonOut, runCli, startListeningApp, type ListeningApp } from '../helpers/cli.js';
import { compatEnv, go, python } from '../helpers/compat.js';
import { makeDockerSaveLikeTar } from '../helpers/image-tar.js';

let s: ListeningApp;
let env: Record<string, string>;
let work: string;
let token: string;
const ids: Record<string, string> = {};
const NAMES = ['busybox:latest', 'samalba/hipache:v1'];

const expectOk = (r: { code: number; stdout: string; stderr: string }) =>
  expect(r.code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);
const get = (p: string) => fetch(`${s.url}${p}`, { headers: { 'X-Auth-Token': token } });
const names = async (query: string) => {
  const r = await get(`/image/v2/images?${query}`);
  const body = (await r.json()) as { images?: { name: string }[]; message?: string };
  return { status: r.status, names: body.images?.map((i) => i.name).sort(), message: body.message };
};

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'novadock-compat-names-'));
  const tar = path.join(work, 'image.tar');
  fs.writeFileSync(tar, makeDockerSaveLikeTar());
  s = await startListeningApp();
  env = { ...adminEnv(s), HOME: work };
  for (const name of NAMES) {
    const r = await runCli(
      'glance',
      [
        'image-create',
        '--visibility',
        'public',
        '--container-format',
        'docker',
        '--disk-format',
        'raw',
        '--name',
        name,
        '--file',
        tar,
      ],
      env,
    );
    expectOk(r);
    ids[name] = /\|\s*id\s*\|\s*([0-9a-f-]{36})\s*\|/.exec(r.stdout)![1];
  }
  token = jsonOut<{ id: string }>(await runCli('openstack', ['token', 'issue', '-f', 'json'], env)).id;
}, 120_000);

afterAll(async () => {
  await s?.close();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('the clients find name:tag images', () => {
  it('openstack server create --image busybox:latest boots it', async () => {
    const r = await runCli(
      'openstack',
      ['server', 'create', '--image', 'busybox:latest', '--flavor', 'm1.tiny', '--wait', '-f', 'json', 'named-1'],
      env,
      { timeoutMs: 120_000 },
    );
    expectOk(r);
    expect(jsonOut<{ status: string; image: string }>(r)).toMatchObject({ status: 'ACTIVE' });
    const show = jsonOut<{ image: string }>(
      await runCli('openstack', ['server', 'show', '-f', 'json', 'named-1'], env),
    );
    expect(show.image).toContain(ids['busybox:latest']);
  }, 120_000);

  it('nova boot --image samalba/hipache:v1 boots it', async () => {
    const r = await runCli(
      'nova',
      ['boot', '--image', 'samalba/hipache:v1', '--flavor', 'm1.tiny', '--nic', 'none', '--poll', 'named-2'],
      env,
      { timeoutMs: 120_000 },
    );
    expectOk(r);
    const show = await runCli('nova', ['show', 'named-2'], env);
    expectOk(show);
    expect(show.stdout).toContain(ids['samalba/hipache:v1']);
  }, 120_000);

  it('openstack image show busybox:latest', async () => {
    const r = await runCli('openstack', ['image', 'show', '-f', 'json', 'busybox:latest'], env);
    expectOk(r);
    expect(jsonOut<{ id: string }>(r).id).toBe(ids['busybox:latest']);
  });

  it("openstacksdk's find_image (image and compute proxies)", async () => {
    const rows = await python<{ name: string; image: string | null; compute: string | null; error: string | null }[]>(
      'sdk_find_image.py',
      NAMES,
      adminEnv(s),
    );
    expect(rows).toEqual(NAMES.map((name) => ({ name, image: ids[name], compute: ids[name], error: null })));
  }, 60_000);

  it('gophercloud images.List with Name (Terraform)', async () => {
    const rows = await go<{ name: string; ok: boolean; ids: string[]; error?: string }[]>(
      'images_by_name',
      NAMES,
      compatEnv(s),
    );
    expect(rows).toEqual(NAMES.map((name) => ({ name, ok: true, ids: [ids[name]] })));
  }, 180_000);
});

describe('only real operators are operators, on every filter that takes them', () => {
  it('name: a prefix that is not in:/eq: is part of the name; in: and eq: still work', async () => {
    expect(await names('name=busybox:latest')).toEqual({ status: 200, names: ['busybox:latest'], message: undefined });
    expect(await names('name=eq:busybox:latest')).toMatchObject({ status: 200, names: ['busybox:latest'] });
    expect(await names(`name=in:busybox:latest,${encodeURIComponent('samalba/hipache:v1')}`)).toMatchObject({
      status: 200,
      names: NAMES,
    });
    expect(await names('name=in:"busybox:latest",nope')).toMatchObject({ status: 200, names: ['busybox:latest'] });
    // neq is an operator only on the time filters: on name it is text
    expect(await names('name=neq:busybox:latest')).toMatchObject({ status: 200, names: [] });
  });

  it('id, status, container_format and disk_format take any other prefix as their value', async () => {
    for (const q of ['id=abc:def', 'container_format=docker:v2', 'disk_format=raw:1']) {
      expect(await names(q), q).toMatchObject({ status: 200, names: [] });
    }
    // a status is one of Glance's: `x:active` is then a bad value, no longer an unknown operator
    const status = await names('status=x:active');
    expect(status.status).toBe(400);
    expect(status.message).toContain('Invalid status value: x:active');
    expect(await names(`id=in:${ids['busybox:latest']},x:y`)).toMatchObject({ status: 200, names: ['busybox:latest'] });
    expect(await names('status=eq:active&container_format=in:docker,bare')).toMatchObject({
      status: 200,
      names: NAMES,
    });
  });

  it('created_at / updated_at: their six operators work; any other prefix makes the value a bad time', async () => {
    expect(await names('created_at=gte:2000-01-01T00:00:00Z')).toMatchObject({ status: 200, names: NAMES });
    expect(await names('updated_at=lt:2000-01-01T00:00:00Z')).toMatchObject({ status: 200, names: [] });
    expect(await names('created_at=2000-01-01T00:00:00Z')).toMatchObject({ status: 200, names: [] });
    const bad = await names('created_at=after:2000-01-01T00:00:00Z');
    expect(bad.status).toBe(400);
    expect(bad.message).toContain('Bad "created_at" query filter format. Use ISO 8601 DateTime notation.');
  });

  it("Nova's image proxy filters by the same name", async () => {
    const r = await get('/compute/v2.1/images?name=busybox:latest');
    expect(r.status).toBe(200);
    expect(((await r.json()) as { images: { id: string }[] }).images.map((i) => i.id)).toEqual([ids['busybox:latest']]);
  });
});
