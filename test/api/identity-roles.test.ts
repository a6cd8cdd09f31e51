// Keystone roles an admin creates, renames and deletes (/v3/roles): Keystone's bodies, codes and
// wording; names unique without regard to case; the built-in roles immutable; a custom role grants
// nothing by itself; deleting a role takes its assignments (and the tokens resting on them) with it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, makeProjectUser, type TestApp } from '../helpers/app.js';
import { sql } from '../../src/db/sql.js';

let t: TestApp;
beforeAll(async () => {
  t = await makeTestApp();
});
afterAll(async () => {
  await t.close();
});

const V3 = '/identity/v3';
const as = (token: string) => ({
  get: (p: string) =>
    t.http
      .get(V3 + p)
      .set('X-Auth-Token', token)
      .set('Host', 'ks:5000'),
  post: (p: string, body: object) =>
    t.http
      .post(V3 + p)
      .set('X-Auth-Token', token)
      .set('Host', 'ks:5000')
      .send(body),
  patch: (p: string, body: object) =>
    t.http
      .patch(V3 + p)
      .set('X-Auth-Token', token)
      .set('Host', 'ks:5000')
      .send(body),
  put: (p: string) => t.http.put(V3 + p).set('X-Auth-Token', token),
  del: (p: string) => t.http.delete(V3 + p).set('X-Auth-Token', token),
});
const admin = () => as(t.adminToken);
const passwordLogin = (name: string, password: string, project: string) =>
  t.http.post(`${V3}/auth/tokens`).send({
    auth: {
      identity: { methods: ['password'], password: { user: { name, password, domain: { id: 'default' } } } },
      scope: { project: { name: project } },
    },
  });
const roleId = async (name: string) => (await t.services.identityRepo.findRoleByName(name))!.id;

