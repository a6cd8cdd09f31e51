// os-server-external-events through python-novaclient, the one Debian client that sends it:
// `nova refresh-network <server>` (a network-changed event, admin only) and the library's
// ServerExternalEventManager.create, which hands back Nova's per-event codes from a 207.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminEnv, osEnv, runCli, startListeningApp, type ListeningApp } from '../helpers/cli.js';
import { insertServers } from '../helpers/servers.js';
import { HostRegistry } from '../../src/compute/hosts/host-registry.js';
import { hashPassword } from '../../src/identity/passwords.js';
import { DEFAULT_DOMAIN_ID, newKeystoneId } from '../../src/identity/bootstrap.js';

const CLI_TIMEOUT = 120_000;
let s: ListeningApp;
let hostId: number;

beforeAll(async () => {
  s = await startListeningApp({ computeDriver: 'fake' });
  hostId = (await s.services.hostsRepo.findByName(HostRegistry.defaultHostName()))!.id;
}, 60_000);
afterAll(async () => {
  await s?.close();
});

/** A project with a member user (straight in the DB), for the policy check. */
async function memberOf(name: string): Promise<{ projectId: string; env: Record<string, string> }> {
  const repo = s.services.identityRepo;
  const now = new Date().toISOString();
  const project = {
    id: newKeystoneId(),
    name,
    domain_id: DEFAULT_DOMAIN_ID,
    description: '',
    enabled: true,
    created_at: now,
  };
  await repo.insertProject(project);
  const password = `${name}-password`;
  const user = {
    id: newKeystoneId(),
    name: `${name}-user`,
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
  await repo.assignRole(user.id, project.id, (await repo.findRoleByName('member'))!.id);
  return { projectId: project.id, env: osEnv(s, { user: user.name, password, project: name }) };
}

describe('nova refresh-network and novaclient server_external_events', () => {
  it("an admin refreshes a server's network; its member gets Nova's 403", async () => {
    const member = await memberOf('see-cli');
    const [uuid] = await insertServers(s.services, 1, { projectId: member.projectId, hostId, prefix: 'see-cli' });

    const admin = await runCli('nova', ['refresh-network', uuid], adminEnv(s), { timeoutMs: CLI_TIMEOUT });
    expect(admin.code, admin.stderr).toBe(0);

    const denied = await runCli('nova', ['refresh-network', uuid], member.env, { timeoutMs: CLI_TIMEOUT });
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain(
      "Policy doesn't allow os_compute_api:os-server-external-events:create to be performed. (HTTP 403)",
    );
  }, 240_000);

  it('the library returns the per-event codes of a 207 (200 for the server, 404 for an unknown uuid)', async () => {
    const [uuid] = await insertServers(s.services, 1, { projectId: 'p-lib', hostId, prefix: 'see-lib' });
    const unknown = '3df201cf-2451-44f2-8d25-a4ca826fc1f3';
    const env = adminEnv(s);
    const script = [
      'import json, os',
      'from keystoneauth1 import loading, session',
      'from novaclient import client',
      "auth = loading.get_plugin_loader('password').load_from_options(auth_url=os.environ['OS_AUTH_URL'], username='admin',",
      "    password=os.environ['OS_PASSWORD'], project_name='admin', user_domain_name='Default', project_domain_name='Default')",
      "nova = client.Client('2.93', session=session.Session(auth=auth))",
      `events = [{'server_uuid': '${uuid}', 'name': 'volume-reimaged', 'tag': 'v1'}, {'server_uuid': '${unknown}', 'name': 'network-changed'}]`,
      'print(json.dumps(nova.server_external_events.create(events)))',
    ].join('\n');
    const r = await runCli('python3', ['-c', script], env, { timeoutMs: CLI_TIMEOUT });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { server_uuid: uuid, name: 'volume-reimaged', tag: 'v1', status: 'completed', code: 200 },
      { server_uuid: unknown, name: 'network-changed', status: 'failed', code: 404 },
    ]);
  }, 240_000);
});
