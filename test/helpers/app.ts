// Test harness: buildApp with in-memory SQLite and the fake driver, plus token helpers.
// TEST_APP_PG=1 (with TEST_PG_URL) runs every app this makes on a fresh PostgreSQL database of its
// own instead (dropped on close), so an API suite can be run on PostgreSQL as it is:
//   TEST_APP_PG=1 TEST_PG_URL=$(bash scripts/pg-up.sh) npx vitest run test/api/servers-list.test.ts
import request from 'supertest';
import { buildApp, type BuiltApp } from '../../src/app.js';
import { testConfig, type Config } from '../../src/config.js';
import { fakeDriverFactory } from '../../src/virt/factory.js';
import type { FakeDriver } from '../../src/virt/fake/fake-driver.js';
import { HostRegistry } from '../../src/compute/hosts/host-registry.js';
import { hashPassword } from '../../src/identity/passwords.js';
import { newKeystoneId, DEFAULT_DOMAIN_ID } from '../../src/identity/bootstrap.js';
import { freshPgDatabase, type PgDatabase } from './pg-database.js';

export const ADMIN_PASSWORD = 'test-admin-password';

export interface TestApp extends BuiltApp {
  http: ReturnType<typeof request>;
  /** the fake driver of the default host */
  fake: FakeDriver;
  adminToken: string;
  close(): Promise<void>;
}

export async function makeTestApp(
  overrides: Partial<Config> = {},
  opts: { background?: boolean } = {},
): Promise<TestApp> {
  const driverFactory = fakeDriverFactory();
  let pg: PgDatabase | null = null;
  if (process.env.TEST_APP_PG === '1' && overrides.databaseUrl === undefined) {
    if (!process.env.TEST_PG_URL) throw new Error('TEST_APP_PG=1 needs TEST_PG_URL (bash scripts/pg-up.sh)');
    pg = await freshPgDatabase(process.env.TEST_PG_URL, 'app');
  }
  const built = await buildApp({
    config: testConfig({ ...overrides, ...(pg ? { databaseUrl: pg.url } : {}) }),
    driverFactory,
    background: opts.background ?? false,
    logger: false,
  });
  await built.app.ready();
  const http = request(built.app.server);
  const adminToken = await passwordToken(http, 'admin', ADMIN_PASSWORD, 'admin');
  const hostName = HostRegistry.defaultHostName();
  // the default host's driver is created lazily; make sure it exists
  const host = (await built.services.hostsRepo.findByName(hostName))!;
  await built.services.hosts.driverFor(host.id);
  return {
    ...built,
    http,
    fake: driverFactory.fakes.get(hostName)!,
    adminToken,
    close: async () => {
      await built.app.close();
      await pg?.drop();
    },
  };
}

export async function passwordToken(
  http: ReturnType<typeof request>,
  user: string,
  password: string,
  project: string,
): Promise<string> {
  const res = await http.post('/identity/v3/auth/tokens').send({
    auth: {
      identity: { methods: ['password'], password: { user: { name: user, password, domain: { name: 'Default' } } } },
      scope: { project: { name: project, domain: { name: 'Default' } } },
    },
  });
  if (res.status !== 201) throw new Error(`token for ${user}@${project}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.headers['x-subject-token'];
}

/** Creates a project and a user with `role` on it (straight in the DB), returns a token for them. */
export async function makeProjectUser(
  t: TestApp,
  name: string,
  role: 'admin' | 'member' | 'reader' = 'member',
): Promise<{ projectId: string; userId: string; token: string }> {
  const repo = t.services.identityRepo;
  const now = new Date().toISOString();
  let project = await repo.findProjectByName(DEFAULT_DOMAIN_ID, name);
  if (!project) {
    project = {
      id: newKeystoneId(),
      name,
      domain_id: DEFAULT_DOMAIN_ID,
      description: '',
      enabled: true,
      created_at: now,
    };
    await repo.insertProject(project);
  }
  const userName = `${name}-${role}`;
  const password = `${userName}-password`;
  let user = await repo.findUserByName(DEFAULT_DOMAIN_ID, userName);
  if (!user) {
    user = {
      id: newKeystoneId(),
      name: userName,
      domain_id: DEFAULT_DOMAIN_ID,
      password_hash: await hashPassword(password),
      enabled: true,
      email: null,
      description: '',
      default_project_id: project.id,
      created_at: now,
      password_updated_at: now,
    };
    await repo.insertUser(user);
  }
  const r = await repo.findRoleByName(role);
  await repo.assignRole(user.id, project.id, r!.id);
  return { projectId: project.id, userId: user.id, token: await passwordToken(t.http, userName, password, name) };
}