describe('creating roles', () => {
  it("POST /v3/roles: 201 with Keystone's body; show, list and ?name find it; built-in roles show immutable", async () => {
    const res = await admin().post('/roles', {
      role: { name: 'auditor', description: 'reads the books', options: {} },
    });
    expect(res.status).toBe(201);
    const id = res.body.role.id;
    expect(res.body.role).toEqual({
      id,
      name: 'auditor',
      domain_id: null,
      description: 'reads the books',
      options: {},
      links: { self: `http://ks:5000/identity/v3/roles/${id}` },
    });
    expect((await admin().get(`/roles/${id}`)).body.role).toEqual(res.body.role);
    expect((await admin().get('/roles')).body.roles.map((r: { name: string }) => r.name)).toEqual([
      'admin',
      'auditor',
      'member',
      'reader',
    ]);
    expect((await admin().get('/roles?name=auditor')).body.roles).toEqual([res.body.role]);
    const builtIn = (await admin().get('/roles?name=admin')).body.roles[0];
    expect(builtIn.options).toEqual({ immutable: true });
    const bare = await admin().post('/roles', { role: { name: 'no-description' } });
    expect(bare.status).toBe(201);
    expect(bare.body.role.description).toBeNull();
  });

  it("a name taken in any case is 409 (Keystone's wording); bad bodies are 400", async () => {
    for (const name of ['auditor', 'Auditor', 'ADMIN', 'Member']) {
      const dup = await admin().post('/roles', { role: { name } });
      expect(dup.status, name).toBe(409);
      expect(dup.body.error).toEqual({
        code: 409,
        title: 'Conflict',
        message: `Conflict occurred attempting to store role - Duplicate entry found with name ${name}.`,
      });
    }
    for (const body of [
      {},
      { role: {} },
      { role: { name: '' } },
      { role: { name: '   ' } },
      { role: { name: 'x'.repeat(256) } },
      { role: { name: 7 } },
      { role: { name: 'x', extra: 1 } },
    ]) {
      const res = await admin().post('/roles', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe(400);
    }
    const domainRole = await admin().post('/roles', { role: { name: 'scoped', domain_id: 'default' } });
    expect(domainRole.status).toBe(400);
    expect(domainRole.body.error.message).toBe(
      'Domain-specific roles are not supported; omit domain_id for a global role.',
    );
    const immutable = await admin().post('/roles', { role: { name: 'frozen', options: { immutable: true } } });
    expect(immutable.status).toBe(400);
    expect((await admin().get('/roles?name=frozen')).body.roles).toEqual([]);
  });

  it("only admin may create, update or delete a role (403 in Keystone's wording)", async () => {
    const m = await makeProjectUser(t, 'roles-member', 'member');
    const created = await as(m.token).post('/roles', { role: { name: 'sneaky' } });
    expect(created.status).toBe(403);
    expect(created.body.error.message).toBe(
      'You are not authorized to perform the requested action: identity:create_role.',
    );
    const auditor = await roleId('auditor');
    expect((await as(m.token).patch(`/roles/${auditor}`, { role: { name: 'mine' } })).body.error.message).toBe(
      'You are not authorized to perform the requested action: identity:update_role.',
    );
    expect((await as(m.token).del(`/roles/${auditor}`)).status).toBe(403);
    expect((await admin().get(`/roles/${auditor}`)).body.role.name).toBe('auditor');
  });
});

describe('what a custom role permits', () => {
  it('it can be granted and listed like any role; alone it permits nothing; beside member it changes nothing', async () => {
    const proj = (await admin().post('/projects', { project: { name: 'custom-roles' } })).body.project;
    const user = (await admin().post('/users', { user: { name: 'custom-only', password: 'custom-only-password-1' } }))
      .body.user;
    const auditor = await roleId('auditor');
    expect((await admin().put(`/projects/${proj.id}/users/${user.id}/roles/${auditor}`)).status).toBe(204);
    const assignments = await admin().get(`/role_assignments?user.id=${user.id}&include_names=True`);
    expect(assignments.body.role_assignments).toHaveLength(1);
    expect(assignments.body.role_assignments[0].role).toEqual({ id: auditor, name: 'auditor' });

    // Keystone scopes a token to any project the user has a role on ...
    const login = await passwordLogin('custom-only', 'custom-only-password-1', 'custom-roles');
    expect(login.status).toBe(201);
    expect(login.body.token.roles).toEqual([{ id: auditor, name: 'auditor' }]);
    const token = login.headers['x-subject-token'];
    // ... but no policy names the role: compute and image refuse it, in their own formats
    const denied =
      "Policy doesn't allow this action to be performed: the token's roles include none of admin, member or reader.";
    for (const path of [
      '/compute/v2.1/servers',
      '/compute/v2.1/flavors',
      `/compute/v2.1/${proj.id}/servers`,
      '/compute/v2.1/os-keypairs',
    ]) {
      const res = await t.http.get(path).set('X-Auth-Token', token);
      expect(res.status, path).toBe(403);
      expect(res.body, path).toEqual({ forbidden: { code: 403, message: denied } });
    }
    const images = await t.http.get('/image/v2/images').set('X-Auth-Token', token);
    expect(images.status).toBe(403);
    expect(images.text).toContain(denied);
    // the identity API reads only what needs a reader, and serves the caller's own things
    expect((await as(token).get('/roles')).status).toBe(403);
    expect((await as(token).get('/auth/projects')).body.projects.map((p: { name: string }) => p.name)).toEqual([
      'custom-roles',
    ]);

    // with member beside it the user is a member, no more
    expect((await admin().put(`/projects/${proj.id}/users/${user.id}/roles/${await roleId('member')}`)).status).toBe(
      204,
    );
    const both = (await passwordLogin('custom-only', 'custom-only-password-1', 'custom-roles')).headers[
      'x-subject-token'
    ];
    expect((await t.http.get('/compute/v2.1/servers').set('X-Auth-Token', both)).status).toBe(200);
    expect((await t.http.get('/compute/v2.1/os-hypervisors').set('X-Auth-Token', both)).status).toBe(403);
  });
});

describe('changing and deleting roles', () => {
  it('PATCH renames and describes a custom role; a name taken in any case is 409', async () => {
    const id = (await admin().post('/roles', { role: { name: 'temp-role' } })).body.role.id;
    const res = await admin().patch(`/roles/${id}`, { role: { name: 'renamed-role', description: 'now described' } });
    expect(res.status).toBe(200);
    expect(res.body.role).toMatchObject({ id, name: 'renamed-role', description: 'now described', options: {} });
    expect((await admin().get(`/roles/${id}`)).body.role.name).toBe('renamed-role');
    const dup = await admin().patch(`/roles/${id}`, { role: { name: 'Reader' } });
    expect(dup.status).toBe(409);
    expect((await admin().patch(`/roles/${id}`, { role: {} })).status).toBe(400);
    expect((await admin().patch('/roles/nope', { role: { name: 'x' } })).status).toBe(404);
  });

  it('the built-in roles cannot be renamed or deleted (403); admin keeps working', async () => {
    for (const name of ['admin', 'member', 'reader']) {
      const id = await roleId(name);
      const del = await admin().del(`/roles/${id}`);
      expect(del.status, name).toBe(403);
      expect(del.body.error.message).toBe(
        `Unable to delete immutable role resource: \`${id}. The built-in roles admin, member and reader are what novadock's policy checks; they cannot be changed or deleted.`,
      );
      const patch = await admin().patch(`/roles/${id}`, { role: { name: `${name}-2` } });
      expect(patch.status).toBe(403);
      expect(patch.body.error.message).toMatch(/^Unable to update immutable role resource: `/);
    }
    expect((await admin().get('/roles')).body.roles.map((r: { name: string }) => r.name)).toEqual(
      expect.arrayContaining(['admin', 'member', 'reader']),
    );
    expect((await admin().get('/users')).status).toBe(200);
  });

  it("DELETE 204 takes the role's assignments with it; a token resting on it stops at once; then 404", async () => {
    const id = (await admin().post('/roles', { role: { name: 'short-lived' } })).body.role.id;
    const proj = (await admin().post('/projects', { project: { name: 'short-lived-p' } })).body.project;
    const user = (await admin().post('/users', { user: { name: 'short-lived-u', password: 'short-lived-password-1' } }))
      .body.user;
    await admin().put(`/projects/${proj.id}/users/${user.id}/roles/${id}`).expect(204);
    const token = (await passwordLogin('short-lived-u', 'short-lived-password-1', 'short-lived-p')).headers[
      'x-subject-token'
    ];
    expect((await as(token).get('/auth/projects')).status).toBe(200);

    expect((await admin().del(`/roles/${id}`)).status).toBe(204);
    expect((await admin().get(`/roles/${id}`)).status).toBe(404);
    expect((await admin().del(`/roles/${id}`)).status).toBe(404);
    expect(await sql(t.services.db)('role_assignments').where({ role_id: id })).toEqual([]);
    expect((await admin().get(`/role_assignments?user.id=${user.id}`)).body.role_assignments).toEqual([]);
    expect((await as(token).get('/auth/projects')).status).toBe(401);
    expect((await passwordLogin('short-lived-u', 'short-lived-password-1', 'short-lived-p')).status).toBe(401);
    // the name is free again
    expect((await admin().post('/roles', { role: { name: 'short-lived' } })).status).toBe(201);
  });
});
