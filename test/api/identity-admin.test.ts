// Keystone administration: projects, users, roles, grants, role assignments, domains and groups,
// who may do what, and the effect of each change on tokens already issued.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, makeProjectUser, type TestApp } from '../helpers/app.js';

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
  head: (p: string) => t.http.head(V3 + p).set('X-Auth-Token', token),
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
      .send(body),
  put: (p: string) => t.http.put(V3 + p).set('X-Auth-Token', token),
  del: (p: string) => t.http.delete(V3 + p).set('X-Auth-Token', token),
});
const admin = () => as(t.adminToken);
const passwordLogin = (name: string, password: string, project?: string) =>
  t.http.post(`${V3}/auth/tokens`).send({
    auth: {
      identity: { methods: ['password'], password: { user: { name, password, domain: { id: 'default' } } } },
      ...(project ? { scope: { project: { name: project } } } : {}),
    },
  });
const roleId = async (name: string) => (await t.services.identityRepo.findRoleByName(name))!.id;

describe('projects', () => {
  it('create 201 (Keystone body), show, list with ?name, update, delete 204, then 404', async () => {
    const created = await admin().post('/projects', {
      project: { name: 'adm-p1', description: 'first', enabled: true, options: {}, tags: [] },
    });
    expect(created.status).toBe(201);
    const p = created.body.project;
    expect(p).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      name: 'adm-p1',
      domain_id: 'default',
      description: 'first',
      enabled: true,
      parent_id: 'default',
      is_domain: false,
      tags: [],
      options: {},
      links: { self: `http://ks:5000/identity/v3/projects/${p.id}` },
    });
    expect((await admin().get(`/projects/${p.id}`)).body.project).toEqual(p);
    const byName = await admin().get('/projects?name=adm-p1');
    expect(byName.body).toEqual({
      projects: [p],
      links: { self: 'http://ks:5000/identity/v3/projects?name=adm-p1', previous: null, next: null },
    });
    const all = await admin().get('/projects');
    expect(all.body.projects.map((x: { name: string }) => x.name)).toEqual(expect.arrayContaining(['admin', 'adm-p1']));

    const upd = await admin().patch(`/projects/${p.id}`, {
      project: { description: 'changed', name: 'adm-p1-renamed' },
    });
    expect(upd.status).toBe(200);
    expect(upd.body.project).toMatchObject({ name: 'adm-p1-renamed', description: 'changed' });

    expect((await admin().del(`/projects/${p.id}`)).status).toBe(204);
    const gone = await admin().get(`/projects/${p.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({
      error: { code: 404, message: `Could not find project: ${p.id}.`, title: 'Not Found' },
    });
    expect((await admin().del(`/projects/${p.id}`)).status).toBe(404);
  });

  it('a duplicate name is 409; bad bodies are 400; an unknown domain is 404', async () => {
    expect((await admin().post('/projects', { project: { name: 'adm-dup' } })).status).toBe(201);
    const dup = await admin().post('/projects', { project: { name: 'adm-dup' } });
    expect(dup.status).toBe(409);
    expect(dup.body.error.message).toBe(
      'Conflict occurred attempting to store project - Duplicate entry found with name adm-dup at domain ID default.',
    );
    for (const body of [
      {},
      { project: {} },
      { project: { name: '' } },
      { project: { name: 5 } },
      { project: { name: 'x', enabled: 'yes' } },
      { project: { name: 'x', is_domain: true } },
    ]) {
      const res = await admin().post('/projects', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await admin().post('/projects', { project: { name: 'adm-nodomain', domain_id: 'nope' } })).status).toBe(
      404,
    );
  });

  it('disabling a project ends its tokens at once; deleting it too', async () => {
    const m = await makeProjectUser(t, 'adm-dis', 'member');
    expect((await as(m.token).get('/auth/projects')).status).toBe(200);
    expect((await admin().patch(`/projects/${m.projectId}`, { project: { enabled: false } })).status).toBe(200);
    expect((await as(m.token).get('/auth/projects')).status).toBe(401);
    const disabled = (await admin().get('/projects?enabled=false')).body.projects.map((p: { id: string }) => p.id);
    expect(disabled).toEqual([m.projectId]);
    expect((await admin().get('/projects?enabled=true')).body.projects.map((p: { id: string }) => p.id)).not.toContain(
      m.projectId,
    );
    await admin().patch(`/projects/${m.projectId}`, { project: { enabled: true } });
    const again = await makeProjectUser(t, 'adm-dis', 'member');
    expect((await admin().del(`/projects/${again.projectId}`)).status).toBe(204);
    expect((await as(again.token).get('/auth/projects')).status).toBe(401);
  });
});

describe('users', () => {
  it('create 201 with default project, show, list (?name, ?domain_id), update, delete', async () => {
    const proj = (await admin().post('/projects', { project: { name: 'adm-u-home' } })).body.project;
    const res = await admin().post('/users', {
      user: {
        name: 'adm-alice',
        password: 'alice-password-1',
        default_project_id: proj.id,
        email: 'a@example.org',
        enabled: true,
      },
    });
    expect(res.status).toBe(201);
    const u = res.body.user;
    expect(u).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      name: 'adm-alice',
      domain_id: 'default',
      enabled: true,
      password_expires_at: null,
      options: {},
      links: { self: `http://ks:5000/identity/v3/users/${u.id}` },
      default_project_id: proj.id,
      email: 'a@example.org',
    });
    expect(JSON.stringify(res.body)).not.toMatch(/password-1|scrypt/);
    expect((await admin().get(`/users/${u.id}`)).body.user).toEqual(u);
    expect((await admin().get('/users?name=adm-alice')).body.users).toEqual([u]);
    expect((await admin().get('/users?domain_id=default')).body.users.length).toBeGreaterThan(1);
    expect((await admin().get('/users?domain_id=other')).body.users).toEqual([]);

    const upd = await admin().patch(`/users/${u.id}`, { user: { email: null, description: 'hello' } });
    expect(upd.body.user.email).toBeUndefined();
    expect(upd.body.user.description).toBe('hello');
    expect((await admin().post('/users', { user: { name: 'adm-alice' } })).status).toBe(409);
    expect((await admin().post('/users', { user: { name: 'adm-bad', default_project_id: 'nope' } })).status).toBe(404);
    const long = await admin().patch(`/users/${u.id}`, { user: { password: 'q'.repeat(4097) } });
    expect(long.status).toBe(400);
    expect(JSON.stringify(long.body)).not.toContain('qqqq');

    expect((await admin().del(`/users/${u.id}`)).status).toBe(204);
    expect((await admin().get(`/users/${u.id}`)).status).toBe(404);
  });

  it("a new password (PATCH) revokes the user's tokens; the new one works and the old one does not", async () => {
    const m = await makeProjectUser(t, 'adm-pw', 'member');
    expect((await admin().patch(`/users/${m.userId}`, { user: { password: 'brand-new-password-1' } })).status).toBe(
      200,
    );
    expect((await as(m.token).get('/auth/projects')).status).toBe(401);
    expect((await passwordLogin('adm-pw-member', 'adm-pw-member-password', 'adm-pw')).status).toBe(401);
    expect((await passwordLogin('adm-pw-member', 'brand-new-password-1', 'adm-pw')).status).toBe(201);
  });

  it('disabling a user ends its tokens at once and refuses logins', async () => {
    const m = await makeProjectUser(t, 'adm-off', 'member');
    await as(m.token).get('/auth/projects'); // now cached
    expect((await admin().patch(`/users/${m.userId}`, { user: { enabled: false } })).status).toBe(200);
    expect((await as(m.token).get('/auth/projects')).status).toBe(401);
    expect((await passwordLogin('adm-off-member', 'adm-off-member-password', 'adm-off')).status).toBe(401);
  });

  it('self-service password change needs the original password', async () => {
    const m = await makeProjectUser(t, 'adm-self', 'reader');
    const wrong = await as(m.token).post(`/users/${m.userId}/password`, {
      user: { original_password: 'nope', password: 'self-chosen-password' },
    });
    expect(wrong.status).toBe(401);
    const other = await as(m.token).post(
      `/users/${(await t.services.identityRepo.findUserByName('default', 'admin'))!.id}/password`,
      { user: { original_password: 'x', password: 'y' } },
    );
    expect(other.status).toBe(403);
    const ok = await as(m.token).post(`/users/${m.userId}/password`, {
      user: { original_password: 'adm-self-reader-password', password: 'self-chosen-password' },
    });
    expect(ok.status).toBe(204);
    expect((await passwordLogin('adm-self-reader', 'self-chosen-password', 'adm-self')).status).toBe(201);
  });

  it('users/{id}/projects and users/{id}/groups: self or admin', async () => {
    const a = await makeProjectUser(t, 'adm-up-a', 'member');
    const b = await makeProjectUser(t, 'adm-up-b', 'member');
    const own = await as(a.token).get(`/users/${a.userId}/projects`);
    expect(own.body.projects.map((p: { id: string }) => p.id)).toEqual([a.projectId]);
    expect((await as(a.token).get(`/users/${b.userId}/projects`)).status).toBe(403);
    expect((await admin().get(`/users/${b.userId}/projects`)).body.projects.map((p: { id: string }) => p.id)).toEqual([
      b.projectId,
    ]);
    expect((await as(a.token).get(`/users/${a.userId}/groups`)).body.groups).toEqual([]);
    expect((await as(a.token).get(`/users/${b.userId}/groups`)).status).toBe(403);
    expect((await admin().get(`/users/${'0'.repeat(32)}/projects`)).status).toBe(404);
  });
});

