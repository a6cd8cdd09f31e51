// Keystone application credentials: the CRUD routes under /v3/users/{id}/application_credentials,
// the `application_credential` auth method (by id, by name + user), the rules Keystone enforces
// (owner-only create with a project token, delegated roles ⊆ the token's, restricted tokens,
// duplicate names, expiry, no scope), and that tokens follow the credential (roles subset, delete,
// expiry, lost role assignment).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, makeProjectUser, passwordToken, ADMIN_PASSWORD, type TestApp } from '../helpers/app.js';
import { sql } from '../../src/db/sql.js';

let t: TestApp;
let adminId: string;
let member: { projectId: string; userId: string; token: string };
beforeAll(async () => {
  t = await makeTestApp();
  adminId = (await t.services.identityRepo.findUserByName('default', 'admin'))!.id;
  member = await makeProjectUser(t, 'acproj', 'member');
});
afterAll(async () => {
  await t.close();
});

type Body = Record<string, unknown>;
const credsUrl = (userId: string, id = '') =>
  `/identity/v3/users/${userId}/application_credentials${id ? `/${id}` : ''}`;
const create = (token: string, userId: string, cred: Body) =>
  t.http.post(credsUrl(userId)).set('X-Auth-Token', token).send({ application_credential: cred });
const authBody = (cred: Body, extra: Body = {}) => ({
  auth: { identity: { methods: ['application_credential'], application_credential: cred }, ...extra },
});
const issue = (cred: Body, extra: Body = {}) => t.http.post('/identity/v3/auth/tokens').send(authBody(cred, extra));
const servers = (token: string) => t.http.get('/compute/v2.1/servers').set('X-Auth-Token', token);
const CLIENT_ERROR =
  ' The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.';

