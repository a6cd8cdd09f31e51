// Keystone tokens: password and token methods, every scope form, validation, revocation, expiry,
// hashing at rest, the catalog, and the 401s.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { makeTestApp, makeProjectUser, ADMIN_PASSWORD, type TestApp } from '../helpers/app.js';
import { buildApp } from '../../src/app.js';
import { testConfig } from '../../src/config.js';
import { fakeDriverFactory } from '../../src/virt/factory.js';
import { sql } from '../../src/db/sql.js';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(async () => {
  await t.close();
});

type Body = Record<string, unknown>;
const passwordAuth = (user: Body, scope?: unknown) => ({
  auth: { identity: { methods: ['password'], password: { user } }, ...(scope === undefined ? {} : { scope }) },
});
const adminUser = (extra: Body = {}) => ({ name: 'admin', password: ADMIN_PASSWORD, ...extra });
const issue = (body: unknown, host = 'keystone.test:5000') =>
  t.http
    .post('/identity/v3/auth/tokens')
    .set('Host', host)
    .send(body as object);

describe('POST /v3/auth/tokens, password method', () => {
  it('by name with domain name, domain id, or no domain (Default); project by name + domain or by id', async () => {
    const adminProject = (await t.services.identityRepo.findProjectByName('default', 'admin'))!;
    const forms: [Body, unknown][] = [
      [adminUser({ domain: { name: 'Default' } }), { project: { name: 'admin', domain: { name: 'Default' } } }],
      [adminUser({ domain: { id: 'default' } }), { project: { name: 'admin', domain: { id: 'default' } } }],
      [adminUser(), { project: { name: 'admin' } }],
      [adminUser(), { project: { id: adminProject.id } }],
    ];
    for (const [user, scope] of forms) {
      const res = await issue(passwordAuth(user, scope));
      expect(res.status, JSON.stringify(user)).toBe(201);
      expect(res.body.token.project.id).toBe(adminProject.id);
    }
  });

  it('by user id; the body has methods, user, project, roles, catalog, expires_at, issued_at, audit_ids', async () => {
    const admin = (await t.services.identityRepo.findUserByName('default', 'admin'))!;
    const res = await issue(
      passwordAuth(
        { id: admin.id, password: ADMIN_PASSWORD },
        { project: { name: 'admin', domain: { id: 'default' } } },
      ),
    );
    expect(res.status).toBe(201);
    expect(res.headers['x-subject-token']).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 random bytes
    const tok = res.body.token;
    expect(Object.keys(tok).sort()).toEqual([
      'audit_ids',
      'catalog',
      'expires_at',
      'is_domain',
      'issued_at',
      'methods',
      'project',
      'roles',
      'user',
    ]);
    expect(tok.methods).toEqual(['password']);
    expect(tok.user).toMatchObject({ id: admin.id, name: 'admin', domain: { id: 'default', name: 'Default' } });
    expect(tok.project).toMatchObject({ name: 'admin', domain: { id: 'default', name: 'Default' } });
    expect(tok.roles).toEqual([{ id: expect.stringMatching(/^[0-9a-f]{32}$/), name: 'admin' }]);
    expect(tok.audit_ids).toEqual([expect.stringMatching(/^[A-Za-z0-9_-]{22}$/)]);
    // 12 hours by default
    expect(Date.parse(tok.expires_at) - Date.parse(tok.issued_at)).toBe(12 * 3600 * 1000);
  });

  it('every failure is the same 401 (wrong password, unknown user, unknown domain, unknown id)', async () => {
    const bodies = [
      passwordAuth(adminUser({ password: 'wrong-password' }), { project: { name: 'admin' } }),
      passwordAuth({ name: 'nobody-here', password: 'whatever-it-is' }, { project: { name: 'admin' } }),
      passwordAuth(adminUser({ domain: { name: 'NoSuchDomain' } }), { project: { name: 'admin' } }),
      passwordAuth({ id: 'f'.repeat(32), password: 'whatever-it-is' }),
    ];
    const answers = [];
    for (const b of bodies) {
      const res = await issue(b);
      expect(res.status).toBe(401);
      expect(res.headers['x-subject-token']).toBeUndefined();
      answers.push(res.body);
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]).toEqual({
      error: { code: 401, message: 'The request you have made requires authentication.', title: 'Unauthorized' },
    });
  });

  it('a project the user has no role on, a disabled project, a disabled user: 401', async () => {
    const a = await makeProjectUser(t, 'tok-a', 'member');
    await makeProjectUser(t, 'tok-b', 'member');
    const res = await issue(
      passwordAuth({ name: 'tok-a-member', password: 'tok-a-member-password' }, { project: { name: 'tok-b' } }),
    );
    expect(res.status).toBe(401);
    expect(res.body.error.message).toBe(`User ${a.userId} has no access to project tok-b`);

    await t.services.identityRepo.updateProject(a.projectId, { enabled: false });
    expect(
      (
        await issue(
          passwordAuth({ name: 'tok-a-member', password: 'tok-a-member-password' }, { project: { name: 'tok-a' } }),
        )
      ).status,
    ).toBe(401);
    await t.services.identityRepo.updateProject(a.projectId, { enabled: true });

    await t.services.identityRepo.updateUser(a.userId, { enabled: false });
    expect(
      (
        await issue(
          passwordAuth({ name: 'tok-a-member', password: 'tok-a-member-password' }, { project: { name: 'tok-a' } }),
        )
      ).status,
    ).toBe(401);
    await t.services.identityRepo.updateUser(a.userId, { enabled: true });
  });

  it('malformed requests are 400 in Keystone format, never 500', async () => {
    const bad: unknown[] = [
      {},
      { auth: {} },
      { auth: { identity: { methods: 'password' } } },
      { auth: { identity: { methods: ['password'] } } },
      { auth: { identity: { methods: ['password'], password: { user: { name: 'admin' } } } } },
      { auth: { identity: { methods: ['password'], password: { user: { name: 'admin', password: 5 } } } } },
      { auth: { identity: { methods: ['password'], password: { user: adminUser() } }, scope: 'everything' } },
    ];
    for (const b of bad) {
      const res = await issue(b);
      expect(res.status, JSON.stringify(b)).toBe(400);
      expect(res.body.error.code).toBe(400);
    }
    // An over-long password is refused without being quoted back.
    const long = 'p'.repeat(5000);
    const tooLong = await issue(passwordAuth(adminUser({ password: long }), { project: { name: 'admin' } }));
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.message).toBe(
      "Invalid input for field 'password': the password is longer than 4096 characters.",
    );
    const junk = await t.http.post('/identity/v3/auth/tokens').set('Content-Type', 'application/json').send('{"auth":');
    expect(junk.status).toBe(400);
    expect(junk.body.error.code).toBe(400);
  });
});