describe('roles, grants and role assignments', () => {
  it('roles: admin, member, reader; ?name filter; show by id', async () => {
    const res = await admin().get('/roles');
    expect(res.body.roles.map((r: { name: string }) => r.name)).toEqual(['admin', 'member', 'reader']);
    const member = (await admin().get('/roles?name=member')).body.roles;
    expect(member).toHaveLength(1);
    expect((await admin().get(`/roles/${member[0].id}`)).body.role).toEqual(member[0]);
    expect((await admin().get('/roles/member')).status).toBe(404);
  });

  it('PUT grants (204), HEAD/GET check (204/404), the token gets the role; DELETE revokes and the token stops at once', async () => {
    const proj = (await admin().post('/projects', { project: { name: 'adm-grant' } })).body.project;
    const user = (await admin().post('/users', { user: { name: 'adm-grantee', password: 'grantee-password-1' } })).body
      .user;
    const member = await roleId('member');
    const path = `/projects/${proj.id}/users/${user.id}/roles/${member}`;
    expect((await admin().head(path)).status).toBe(404);
    expect((await passwordLogin('adm-grantee', 'grantee-password-1', 'adm-grant')).status).toBe(401);

    expect((await admin().put(path)).status).toBe(204);
    expect((await admin().put(path)).status).toBe(204); // idempotent
    expect((await admin().head(path)).status).toBe(204);
    expect((await admin().get(path)).status).toBe(204);
    const roles = await admin().get(`/projects/${proj.id}/users/${user.id}/roles`);
    expect(roles.body.roles.map((r: { name: string }) => r.name)).toEqual(['member']);

    const login = await passwordLogin('adm-grantee', 'grantee-password-1', 'adm-grant');
    expect(login.status).toBe(201);
    expect(login.body.token.roles.map((r: { name: string }) => r.name)).toEqual(['member']);
    const token = login.headers['x-subject-token'];
    expect((await as(token).get('/auth/projects')).status).toBe(200);

    expect((await admin().del(path)).status).toBe(204);
    expect((await as(token).get('/auth/projects')).status).toBe(401);
    expect((await admin().del(path)).status).toBe(404);
    expect((await admin().put(`/projects/${proj.id}/users/${user.id}/roles/nope`)).status).toBe(404);
    expect((await admin().put(`/projects/${proj.id}/users/nope/roles/${member}`)).status).toBe(404);
    expect((await admin().put(`/projects/nope/users/${user.id}/roles/${member}`)).status).toBe(404);
  });

  it('role assignments: filters as openstackclient sends them, with and without names', async () => {
    const m = await makeProjectUser(t, 'adm-ra', 'member');
    const ids = await admin().get(`/role_assignments?user.id=${m.userId}&scope.project.id=${m.projectId}`);
    expect(ids.status).toBe(200);
    const member = await roleId('member');
    expect(ids.body.role_assignments).toEqual([
      {
        role: { id: member },
        user: { id: m.userId },
        scope: { project: { id: m.projectId } },
        links: { assignment: `http://ks:5000/identity/v3/projects/${m.projectId}/users/${m.userId}/roles/${member}` },
      },
    ]);
    expect(ids.body.links.self).toBe(
      `http://ks:5000/identity/v3/role_assignments?user.id=${m.userId}&scope.project.id=${m.projectId}`,
    );
    const named = await admin().get(`/role_assignments?user.id=${m.userId}&include_names=True`);
    expect(named.body.role_assignments[0]).toMatchObject({
      role: { id: member, name: 'member' },
      user: { id: m.userId, name: 'adm-ra-member', domain: { id: 'default', name: 'Default' } },
      scope: { project: { id: m.projectId, name: 'adm-ra', domain: { id: 'default', name: 'Default' } } },
    });
    const byRole = await admin().get(`/role_assignments?role.id=${await roleId('admin')}`);
    expect(byRole.body.role_assignments.every((a: { role: { id: string } }) => a.role.id !== member)).toBe(true);
    expect(byRole.body.role_assignments.length).toBeGreaterThan(0);
    for (const q of ['group.id=g', 'scope.domain.id=default', 'scope.system=all']) {
      expect((await admin().get(`/role_assignments?${q}`)).body.role_assignments, q).toEqual([]);
    }
    // A non-admin sees only its own assignments, whatever it asks for.
    const own = await as(m.token).get('/role_assignments');
    expect(own.body.role_assignments.map((a: { user: { id: string } }) => a.user.id)).toEqual([m.userId]);
    const admins = (await t.services.identityRepo.findUserByName('default', 'admin'))!;
    expect((await as(m.token).get(`/role_assignments?user.id=${admins.id}`)).body.role_assignments).toEqual([]);
  });
});

