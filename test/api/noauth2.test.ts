// NOVADOCK_AUTH_STRATEGY=noauth2 (Nova's test-only auth_strategy): the X-Auth-Token "user[:project]"
// names the caller, user `admin` is admin and everyone else a member of the named project; unknown
// names become identity records on first use. Keystone tokens keep meaning themselves, the mode
// is refused off loopback, and the Glance image reads answer under the compute prefix.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { seedImage } from '../helpers/servers.js';
import { noauthRefusal } from '../../src/identity/listen-guard.js';
import { parseNoAuthToken } from '../../src/identity/noauth.js';

let t: TestApp;
let publicImage: string;
beforeAll(async () => {
  t = await makeTestApp({ authStrategy: 'noauth2' });
  publicImage = (await seedImage(t.services, { name: 'shared-img' })).id;
}, 60_000);
afterAll(async () => {
  await t?.close();
});

const as = (token: string) => ({ 'X-Auth-Token': token });
const project = (name: string) => t.services.identityRepo.findProjectByName('default', name);
const user = (name: string) => t.services.identityRepo.findUserByName('default', name);
const boot = (token: string, name: string) =>
  t.http
    .post('/compute/v2.1/servers')
    .set(as(token))
    .send({ server: { name, imageRef: publicImage, flavorRef: '1' } });