async function memberCred(name: string, extra: Body = {}) {
  const res = await create(member.token, member.userId, { name, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.application_credential as { id: string; secret: string; name: string };
}

describe('create, list, show', () => {
  it('creates with a generated 86-character secret and every role of the token; the secret is shown once', async () => {
    const res = await create(member.token, member.userId, { name: 'monitoring', description: 'for monitoring' });
    expect(res.status).toBe(201);
    const c = res.body.application_credential;
    expect(Object.keys(c).sort()).toEqual([
      'access_rules',
      'description',
      'expires_at',
      'id',
      'links',
      'name',
      'project_id',
      'roles',
      'secret',
      'unrestricted',
    ]);
    expect(c.id).toMatch(/^[0-9a-f]{32}$/);
    expect(c.secret).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(c).toMatchObject({
      name: 'monitoring',
      description: 'for monitoring',
      project_id: member.projectId,
      expires_at: null,
      unrestricted: false,
      access_rules: [],
    });
    expect(c.roles).toEqual([{ id: expect.stringMatching(/^[0-9a-f]{32}$/), name: 'member', domain_id: null }]);
    expect(c.links.self).toMatch(new RegExp(`/identity/v3/users/${member.userId}/application_credentials/${c.id}$`));

    const shown = await t.http.get(credsUrl(member.userId, c.id)).set('X-Auth-Token', member.token);
    expect(shown.status).toBe(200);
    expect(shown.body.application_credential.secret).toBeUndefined();
    expect(shown.body.application_credential).toMatchObject({
      id: c.id,
      user_id: member.userId,
      system: null,
      roles: c.roles,
    });

    const listed = await t.http.get(credsUrl(member.userId)).set('X-Auth-Token', member.token);
    expect(listed.status).toBe(200);
    expect(listed.body.application_credentials.map((x: Body) => x.name)).toContain('monitoring');
    expect(listed.body.application_credentials.every((x: Body) => x.secret === undefined)).toBe(true);
    const secretHash = (await sql(t.services.db)('application_credentials').where({ id: c.id }).first()).secret_hash;
    expect(secretHash).toMatch(/^scrypt\$/);
    expect(secretHash).not.toContain(c.secret);
  });

  it('?name= filters exactly; expires_at is kept and shown in Keystone form', async () => {
    const expires = new Date(Date.now() + 86_400_000).toISOString().slice(0, 19);
    const c = await memberCred('filtered', { expires_at: expires });
    const res = await t.http.get(`${credsUrl(member.userId)}?name=filtered`).set('X-Auth-Token', member.token);
    expect(res.body.application_credentials).toHaveLength(1);
    expect(res.body.application_credentials[0]).toMatchObject({ id: c.id, expires_at: `${expires}.000000` });
    const none = await t.http.get(`${credsUrl(member.userId)}?name=filter`).set('X-Auth-Token', member.token);
    expect(none.body.application_credentials).toEqual([]);
  });

  it('a duplicate name for the same user is 409 in Keystone wording; another user may reuse it', async () => {
    await memberCred('dup');
    const again = await create(member.token, member.userId, { name: 'dup' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({
      code: 409,
      message: 'Conflict occurred attempting to store application_credential - Duplicate entry found with name dup.',
    });
    expect((await create(t.adminToken, adminId, { name: 'dup' })).status).toBe(201);
  });

  it('refuses: another user (403), an unscoped token (403), an unheld role (400), an unknown role name (404), a past or malformed expiry (400), access rules (400)', async () => {
    const other = await create(member.token, adminId, { name: 'x1' });
    expect(other.status).toBe(403);
    expect(other.body.error.message).toBe(
      'You are not authorized to perform the requested action: identity:create_application_credential.',
    );
    const unscoped = await t.http.post('/identity/v3/auth/tokens').send({
      auth: {
        identity: {
          methods: ['password'],
          password: {
            user: { name: 'acproj-member', password: 'acproj-member-password', domain: { id: 'default' } },
          },
        },
      },
    });
    expect((await create(unscoped.headers['x-subject-token'], member.userId, { name: 'x2' })).status).toBe(403);
    const unheld = await create(member.token, member.userId, { name: 'x3', roles: [{ name: 'admin' }] });
    expect(unheld.status).toBe(400);
    expect(unheld.body.error.message).toBe(
      'Invalid application credential: Cannot create an application credential with unassigned role',
    );
    expect((await create(member.token, member.userId, { name: 'x4', roles: [{ id: 'f'.repeat(32) }] })).status).toBe(
      400,
    );
    const unknown = await create(member.token, member.userId, { name: 'x5', roles: [{ name: 'no-such-role' }] });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toBe('Could not find role: no-such-role.');
    const past = await create(member.token, member.userId, { name: 'x6', expires_at: '2020-01-01T00:00:00Z' });
    expect(past.status).toBe(400);
    expect(past.body.error.message).toBe(`The 'expires_at' must not be before now.${CLIENT_ERROR}`);
    const garbled = await create(member.token, member.userId, { name: 'x7', expires_at: 'tomorrow' });
    expect(garbled.status).toBe(400);
    expect(garbled.body.error.message).toBe(`Timestamp not in expected format.${CLIENT_ERROR}`);
    const rules = await create(member.token, member.userId, {
      name: 'x8',
      access_rules: [{ service: 'compute', path: '/servers', method: 'GET' }],
    });
    expect(rules.status).toBe(400);
    expect((await create(member.token, member.userId, { name: 'x9', access_rules: [] })).status).toBe(201);
    for (const bad of [
      {},
      { name: '' },
      { name: 'ok', roles: [{ id: 'a', name: 'b' }] },
      { name: 'ok', bogus: 1 },
      { name: 'ok', unrestricted: 'yes' },
    ]) {
      expect((await create(member.token, member.userId, bad)).status, JSON.stringify(bad)).toBe(400);
    }
  });

  it("admin may list, show and delete another user's credentials; another member may not", async () => {
    const c = await memberCred('admin-visible');
    expect((await t.http.get(credsUrl(member.userId)).set('X-Auth-Token', t.adminToken)).status).toBe(200);
    expect((await t.http.get(credsUrl(member.userId, c.id)).set('X-Auth-Token', t.adminToken)).status).toBe(200);
    const stranger = await makeProjectUser(t, 'acother', 'member');
    const list = await t.http.get(credsUrl(member.userId)).set('X-Auth-Token', stranger.token);
    expect(list.status).toBe(403);
    expect(list.body.error.message).toBe(
      'You are not authorized to perform the requested action: identity:list_application_credentials.',
    );
    // naming themselves in the path does not help: the owner is the credential's user
    expect((await t.http.get(credsUrl(stranger.userId, c.id)).set('X-Auth-Token', stranger.token)).status).toBe(403);
    expect((await t.http.delete(credsUrl(stranger.userId, c.id)).set('X-Auth-Token', stranger.token)).status).toBe(403);
    expect((await t.http.delete(credsUrl(member.userId, c.id)).set('X-Auth-Token', t.adminToken)).status).toBe(204);
    const gone = await t.http.get(credsUrl(member.userId, c.id)).set('X-Auth-Token', member.token);
    expect(gone.status).toBe(404);
    expect(gone.body.error.message).toBe(`Could not find Application Credential: ${c.id}.`);
  });
});

describe('POST /v3/auth/tokens with application_credential', () => {
  it("by id: a project token with methods, the credential's roles, the catalog and application_credential; compute works", async () => {
    const c = await memberCred('by-id', { secret: 'my-own-secret-value' });
    expect(c.secret).toBe('my-own-secret-value');
    const res = await issue({ id: c.id, secret: 'my-own-secret-value' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const tok = res.body.token;
    expect(tok.methods).toEqual(['application_credential']);
    expect(tok.project.id).toBe(member.projectId);
    expect(tok.user.id).toBe(member.userId);
    expect(tok.roles.map((r: Body) => r.name)).toEqual(['member']);
    expect(tok.application_credential).toEqual({ id: c.id, name: 'by-id', restricted: true });
    expect(tok.catalog.map((s: Body) => s.type)).toContain('compute');
    expect((await servers(res.headers['x-subject-token'])).status).toBe(200);
    // validation shows the same body
    const check = await t.http
      .get('/identity/v3/auth/tokens')
      .set('X-Auth-Token', member.token)
      .set('X-Subject-Token', res.headers['x-subject-token']);
    expect(check.status).toBe(200);
    expect(check.body.token.application_credential).toEqual({ id: c.id, name: 'by-id', restricted: true });
  });

  it('by name with the user by id, or by name and domain; without a domain or a name/id it is 400', async () => {
    const c = await memberCred('by-name');
    expect((await issue({ name: 'by-name', secret: c.secret, user: { id: member.userId } })).status).toBe(201);
    expect(
      (await issue({ name: 'by-name', secret: c.secret, user: { name: 'acproj-member', domain: { name: 'Default' } } }))
        .status,
    ).toBe(201);
    expect(
      (await issue({ name: 'by-name', secret: c.secret, user: { name: 'acproj-member', domain: { id: 'default' } } }))
        .status,
    ).toBe(201);
    const noDomain = await issue({ name: 'by-name', secret: c.secret, user: { name: 'acproj-member' } });
    expect(noDomain.status).toBe(400);
    expect(noDomain.body.error.message).toBe(`Expecting to find domain in user.${CLIENT_ERROR}`);
    const neither = await issue({ secret: c.secret });
    expect(neither.status).toBe(400);
    expect(neither.body.error.message).toBe(`Expecting to find name or ID in application credential.${CLIENT_ERROR}`);
    expect(
      (
        await t.http
          .post('/identity/v3/auth/tokens')
          .send({ auth: { identity: { methods: ['application_credential'] } } })
      ).status,
    ).toBe(400);
  });

  it("a scope in the request is 401 with Keystone's message", async () => {
    const c = await memberCred('scoped');
    const res = await issue({ id: c.id, secret: c.secret }, { scope: { project: { id: member.projectId } } });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toBe(
      'Error authenticating with application credential: Application credentials cannot request a scope.',
    );
  });

  it('wrong secret, unknown id and unknown name are the same 401; failures are throttled like passwords', async () => {
    const c = await memberCred('guessed');
    const answers = await Promise.all([
      issue({ id: c.id, secret: 'wrong' }),
      issue({ id: 'e'.repeat(32), secret: 'wrong' }),
      issue({ name: 'nope', secret: 'wrong', user: { id: member.userId } }),
      issue({ id: c.id }),
    ]);
    for (const a of answers) {
      expect(a.status).toBe(401);
      expect(a.body.error.message).toBe('The request you have made requires authentication.');
    }
    const { perUser } = t.services.loginThrottle.limits;
    for (let i = 1; i < perUser; i++)
      expect((await issue({ name: 'guessed', secret: `wrong-${i}`, user: { id: member.userId } })).status).toBe(401);
    // the right secret is refused now too, by id as by name (one bucket per credential)
    const blocked = await issue({ id: c.id, secret: c.secret });
    expect(blocked.status).toBe(401);
    expect(blocked.headers['retry-after']).toMatch(/^\d+$/);
  });

  it("a member-only credential of an admin user gets member's token: 403 on an admin-only compute route", async () => {
    const repo = t.services.identityRepo;
    const adminProject = (await repo.findProjectByName('default', 'admin'))!;
    await repo.assignRole(adminId, adminProject.id, (await repo.findRoleByName('member'))!.id);
    t.services.tokens.invalidateCache();
    const adminToken = await passwordToken(t.http, 'admin', ADMIN_PASSWORD, 'admin');
    const created = await create(adminToken, adminId, { name: 'member-only', roles: [{ name: 'member' }] });
    expect(created.status).toBe(201);
    expect(created.body.application_credential.roles.map((r: Body) => r.name)).toEqual(['member']);
    const res = await issue({
      id: created.body.application_credential.id,
      secret: created.body.application_credential.secret,
    });
    const token = res.headers['x-subject-token'];
    expect(res.body.token.roles.map((r: Body) => r.name)).toEqual(['member']);
    expect((await t.http.get('/compute/v2.1/os-simple-tenant-usage').set('X-Auth-Token', token)).status).toBe(403);
    expect((await t.http.get('/compute/v2.1/os-simple-tenant-usage').set('X-Auth-Token', adminToken)).status).toBe(200);
    expect((await servers(token)).status).toBe(200);
  });

  it('a token from a restricted credential may list but not create or delete credentials; an unrestricted one may', async () => {
    const restricted = await memberCred('restricted');
    const rToken = (await issue({ id: restricted.id, secret: restricted.secret })).headers['x-subject-token'];
    const denied = await create(rToken, member.userId, { name: 'child' });
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toBe(
      "You are not authorized to perform the requested action: Using method 'application_credential' is not allowed for managing additional application credentials..",
    );
    expect((await t.http.delete(credsUrl(member.userId, restricted.id)).set('X-Auth-Token', rToken)).status).toBe(403);
    expect((await t.http.get(credsUrl(member.userId)).set('X-Auth-Token', rToken)).status).toBe(200);

    const open = await memberCred('unrestricted', { unrestricted: true });
    const uRes = await issue({ id: open.id, secret: open.secret });
    expect(uRes.body.token.application_credential.restricted).toBe(false);
    const child = await create(uRes.headers['x-subject-token'], member.userId, { name: 'child' });
    expect(child.status).toBe(201);
    expect(child.body.application_credential.project_id).toBe(member.projectId);
  });

  it('the token method keeps an application credential token bound: no scope allowed, none widened', async () => {
    const c = await memberCred('rescoped');
    const token = (await issue({ id: c.id, secret: c.secret })).headers['x-subject-token'];
    const tokenAuth = (scope?: Body) =>
      t.http
        .post('/identity/v3/auth/tokens')
        .send({ auth: { identity: { methods: ['token'], token: { id: token } }, ...(scope ? { scope } : {}) } });
    const scoped = await tokenAuth({ project: { id: member.projectId } });
    expect(scoped.status).toBe(403);
    expect(scoped.body.error.message).toBe(
      'You are not authorized to perform the requested action: Using an application credential token to create a scoped token is not allowed..',
    );
    const again = await tokenAuth();
    expect(again.status).toBe(201);
    expect(again.body.token.project.id).toBe(member.projectId);
    expect(again.body.token.application_credential.id).toBe(c.id);
  });
});

describe('tokens follow the credential', () => {
  it('deleting the credential ends its tokens and its authentication', async () => {
    const c = await memberCred('deleted');
    const token = (await issue({ id: c.id, secret: c.secret })).headers['x-subject-token'];
    expect((await servers(token)).status).toBe(200);
    expect((await t.http.delete(credsUrl(member.userId, c.id)).set('X-Auth-Token', member.token)).status).toBe(204);
    expect((await servers(token)).status).toBe(401);
    expect((await issue({ id: c.id, secret: c.secret })).status).toBe(401);
    expect((await t.http.delete(credsUrl(member.userId, c.id)).set('X-Auth-Token', member.token)).status).toBe(404);
  });

  it('a token lives no longer than its credential; an expired credential neither authenticates nor keeps tokens', async () => {
    const expires = new Date(Date.now() + 3_600_000);
    const c = await memberCred('expiring', { expires_at: expires.toISOString() });
    const res = await issue({ id: c.id, secret: c.secret });
    expect(Date.parse(res.body.token.expires_at)).toBe(expires.getTime());
    const token = res.headers['x-subject-token'];
    expect((await servers(token)).status).toBe(200);
    await sql(t.services.db)('application_credentials')
      .where({ id: c.id })
      .update({ expires_at: new Date(Date.now() - 1000).toISOString() });
    t.services.tokens.invalidateCache();
    expect((await servers(token)).status).toBe(401);
    expect((await issue({ id: c.id, secret: c.secret })).status).toBe(401);
  });

  it("a user who loses the role on the project loses the credential's tokens too", async () => {
    const u = await makeProjectUser(t, 'acloser', 'member');
    const created = await create(u.token, u.userId, { name: 'loser' });
    const c = created.body.application_credential;
    const token = (await issue({ id: c.id, secret: c.secret })).headers['x-subject-token'];
    expect((await servers(token)).status).toBe(200);
    const repo = t.services.identityRepo;
    await repo.unassignRole(u.userId, u.projectId, (await repo.findRoleByName('member'))!.id);
    t.services.tokens.invalidateCache();
    expect((await servers(token)).status).toBe(401);
    const again = await issue({ id: c.id, secret: c.secret });
    expect(again.status).toBe(401);
    expect(again.body.error.message).toBe(`User ${u.userId} has no access to project ${u.projectId}`);
  });
});