describe('scopes', () => {
  it('"unscoped" and a missing scope both give an unscoped token: no project, roles or catalog', async () => {
    for (const scope of ['unscoped', undefined]) {
      const res = await issue(passwordAuth(adminUser(), scope));
      expect(res.status).toBe(201);
      expect(res.body.token.project).toBeUndefined();
      expect(res.body.token.roles).toBeUndefined();
      expect(res.body.token.catalog).toBeUndefined();
      expect(res.body.token.user.name).toBe('admin');
    }
  });

  it('an unscoped token lists its projects (auth/projects, users/{id}/projects) and rescopes with the token method', async () => {
    const b = await makeProjectUser(t, 'scope-b', 'member');
    const res = await issue(passwordAuth({ name: 'scope-b-member', password: 'scope-b-member-password' }, 'unscoped'));
    const unscoped = res.headers['x-subject-token'];
    const auth = await t.http.get('/identity/v3/auth/projects').set('X-Auth-Token', unscoped).set('Host', 'k:1');
    expect(auth.status).toBe(200);
    expect(auth.body.projects.map((p: { id: string }) => p.id)).toEqual([b.projectId]);
    expect(auth.body.links).toEqual({ self: 'http://k:1/identity/v3/auth/projects', previous: null, next: null });
    const mine = await t.http.get(`/identity/v3/users/${b.userId}/projects`).set('X-Auth-Token', unscoped);
    expect(mine.status).toBe(200);
    expect(mine.body.projects.map((p: { name: string }) => p.name)).toEqual(['scope-b']);

    // An unscoped token cannot be used on compute: it needs a project.
    const compute = await t.http.get('/compute/v2.1/os-keypairs').set('X-Auth-Token', unscoped);
    expect([401, 403]).toContain(compute.status);

    const rescoped = await issue({
      auth: { identity: { methods: ['token'], token: { id: unscoped } }, scope: { project: { id: b.projectId } } },
    });
    expect(rescoped.status).toBe(201);
    expect(rescoped.body.token.methods).toEqual(['token']);
    expect(rescoped.body.token.project.id).toBe(b.projectId);
    expect(rescoped.body.token.roles.map((r: { name: string }) => r.name)).toEqual(['member']);
    // a rescoped token never outlives the token it came from
    expect(rescoped.body.token.expires_at).toBe(res.body.token.expires_at);

    const garbage = await issue({
      auth: { identity: { methods: ['token'], token: { id: 'not-a-token' } }, scope: { project: { id: b.projectId } } },
    });
    expect(garbage.status).toBe(401);
  });

  it('domain scope: admin gets a domain token with the admin role; a member gets a clean 401', async () => {
    const res = await issue(passwordAuth(adminUser(), { domain: { name: 'Default' } }));
    expect(res.status).toBe(201);
    expect(res.body.token.domain).toEqual({ id: 'default', name: 'Default' });
    expect(res.body.token.project).toBeUndefined();
    expect(res.body.token.roles.map((r: { name: string }) => r.name)).toEqual(['admin']);
    expect(res.body.token.catalog.length).toBe(4);
    const list = await t.http.get('/identity/v3/projects').set('X-Auth-Token', res.headers['x-subject-token']);
    expect(list.status).toBe(200);

    await makeProjectUser(t, 'dom-m', 'member');
    const member = await issue(
      passwordAuth({ name: 'dom-m-member', password: 'dom-m-member-password' }, { domain: { id: 'default' } }),
    );
    expect(member.status).toBe(401);
    expect(member.body.error).toMatchObject({ code: 401, title: 'Unauthorized' });
    const system = await issue(passwordAuth(adminUser(), { system: { all: true } }));
    expect(system.status).toBe(401);
  });
});