describe('the token names the caller', () => {
  it('parses as Nova does: user[:project], the project defaulting to the user', () => {
    expect(parseNoAuthToken('alice:p1')).toEqual({ user: 'alice', project: 'p1' });
    expect(parseNoAuthToken('alice')).toEqual({ user: 'alice', project: 'alice' });
    expect(parseNoAuthToken('alice:')).toEqual({ user: 'alice', project: 'alice' });
    expect(parseNoAuthToken('alice:p:1')).toEqual({ user: 'alice', project: 'p:1' });
    expect(parseNoAuthToken(':p1')).toBeNull();
    expect(parseNoAuthToken('x'.repeat(256))).toBeNull();
  });

  it('"notused" (openstack and nova with --os-auth-type none) is user notused, a member of project notused, created once', async () => {
    const res = await t.http.get('/compute/v2.1/servers').set(as('notused'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ servers: [] });
    const p = (await project('notused'))!;
    const u = (await user('notused'))!;
    expect(p).toMatchObject({ domain_id: 'default', enabled: 1 });
    expect(p.id).toMatch(/^[0-9a-f]{32}$/);
    expect(u).toMatchObject({ domain_id: 'default', password_hash: null, default_project_id: p.id });
    // no role is stored: noauth2 decides the role on every request
    expect(await t.services.identityRepo.rolesOn(u.id, p.id)).toEqual([]);
    // a second request reuses the records
    expect((await t.http.get('/compute/v2.1/servers').set(as('notused'))).status).toBe(200);
    expect(await t.services.identityRepo.listProjects({ name: 'notused' })).toHaveLength(1);
    expect(await t.services.identityRepo.listUsers({ name: 'notused' })).toHaveLength(1);
  });

  it("a server belongs to the token's project and user; a member may not use admin APIs", async () => {
    const res = await boot('alice:p1', 'alice-vm');
    expect(res.status).toBe(202);
    const show = await t.http.get(`/compute/v2.1/servers/${res.body.server.id}`).set(as('alice:p1'));
    expect(show.status).toBe(200);
    expect(show.body.server.tenant_id).toBe((await project('p1'))!.id);
    expect(show.body.server.user_id).toBe((await user('alice'))!.id);
    const hyp = await t.http.get('/compute/v2.1/os-hypervisors').set(as('alice:p1'));
    expect(hyp.status).toBe(403);
    expect(hyp.body.forbidden.message).toMatch(/Policy doesn't allow/);
  });

  it('two noauth projects are isolated; two users of one project share it', async () => {
    const mine = (await boot('bob:p2', 'bob-vm')).body.server.id as string;
    const alices = (await t.http.get('/compute/v2.1/servers').set(as('alice:p1'))).body.servers.map(
      (s: { name: string }) => s.name,
    );
    expect(alices).toContain('alice-vm');
    expect(alices).not.toContain('bob-vm');
    expect((await t.http.get(`/compute/v2.1/servers/${mine}`).set(as('alice:p1'))).status).toBe(404);
    expect((await t.http.delete(`/compute/v2.1/servers/${mine}`).set(as('alice:p1'))).status).toBe(404);
    // carol joins p1 just by naming it
    const carols = (await t.http.get('/compute/v2.1/servers').set(as('carol:p1'))).body.servers.map(
      (s: { name: string }) => s.name,
    );
    expect(carols).toEqual(['alice-vm']);
    // keypairs are per user
    expect(
      (
        await t.http
          .post('/compute/v2.1/os-keypairs')
          .set(as('alice:p1'))
          .send({ keypair: { name: 'k1' } })
      ).status,
    ).toBe(200);
    expect((await t.http.get('/compute/v2.1/os-keypairs/k1').set(as('alice:p1'))).status).toBe(200);
    expect((await t.http.get('/compute/v2.1/os-keypairs/k1').set(as('bob:p2'))).status).toBe(404);
    // the quota API accepts the created project
    const p2 = (await project('p2'))!.id;
    const quota = await t.http.get(`/compute/v2.1/os-quota-sets/${p2}`).set(as('bob:p2'));
    expect(quota.status).toBe(200);
    expect(quota.body.quota_set.id).toBe(p2);
  });

  it('user admin is admin (on the bootstrap admin project by default) and sees every project', async () => {
    const hyp = await t.http.get('/compute/v2.1/os-hypervisors').set(as('admin'));
    expect(hyp.status).toBe(200);
    const all = await t.http.get('/compute/v2.1/servers?all_tenants=1').set(as('admin'));
    const names = all.body.servers.map((s: { name: string }) => s.name);
    expect(names).toEqual(expect.arrayContaining(['alice-vm', 'bob-vm']));
    // admin:p1 is admin acting in p1; its server lands there
    const res = await boot('admin:p1', 'admin-in-p1');
    const show = await t.http.get(`/compute/v2.1/servers/${res.body.server.id}`).set(as('admin:p1'));
    expect(show.body.server.tenant_id).toBe((await project('p1'))!.id);
    expect(show.body.server.user_id).toBe((await user('admin'))!.id);
    // no second admin user or admin project was made
    expect(await t.services.identityRepo.listUsers({ name: 'admin' })).toHaveLength(1);
    expect(await t.services.identityRepo.listProjects({ name: 'admin' })).toHaveLength(1);
  });

  it('ten first requests at once create one project and one user', async () => {
    // straight at the resolver, so that the ten lookups interleave before any insert
    const contexts = await Promise.all(
      Array.from({ length: 10 }, () => t.services.noauth!.contextFor('racer:race-proj')),
    );
    expect(new Set(contexts.map((c) => `${c?.userId}:${c?.projectId}`)).size).toBe(1);
    expect(await t.services.identityRepo.listProjects({ name: 'race-proj' })).toHaveLength(1);
    expect(await t.services.identityRepo.listUsers({ name: 'racer' })).toHaveLength(1);
  });

  it('an existing project or user is found by id as well as by name', async () => {
    const p1 = (await project('p1'))!.id;
    const alice = (await user('alice'))!.id;
    const list = await t.http.get('/compute/v2.1/servers').set(as(`${alice}:${p1}`));
    expect(list.status).toBe(200);
    expect(list.body.servers.map((s: { name: string }) => s.name)).toContain('alice-vm');
    expect(await t.services.identityRepo.listProjects({ name: p1 })).toHaveLength(0);
  });

  it('a disabled project or user is refused; a malformed token is a 401', async () => {
    await boot('erin:p3', 'erin-vm');
    const p3 = (await project('p3'))!;
    await t.services.identityRepo.updateProject(p3.id, { enabled: false });
    const res = await t.http.get('/compute/v2.1/servers').set(as('frank:p3')); // not cached: resolved now
    expect(res.status).toBe(401);
    await t.services.identityRepo.updateProject(p3.id, { enabled: true });
    const u = (await user('frank'))!;
    await t.services.identityRepo.updateUser(u.id, { enabled: false });
    expect((await t.http.get('/compute/v2.1/servers').set(as('frank:p4'))).status).toBe(401);
    expect((await t.http.get('/compute/v2.1/servers').set(as(':p1'))).status).toBe(401);
    expect((await t.http.get('/compute/v2.1/servers')).status).toBe(401);
    expect((await t.http.get('/compute/v2.1/servers').set(as('x'.repeat(300)))).status).toBe(401);
  });

  it('disabling a project through the identity API ends a cached caller at once', async () => {
    expect((await t.http.get('/compute/v2.1/servers').set(as('gina:p5'))).status).toBe(200);
    const p5 = (await project('p5'))!.id;
    const patch = await t.http
      .patch(`/identity/v3/projects/${p5}`)
      .set(as('admin'))
      .send({ project: { enabled: false } });
    expect(patch.status).toBe(200);
    expect((await t.http.get('/compute/v2.1/servers').set(as('gina:p5'))).status).toBe(401);
  });
});

describe('Keystone tokens in noauth2', () => {
  it('a real token is honoured as itself: a reader stays a reader', async () => {
    const r = await makeProjectUser(t, 'ks-proj', 'reader');
    const list = await t.http.get('/compute/v2.1/servers').set(as(r.token));
    expect(list.status).toBe(200);
    const create = await boot(r.token, 'reader-vm');
    expect(create.status).toBe(403);
    // and the admin's password token still works
    expect((await t.http.get('/compute/v2.1/os-hypervisors').set(as(t.adminToken))).status).toBe(200);
  });

  it('a revoked Keystone token stays refused and never becomes a user named after it', async () => {
    const r = await makeProjectUser(t, 'ks-revoked', 'member');
    const del = await t.http.delete('/identity/v3/auth/tokens').set(as(t.adminToken)).set('X-Subject-Token', r.token);
    expect(del.status).toBe(204);
    expect((await t.http.get('/compute/v2.1/servers').set(as(r.token))).status).toBe(401);
    expect(await user(r.token)).toBeUndefined();
  });
});

describe('loopback only', () => {
  it('a noauth token from another address is refused; a Keystone token from there still works', async () => {
    const fromAfar = await t.app.inject({
      method: 'GET',
      url: '/compute/v2.1/servers',
      headers: as('admin'),
      remoteAddress: '10.0.0.5',
    });
    expect(fromAfar.statusCode).toBe(401);
    const local = await t.app.inject({
      method: 'GET',
      url: '/compute/v2.1/servers',
      headers: as('admin'),
      remoteAddress: '127.0.0.1',
    });
    expect(local.statusCode).toBe(200);
    const keystone = await t.app.inject({
      method: 'GET',
      url: '/compute/v2.1/servers',
      headers: as(t.adminToken),
      remoteAddress: '10.0.0.5',
    });
    expect(keystone.statusCode).toBe(200);
  });

  it('the listen guard refuses noauth2 on any non-loopback address', () => {
    for (const h of ['0.0.0.0', '::', '10.0.0.5', 'example.com']) {
      expect(noauthRefusal(h, 'noauth2'), h).toMatch(
        new RegExp(
          `^refusing to listen on ${h.replace(/\./g, '\\.')}: NOVADOCK_AUTH_STRATEGY=noauth2 lets any caller act as any user, admin included`,
        ),
      );
      expect(noauthRefusal(h, 'keystone'), h).toBeNull();
    }
    for (const h of ['127.0.0.1', '::1', 'localhost']) expect(noauthRefusal(h, 'noauth2'), h).toBeNull();
  });

  it('src/server.ts with noauth2 on 0.0.0.0 exits 2 before listening, even with a strong password', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'novadock-noauth-'));
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
        cwd: path.resolve(__dirname, '../..'),
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: os.tmpdir(),
          NOVADOCK_DATA_DIR: dataDir,
          NOVADOCK_COMPUTE_DRIVER: 'fake',
          NOVADOCK_HOST: '0.0.0.0',
          NOVADOCK_PORT: '0',
          NOVADOCK_AUTH_STRATEGY: 'noauth2',
          NOVADOCK_ADMIN_PASSWORD: 'a-long-and-unusual-password',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
      });
      child.stderr.on('data', (c: Buffer) => {
        out += c.toString();
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      clearTimeout(timer);
      expect(code, out).toBe(2);
      expect(out).toMatch(/^novadock: refusing to listen on 0\.0\.0\.0: NOVADOCK_AUTH_STRATEGY=noauth2/m);
      expect(out).not.toMatch(/Server listening/);
      expect(fs.existsSync(path.join(dataDir, 'novadock.sqlite'))).toBe(false);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 40_000);
});

