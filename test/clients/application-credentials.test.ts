// Application credentials with the real clients: `openstack application credential create/list/
// show/delete`, then authentication the way clouds.yaml and OS_* variables ask for it
// (auth type v3applicationcredential, no username, password or project) with the openstack CLI
// (environment and --os-* options) and openstacksdk's openstack.connect().
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminEnv, jsonOut, runCli, startListeningApp, type CliResult, type ListeningApp } from '../helpers/cli.js';
import { insertServers } from '../helpers/servers.js';

let s: ListeningApp;
let serverId: string;
beforeAll(async () => {
  s = await startListeningApp({}, { background: false });
  const project = (await s.services.identityRepo.findProjectByName('default', 'admin'))!;
  [serverId] = await insertServers(s.services, 1, { projectId: project.id, prefix: 'appcred' });
});
afterAll(async () => {
  await s?.close();
});

const T = 240_000;
type Row = Record<string, unknown>;
const osc = (args: string[], env: Record<string, string>) => runCli('openstack', args, env, { timeoutMs: 90_000 });
const ok = (r: CliResult) => {
  expect(r.code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);
  return r;
};
/** Only what an application credential login needs: no username, password or project. */
const credEnv = (id: string, secret: string): Record<string, string> => ({
  OS_AUTH_URL: `${s.url}/identity/v3`,
  OS_AUTH_TYPE: 'v3applicationcredential',
  OS_APPLICATION_CREDENTIAL_ID: id,
  OS_APPLICATION_CREDENTIAL_SECRET: secret,
  OS_IDENTITY_API_VERSION: '3',
  OS_REGION_NAME: 'RegionOne',
  OS_INTERFACE: 'public',
});

describe('openstack application credential + v3applicationcredential auth', () => {
  it(
    'create, authenticate (env, options, openstacksdk), list, show, delete',
    async () => {
      const admin = adminEnv(s);
      const adminProject = (await s.services.identityRepo.findProjectByName('default', 'admin'))!;
      const created = jsonOut<Row>(
        ok(
          await osc(
            ['application', 'credential', 'create', 'ac-cli', '--description', 'for the CLI test', '-f', 'json'],
            admin,
          ),
        ),
      );
      const id = String(created.id);
      const secret = String(created.secret);
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      expect(secret).toMatch(/^[A-Za-z0-9_-]{86}$/);
      expect(created).toMatchObject({ name: 'ac-cli', project_id: adminProject.id, unrestricted: false });

      // OS_* variables alone
      const env = credEnv(id, secret);
      const listed = jsonOut<Row[]>(ok(await osc(['server', 'list', '-f', 'json'], env)));
      expect(listed.map((r) => r.ID)).toContain(serverId);
      const tok = jsonOut<Row>(ok(await osc(['token', 'issue', '-f', 'json'], env)));
      expect(tok.project_id).toBe(adminProject.id);

      // the same with command-line options
      const opts = [
        '--os-auth-url',
        `${s.url}/identity/v3`,
        '--os-identity-api-version',
        '3',
        '--os-region-name',
        'RegionOne',
        '--os-auth-type',
        'v3applicationcredential',
        '--os-application-credential-id',
        id,
        '--os-application-credential-secret',
        secret,
      ];
      const viaOptions = jsonOut<Row[]>(ok(await osc([...opts, 'server', 'list', '-f', 'json'], {})));
      expect(viaOptions.map((r) => r.ID)).toContain(serverId);

      // openstacksdk, as clouds.yaml's auth_type: v3applicationcredential does it
      const script = [
        'import openstack, json, sys',
        'conn = openstack.connect(auth_type="v3applicationcredential", region_name="RegionOne", identity_api_version="3",',
        '  auth={"auth_url": sys.argv[1], "application_credential_id": sys.argv[2], "application_credential_secret": sys.argv[3]})',
        'print(json.dumps([x.id for x in conn.compute.servers()]))',
      ].join('\n');
      const sdk = ok(
        await runCli('python3', ['-c', script, `${s.url}/identity/v3`, id, secret], {}, { timeoutMs: 90_000 }),
      );
      expect(JSON.parse(sdk.stdout.trim().split('\n').pop()!)).toContain(serverId);

      const all = jsonOut<Row[]>(ok(await osc(['application', 'credential', 'list', '-f', 'json'], admin)));
      expect(all.map((r) => r.ID)).toContain(id);
      const shown = jsonOut<Row>(ok(await osc(['application', 'credential', 'show', 'ac-cli', '-f', 'json'], admin)));
      expect(shown).toMatchObject({ id, name: 'ac-cli', description: 'for the CLI test' });
      expect(shown.secret).toBeUndefined();

      ok(await osc(['application', 'credential', 'delete', 'ac-cli'], admin));
      const refused = await osc(['token', 'issue', '-f', 'json'], env);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/401|authentication/i);
    },
    T,
  );
});