describe('domains and groups', () => {
  it('Default only; show by id; groups are empty', async () => {
    const list = await admin().get('/domains');
    expect(list.body.domains).toEqual([
      {
        id: 'default',
        name: 'Default',
        description: 'The default domain',
        enabled: true,
        tags: [],
        options: {},
        links: { self: 'http://ks:5000/identity/v3/domains/default' },
      },
    ]);
    expect((await admin().get('/domains?name=Default')).body.domains).toHaveLength(1);
    expect((await admin().get('/domains?name=Other')).body.domains).toHaveLength(0);
    expect((await admin().get('/domains/default')).body.domain.name).toBe('Default');
    expect((await admin().get('/domains/nope')).status).toBe(404);
    const m = await makeProjectUser(t, 'adm-dom', 'reader');
    expect((await as(m.token).get('/domains/default')).status).toBe(200); // its own domain
    expect((await as(m.token).get('/domains/nope')).status).toBe(403); // same as "not yours"
    expect((await admin().get('/groups')).body).toEqual({
      groups: [],
      links: { self: 'http://ks:5000/identity/v3/groups', previous: null, next: null },
    });
    expect((await admin().get('/groups/abc')).status).toBe(404);
  });
});

describe('policy on the identity API', () => {
  it('admin operations are 403 in Keystone format for member and reader', async () => {
    const m = await makeProjectUser(t, 'adm-pol', 'member');
    const r = await makeProjectUser(t, 'adm-pol', 'reader');
    const admins = (await t.services.identityRepo.findUserByName('default', 'admin'))!;
    const member = await roleId('member');
    for (const who of [m, r]) {
      const calls = [
        as(who.token).post('/projects', { project: { name: 'nope' } }),
        as(who.token).patch(`/projects/${who.projectId}`, { project: { description: 'x' } }),
        as(who.token).del(`/projects/${who.projectId}`),
        as(who.token).get('/users'),
        as(who.token).post('/users', { user: { name: 'nope' } }),
        as(who.token).patch(`/users/${who.userId}`, { user: { enabled: true } }),
        as(who.token).del(`/users/${admins.id}`),
        as(who.token).put(`/projects/${who.projectId}/users/${who.userId}/roles/${await roleId('admin')}`),
        as(who.token).del(`/projects/${who.projectId}/users/${who.userId}/roles/${member}`),
        as(who.token).get(`/projects/${who.projectId}/users/${who.userId}/roles`),
      ];
      for (const [i, res] of (await Promise.all(calls)).entries()) {
        expect(res.status, `call ${i}`).toBe(403);
        expect(res.body.error).toMatchObject({
          code: 403,
          title: 'Forbidden',
          message: expect.stringMatching(/^You are not authorized to perform the requested action: identity:\w+\.$/),
        });
      }
    }
    // nothing changed
    expect(
      (await admin().get(`/projects/${m.projectId}/users/${m.userId}/roles`)).body.roles.map(
        (x: { name: string }) => x.name,
      ),
    ).toEqual(['member']);
  });

  it('non-admins see only their own projects and themselves; another project is 403 whether or not it exists', async () => {
    const a = await makeProjectUser(t, 'adm-vis-a', 'member');
    const b = await makeProjectUser(t, 'adm-vis-b', 'member');
    const list = await as(a.token).get('/projects');
    expect(list.body.projects.map((p: { id: string }) => p.id)).toEqual([a.projectId]);
    expect((await as(a.token).get(`/projects?name=adm-vis-b`)).body.projects).toEqual([]);
    expect((await as(a.token).get(`/projects/${a.projectId}`)).status).toBe(200);
    const other = await as(a.token).get(`/projects/${b.projectId}`);
    const missing = await as(a.token).get(`/projects/${'0'.repeat(32)}`);
    expect(other.status).toBe(403);
    expect(missing.status).toBe(403);
    expect(other.body).toEqual(missing.body);
    expect((await as(a.token).get(`/users/${a.userId}`)).status).toBe(200);
    expect((await as(a.token).get(`/users/${b.userId}`)).status).toBe(403);
  });
});