describe('Glance image reads under the compute prefix', () => {
  it('GET /compute/v2.1/v2/images?name= and /v2/images/{id} are the Glance routes', async () => {
    const list = await t.http.get('/compute/v2.1/v2/images?name=shared-img').set(as('notused'));
    expect(list.status).toBe(200);
    const direct = await t.http.get('/image/v2/images?name=shared-img').set(as('notused'));
    expect(list.body).toEqual(direct.body);
    expect(list.body.images.map((i: { id: string }) => i.id)).toEqual([publicImage]);
    const show = await t.http.get(`/compute/v2.1/v2/images/${publicImage}`).set(as('notused'));
    expect(show.status).toBe(200);
    expect(show.body).toMatchObject({ id: publicImage, name: 'shared-img', status: 'active' });
    // the project-id URL form too
    const pid = (await project('notused'))!.id;
    expect((await t.http.get(`/compute/v2.1/${pid}/v2/images/${publicImage}`).set(as('notused'))).status).toBe(200);
  });

  it("keeps Glance's visibility rules and error format; writes are not aliased", async () => {
    const priv = await seedImage(t.services, {
      name: 'p2-private',
      visibility: 'private',
      owner: (await project('p2'))!.id,
    });
    expect((await t.http.get(`/compute/v2.1/v2/images/${priv.id}`).set(as('bob:p2'))).status).toBe(200);
    const hidden = await t.http.get(`/compute/v2.1/v2/images/${priv.id}`).set(as('alice:p1'));
    expect(hidden.status).toBe(404);
    const glance404 = await t.http.get(`/image/v2/images/${priv.id}`).set(as('alice:p1'));
    expect(hidden.text).toBe(glance404.text);
    const names = (await t.http.get('/compute/v2.1/v2/images').set(as('alice:p1'))).body.images.map(
      (i: { name: string }) => i.name,
    );
    expect(names).not.toContain('p2-private');
    const post = await t.http.post('/compute/v2.1/v2/images').set(as('alice:p1')).send({ name: 'nope' });
    expect(post.status).toBe(404);
    // the compute API's answer for a path it does not have
    expect(post.text).toBe((await t.http.get('/compute/v2.1/no-such-path').set(as('alice:p1'))).text);
    expect((await t.http.delete(`/compute/v2.1/v2/images/${priv.id}`).set(as('bob:p2'))).status).toBe(404);
    expect((await t.services.imagesRepo.find(priv.id))?.id).toBe(priv.id);
  });
});

describe('keystone mode (the default) is unchanged', () => {
  let k: TestApp;
  beforeAll(async () => {
    k = await makeTestApp();
  }, 60_000);
  afterAll(async () => {
    await k?.close();
  });

  it('noauth tokens are 401, no record is created, and no image alias exists', async () => {
    for (const token of ['notused', 'admin', 'admin:admin']) {
      const res = await k.http.get('/compute/v2.1/servers').set(as(token));
      expect(res.status, token).toBe(401);
    }
    expect(await k.services.identityRepo.findUserByName('default', 'notused')).toBeUndefined();
    expect(k.services.noauth).toBeNull();
    expect((await k.http.get('/compute/v2.1/v2/images').set(as(k.adminToken))).status).toBe(404);
  });
});