describe('validate, check and revoke', () => {
  const fresh = async () =>
    (await issue(passwordAuth(adminUser(), { project: { name: 'admin' } }))).headers['x-subject-token'];

  it('GET gives the token body and echoes X-Subject-Token; HEAD gives 200 and no body; ?nocatalog drops the catalog', async () => {
    const subject = await fresh();
    const get = await t.http
      .get('/identity/v3/auth/tokens')
      .set('X-Auth-Token', t.adminToken)
      .set('X-Subject-Token', subject);
    expect(get.status).toBe(200);
    expect(get.headers['x-subject-token']).toBe(subject);
    expect(get.body.token.catalog).toHaveLength(4);
    const head = await t.http
      .head('/identity/v3/auth/tokens')
      .set('X-Auth-Token', t.adminToken)
      .set('X-Subject-Token', subject);
    expect(head.status).toBe(200);
    expect(head.text ?? '').toBe('');
    const noCatalog = await t.http
      .get('/identity/v3/auth/tokens?nocatalog')
      .set('X-Auth-Token', t.adminToken)
      .set('X-Subject-Token', subject);
    expect(noCatalog.body.token.catalog).toBeUndefined();
    expect(noCatalog.body.token.project.name).toBe('admin');
  });

  it('DELETE revokes: 204, then the token is 404 to validate and 401 to use', async () => {
    const subject = await fresh();
    expect((await t.http.get('/compute/v2.1/os-keypairs').set('X-Auth-Token', subject)).status).toBe(200);
    const del = await t.http
      .delete('/identity/v3/auth/tokens')
      .set('X-Auth-Token', t.adminToken)
      .set('X-Subject-Token', subject);
    expect(del.status).toBe(204);
    expect(
      (await t.http.get('/identity/v3/auth/tokens').set('X-Auth-Token', t.adminToken).set('X-Subject-Token', subject))
        .status,
    ).toBe(404);
    const use = await t.http.get('/compute/v2.1/os-keypairs').set('X-Auth-Token', subject);
    expect(use.status).toBe(401);
    expect(
      (
        await t.http
          .delete('/identity/v3/auth/tokens')
          .set('X-Auth-Token', t.adminToken)
          .set('X-Subject-Token', subject)
      ).status,
    ).toBe(404);
  });

  it("a user may validate and revoke its own tokens; another user's token is 404 to it", async () => {
    const m = await makeProjectUser(t, 'val-m', 'member');
    const own = await t.http
      .get('/identity/v3/auth/tokens')
      .set('X-Auth-Token', m.token)
      .set('X-Subject-Token', m.token);
    expect(own.status).toBe(200);
    const other = await t.http
      .get('/identity/v3/auth/tokens')
      .set('X-Auth-Token', m.token)
      .set('X-Subject-Token', t.adminToken);
    expect(other.status).toBe(404);
    const revokeOther = await t.http
      .delete('/identity/v3/auth/tokens')
      .set('X-Auth-Token', m.token)
      .set('X-Subject-Token', t.adminToken);
    expect(revokeOther.status).toBe(404);
    expect(
      (
        await t.http
          .get('/identity/v3/auth/tokens')
          .set('X-Auth-Token', t.adminToken)
          .set('X-Subject-Token', t.adminToken)
      ).status,
    ).toBe(200);
  });

  it('tokens are stored only as sha256 hashes', async () => {
    const subject = await fresh();
    const rows = await sql(t.services.db)('tokens').select('*');
    expect(
      rows.some((r: { id_hash: string }) => r.id_hash === createHash('sha256').update(subject).digest('hex')),
    ).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(subject);
  });
});

