// The real `openstack` CLI (Debian's) against the app on 127.0.0.1:<ephemeral>: token issue, the
// project/user/role/domain commands an operator uses (creating, renaming and deleting roles too),
// the catalog reads (service, endpoint and region list),
// and a member of project B who cannot see project A's server, keypair or private image.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminEnv,
  jsonOut,
  osEnv,
  runCli,
  startListeningApp,
  type CliResult,
  type ListeningApp,
} from '../helpers/cli.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';

let s: ListeningApp;
let admin: Record<string, string>;
beforeAll(async () => {
  s = await startListeningApp();
  admin = adminEnv(s);
});
afterAll(async () => {
  await s?.close();
});

const T = 180_000;
const osc = (args: string[], env = admin) => runCli('openstack', args, env, { timeoutMs: 90_000 });
const ok = (r: CliResult) => {
  expect(r.code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);
  return r;
};
type Row = Record<string, unknown>;

/** A password login through the API: the token, or null when refused. */
async function login(app: ListeningApp, user: string, password: string, project: string): Promise<string | null> {
  const res = await fetch(`${app.url}/identity/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { name: user, password, domain: { id: 'default' } } } },
        scope: { project: { name: project } },
      },
    }),
  });
  return res.status === 201 ? res.headers.get('x-subject-token') : null;
}

/** Project `name` with user `<name>-user` (password `<name>-password`) as member, through the API. */
async function makeMember(app: ListeningApp, name: string): Promise<void> {
  const admin = (await login(app, 'admin', app.adminPassword, 'admin'))!;
  const call = async (method: string, p: string, body?: object) => {
    const res = await fetch(`${app.url}/identity/v3${p}`, {
      method,
      body: body ? JSON.stringify(body) : undefined,
      headers: body ? { 'X-Auth-Token': admin, 'Content-Type': 'application/json' } : { 'X-Auth-Token': admin },
    });
    expect(res.status, `${method} ${p}`).toBeLessThan(300);
    return res.status === 204 ? null : ((await res.json()) as Record<string, { id: string }>);
  };
  const project = (await call('POST', '/projects', { project: { name } }))!.project;
  const user = (await call('POST', '/users', { user: { name: `${name}-user`, password: `${name}-password` } }))!.user;
  const member = (await app.services.identityRepo.findRoleByName('member'))!;
  await call('PUT', `/projects/${project.id}/users/${user.id}/roles/${member.id}`);
}

describe('openstack identity commands', () => {
  it(
    'openstack token issue prints a token scoped to the admin project',
    async () => {
      const tok = jsonOut<Row>(ok(await osc(['token', 'issue', '-f', 'json'])));
      const adminProject = (await s.services.identityRepo.findProjectByName('default', 'admin'))!;
      const adminUser = (await s.services.identityRepo.findUserByName('default', 'admin'))!;
      expect(tok).toMatchObject({ project_id: adminProject.id, user_id: adminUser.id });
      expect(tok.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Date.parse(String(tok.expires))).toBeGreaterThan(Date.now());
      // and the token is real: it works on the API
      const res = await fetch(`${s.url}/identity/v3/auth/projects`, { headers: { 'X-Auth-Token': String(tok.id) } });
      expect(res.status).toBe(200);
    },
    T,
  );

  it('project create/list/show/delete, user create/list/show/set --password/delete, role list/add, role assignment list, domain list', async () => {
    const project = jsonOut<Row>(
      ok(await osc(['project', 'create', '--description', 'made by the CLI', 'cli-proj', '-f', 'json'])),
    );
    expect(project).toMatchObject({
      name: 'cli-proj',
      description: 'made by the CLI',
      domain_id: 'default',
      enabled: true,
    });
    const projects = jsonOut<Row[]>(ok(await osc(['project', 'list', '-f', 'json'])));
    expect(projects.map((p) => p.Name).sort()).toEqual(['admin', 'cli-proj']);
    expect(jsonOut<Row>(ok(await osc(['project', 'show', 'cli-proj', '-f', 'json']))).id).toBe(project.id);

    const user = jsonOut<Row>(
      ok(
        await osc([
          'user',
          'create',
          '--password',
          'cli-user-password-1',
          '--project',
          'cli-proj',
          'cli-user',
          '-f',
          'json',
        ]),
      ),
    );
    expect(user).toMatchObject({
      name: 'cli-user',
      default_project_id: project.id,
      domain_id: 'default',
      enabled: true,
    });
    expect(
      jsonOut<Row[]>(ok(await osc(['user', 'list', '-f', 'json'])))
        .map((u) => u.Name)
        .sort(),
    ).toEqual(['admin', 'cli-user']);
    expect(jsonOut<Row>(ok(await osc(['user', 'show', 'cli-user', '-f', 'json']))).id).toBe(user.id);

    const roles = jsonOut<Row[]>(ok(await osc(['role', 'list', '-f', 'json'])));
    expect(roles.map((r) => r.Name).sort()).toEqual(['admin', 'member', 'reader']);

    expect(await login(s, 'cli-user', 'cli-user-password-1', 'cli-proj')).toBeNull(); // no role on cli-proj yet
    ok(await osc(['role', 'add', '--project', 'cli-proj', '--user', 'cli-user', 'member']));
    const assignments = jsonOut<Row[]>(
      ok(
        await osc([
          'role',
          'assignment',
          'list',
          '--user',
          'cli-user',
          '--project',
          'cli-proj',
          '--names',
          '-f',
          'json',
        ]),
      ),
    );
    expect(assignments).toEqual([
      expect.objectContaining({ Role: 'member', User: 'cli-user@Default', Project: 'cli-proj@Default' }),
    ]);
    expect(await login(s, 'cli-user', 'cli-user-password-1', 'cli-proj')).toMatch(/^[A-Za-z0-9_-]{43}$/);

    ok(await osc(['user', 'set', '--password', 'cli-user-password-2', 'cli-user']));
    expect(await login(s, 'cli-user', 'cli-user-password-1', 'cli-proj')).toBeNull();
    const userEnv = osEnv(s, { user: 'cli-user', password: 'cli-user-password-2', project: 'cli-proj' });
    expect(jsonOut<Row>(ok(await osc(['token', 'issue', '-f', 'json'], userEnv))).project_id).toBe(project.id);

    const domains = jsonOut<Row[]>(ok(await osc(['domain', 'list', '-f', 'json'])));
    expect(domains).toEqual([expect.objectContaining({ ID: 'default', Name: 'Default', Enabled: true })]);

    ok(await osc(['user', 'delete', 'cli-user']));
    ok(await osc(['project', 'delete', 'cli-proj']));
    const gone = await osc(['project', 'show', 'cli-proj']);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toMatch(/No project with a name or ID of 'cli-proj' exists/);
    expect(await s.services.identityRepo.findUserByName('default', 'cli-user')).toBeUndefined();
  }, 600_000);

  it('role create/show/set/add, role assignment list, role delete (its assignments go); the built-in roles cannot be deleted', async () => {
    await makeMember(s, 'cli-roles');
    const role = jsonOut<Row>(
      ok(await osc(['role', 'create', '--description', 'reads the books', 'cli-auditor', '-f', 'json'])),
    );
    expect(role).toMatchObject({ name: 'cli-auditor', description: 'reads the books', domain_id: null });
    expect(jsonOut<Row>(ok(await osc(['role', 'show', 'cli-auditor', '-f', 'json']))).id).toBe(role.id);
    const dup = await osc(['role', 'create', 'CLI-Auditor']);
    expect(dup.code).not.toBe(0);
    expect(dup.stderr).toContain(
      'Conflict occurred attempting to store role - Duplicate entry found with name CLI-Auditor.',
    );

    ok(await osc(['role', 'set', '--name', 'cli-inspector', 'cli-auditor']));
    expect(jsonOut<Row>(ok(await osc(['role', 'show', 'cli-inspector', '-f', 'json']))).id).toBe(role.id);
    ok(await osc(['role', 'add', '--project', 'cli-roles', '--user', 'cli-roles-user', 'cli-inspector']));
    const assignments = jsonOut<Row[]>(
      ok(await osc(['role', 'assignment', 'list', '--user', 'cli-roles-user', '--names', '-f', 'json'])),
    );
    expect(assignments.map((a) => a.Role).sort()).toEqual(['cli-inspector', 'member']);
    expect(assignments.every((a) => a.Project === 'cli-roles@Default')).toBe(true);

    ok(await osc(['role', 'delete', 'cli-inspector']));
    const after = jsonOut<Row[]>(
      ok(await osc(['role', 'assignment', 'list', '--user', 'cli-roles-user', '--names', '-f', 'json'])),
    );
    expect(after.map((a) => a.Role)).toEqual(['member']);
    expect(
      jsonOut<Row[]>(ok(await osc(['role', 'list', '-f', 'json'])))
        .map((r) => r.Name)
        .sort(),
    ).toEqual(['admin', 'member', 'reader']);

    const refused = await osc(['role', 'delete', 'admin']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('Unable to delete immutable role resource');
    expect(jsonOut<Row>(ok(await osc(['role', 'show', 'admin', '-f', 'json']))).name).toBe('admin');
  }, 600_000);
});

describe("a member of project B cannot see project A's objects", () => {
  it('server, keypair and private image of A: "not found" for B; 404 with B\'s token; 401 without a token', async () => {
    await unlimitedQuota(s.services);
    const bootImage = await seedImage(s.services, { name: 'cli-boot', visibility: 'public' });
    // Projects and users through the API (the CLI commands for them are tested above).
    for (const p of ['proj-a', 'proj-b']) await makeMember(s, p);
    const envA = osEnv(s, { user: 'proj-a-user', password: 'proj-a-password', project: 'proj-a' });
    const envB = osEnv(s, { user: 'proj-b-user', password: 'proj-b-password', project: 'proj-b' });
    const imageFile = path.join(s.dataDir, 'a-img.raw');
    fs.writeFileSync(imageFile, Buffer.alloc(1024, 7));

    const server = jsonOut<Row>(
      ok(
        await osc(['server', 'create', '--image', bootImage.id, '--flavor', '1', '--wait', 'a-vm', '-f', 'json'], envA),
      ),
    );
    expect(server.status).toBe('ACTIVE');
    ok(await osc(['keypair', 'create', 'a-key', '-f', 'json'], envA));
    const image = jsonOut<Row>(
      ok(
        await osc(
          [
            'image',
            'create',
            '--private',
            '--disk-format',
            'raw',
            '--container-format',
            'bare',
            '--file',
            imageFile,
            'a-img',
            '-f',
            'json',
          ],
          envA,
        ),
      ),
    );

    const serverShow = await osc(['server', 'show', String(server.id)], envB);
    expect(serverShow.code).not.toBe(0);
    expect(serverShow.stderr).toMatch(/No server with a name or ID of '[0-9a-f-]{36}' exists/);
    expect(jsonOut<Row[]>(ok(await osc(['server', 'list', '-f', 'json'], envB)))).toEqual([]);
    const kp = await osc(['keypair', 'show', 'a-key'], envB);
    expect(kp.code).not.toBe(0);
    expect(kp.stderr).toMatch(/not found|No keypair/i);
    const img = await osc(['image', 'show', String(image.id)], envB);
    expect(img.code).not.toBe(0);
    expect(img.stderr).toMatch(/No Image found|Could not find|not found/i);
    expect(jsonOut<Row[]>(ok(await osc(['image', 'list', '-f', 'json'], envB))).map((i) => i.Name)).not.toContain(
      'a-img',
    );

    // B is a member, not admin: the admin commands are refused.
    const sneaky = await osc(['project', 'create', 'sneaky'], envB);
    expect(sneaky.code).not.toBe(0);
    expect(sneaky.stderr).toMatch(
      /You are not authorized to perform the requested action: identity:create_project\. \(HTTP 403\)/,
    );

    // The same through the API with B's token: 404, never 403; without a token: 401.
    const tokenB = String(jsonOut<Row>(ok(await osc(['token', 'issue', '-f', 'json'], envB))).id);
    for (const path of [
      `/compute/v2.1/servers/${server.id}`,
      `/image/v2/images/${image.id}`,
      '/compute/v2.1/os-keypairs/a-key',
    ]) {
      const withB = await fetch(`${s.url}${path}`, { headers: { 'X-Auth-Token': tokenB } });
      expect(withB.status, path).toBe(404);
      const without = await fetch(`${s.url}${path}`);
      expect(without.status, path).toBe(401);
      expect(without.headers.get('www-authenticate')).toBe(`Keystone uri="${s.url}/identity/v3"`);
    }
    // A still sees all three.
    const tokenA = (await login(s, 'proj-a-user', 'proj-a-password', 'proj-a'))!;
    for (const path of [
      `/compute/v2.1/servers/${server.id}`,
      `/image/v2/images/${image.id}`,
      '/compute/v2.1/os-keypairs/a-key',
    ]) {
      expect((await fetch(`${s.url}${path}`, { headers: { 'X-Auth-Token': tokenA } })).status, path).toBe(200);
    }
  }, 600_000);
});

describe('catalog administration (read)', () => {
  it(
    'openstack service list / endpoint list --service --interface / region list / service show',
    async () => {
      const services = jsonOut<Row[]>(ok(await osc(['service', 'list', '-f', 'json'])));
      expect(services.map((r) => `${r.Name}:${r.Type}`).sort()).toEqual([
        'glance:image',
        'keystone:identity',
        'neutron:network',
        'nova:compute',
      ]);
      const compute = jsonOut<Row[]>(
        ok(await osc(['endpoint', 'list', '--service', 'compute', '--interface', 'public', '-f', 'json'])),
      );
      expect(compute).toHaveLength(1);
      expect(compute[0]).toMatchObject({
        'Service Name': 'nova',
        'Service Type': 'compute',
        Interface: 'public',
        Region: 'RegionOne',
        URL: `${s.url}/compute/v2.1`,
        Enabled: true,
      });
      expect(jsonOut<Row[]>(ok(await osc(['endpoint', 'list', '-f', 'json'])))).toHaveLength(12);
      expect(jsonOut<Row[]>(ok(await osc(['region', 'list', '-f', 'json']))).map((r) => r.Region)).toEqual([
        'RegionOne',
      ]);
      expect(jsonOut<Row>(ok(await osc(['service', 'show', 'nova', '-f', 'json'])))).toMatchObject({
        name: 'nova',
        type: 'compute',
        enabled: true,
      });
    },
    T,
  );
});