describe('catalog', () => {
  it('identity, compute (/compute/v2.1), image (unversioned /image) and network (/networking), each public/internal/admin in RegionOne, absolute from Host', async () => {
    const res = await issue(passwordAuth(adminUser(), { project: { name: 'admin' } }), 'cloud.example:8774');
    const catalog = res.body.token.catalog as {
      type: string;
      endpoints: { interface: string; region: string; region_id: string; url: string }[];
    }[];
    expect(catalog.map((s) => s.type).sort()).toEqual(['compute', 'identity', 'image', 'network']);
    const want: Record<string, string> = {
      identity: 'http://cloud.example:8774/identity/v3',
      compute: 'http://cloud.example:8774/compute/v2.1',
      image: 'http://cloud.example:8774/image',
      network: 'http://cloud.example:8774/networking',
    };
    for (const s of catalog) {
      expect(s.endpoints.map((e) => e.interface).sort()).toEqual(['admin', 'internal', 'public']);
      for (const e of s.endpoints)
        expect(e).toMatchObject({ region: 'RegionOne', region_id: 'RegionOne', url: want[s.type] });
    }
  });

  it('GET /v3/auth/catalog: the catalog for a scoped token, 403 for an unscoped one', async () => {
    const scoped = await t.http.get('/identity/v3/auth/catalog').set('X-Auth-Token', t.adminToken).set('Host', 'h:2');
    expect(scoped.status).toBe(200);
    expect(scoped.body.catalog.find((s: { type: string }) => s.type === 'image').endpoints[0].url).toBe(
      'http://h:2/image',
    );
    const unscoped = (await issue(passwordAuth(adminUser(), 'unscoped'))).headers['x-subject-token'];
    const res = await t.http.get('/identity/v3/auth/catalog').set('X-Auth-Token', unscoped);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe('A project-scoped token is required to produce a service catalog.');
  });

  it('NOVADOCK_PUBLIC_URL wins over the request host', async () => {
    const other = await makeTestApp({ publicUrl: 'https://cloud.example.org' });
    try {
      const res = await other.http
        .post('/identity/v3/auth/tokens')
        .set('Host', 'internal:1')
        .send(passwordAuth(adminUser(), { project: { name: 'admin' } }));
      const urls = res.body.token.catalog.flatMap((s: { endpoints: { url: string }[] }) =>
        s.endpoints.map((e) => e.url),
      );
      expect(new Set(urls)).toEqual(
        new Set([
          'https://cloud.example.org/identity/v3',
          'https://cloud.example.org/compute/v2.1',
          'https://cloud.example.org/image',
          'https://cloud.example.org/networking',
        ]),
      );
    } finally {
      await other.close();
    }
  });
});

describe('missing or invalid token', () => {
  it('401 with WWW-Authenticate: Keystone uri=".../identity/v3" on every API', async () => {
    for (const path of [
      '/compute/v2.1/flavors',
      '/compute/v2.1/os-keypairs',
      '/image/v2/images',
      '/identity/v3/projects',
      '/identity/v3/auth/projects',
    ]) {
      for (const token of [undefined, 'bogus-token', 'x'.repeat(5000)]) {
        const req = t.http.get(path).set('Host', 'edge.example:8774');
        const res = await (token ? req.set('X-Auth-Token', token) : req);
        expect(res.status, `${path} ${token?.slice(0, 8)}`).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Keystone uri="http://edge.example:8774/identity/v3"');
      }
    }
  });
});

describe('expiry', () => {
  it('the lifetime is configurable, and an expired token is 401', async () => {
    let now = Date.parse('2026-11-27T12:00:00.000Z');
    const clock = { now: () => new Date(now) };
    const built = await buildApp({
      config: testConfig({ tokenTtlSeconds: 600 }),
      clock,
      driverFactory: fakeDriverFactory(),
      logger: false,
    });
    await built.app.ready();
    try {
      const http = request(built.app.server);
      const res = await http
        .post('/identity/v3/auth/tokens')
        .send(passwordAuth(adminUser(), { project: { name: 'admin' } }));
      expect(res.body.token.issued_at).toBe('2026-11-27T12:00:00.000000Z');
      expect(res.body.token.expires_at).toBe('2026-11-27T12:10:00.000000Z');
      const token = res.headers['x-subject-token'];
      expect((await http.get('/identity/v3/auth/projects').set('X-Auth-Token', token)).status).toBe(200);
      now += 599_000;
      expect((await http.get('/identity/v3/auth/projects').set('X-Auth-Token', token)).status).toBe(200);
      now += 1_000;
      expect((await http.get('/identity/v3/auth/projects').set('X-Auth-Token', token)).status).toBe(401);
    } finally {
      await built.app.close();
    }
  });
});
