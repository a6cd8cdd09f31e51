// Real clients on the server sub-resources that used to be 404 here: `openstack server volume
// list`, `nova volume-attachments`, `nova interface-list`, `openstack server migration list`,
// `nova server-migration-list`, `openstack extension list --compute`, run against the app
// listening on loopback (fake driver) and checked against what the API says about the server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminEnv, jsonOut, runCli, startListeningApp, type ListeningApp } from '../helpers/cli.js';
import { seedImage } from '../helpers/servers.js';
import { PRIVATE_NETWORK_ID } from '../../src/compute/servers/networks.js';
import { sql } from '../../src/db/sql.js';

const CLI_TIMEOUT = 120_000;
const expectOk = (r: { code: number; stdout: string; stderr: string }) =>
  expect(r.code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);

let s: ListeningApp;
let env: Record<string, string>;
let serverId: string;
let token: string;

async function api(
  method: string,
  urlPath: string,
  body?: unknown,
  version = '2.1',
): Promise<{ status: number; body: Record<string, any> }> {
  const res = await fetch(`${s.url}${urlPath}`, {
    method,
    headers: {
      'X-Auth-Token': token,
      'Content-Type': 'application/json',
      'OpenStack-API-Version': `compute ${version}`,
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {} };
}

beforeAll(async () => {
  s = await startListeningApp();
  env = adminEnv(s);
  const tokenRes = await fetch(`${s.url}/identity/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'admin', password: s.adminPassword, domain: { id: 'default' } } },
        },
        scope: { project: { name: 'admin', domain: { id: 'default' } } },
      },
    }),
  });
  token = tokenRes.headers.get('x-subject-token')!;
  const image = await seedImage(s.services, { name: 'subres-image' });
  const created = await api('POST', '/compute/v2.1/servers', {
    server: { name: 'subres-vm', imageRef: image.id, flavorRef: '1' },
  });
  expect(created.status).toBe(202);
  serverId = created.body.server.id;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const row = await sql(s.services.db)('instances').where({ uuid: serverId }).first();
    if (row?.vm_state === 'active' && row.task_state === null && row.addresses_json) break;
    if (Date.now() > deadline) throw new Error(`server not active: ${JSON.stringify(row)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}, 60_000);
afterAll(async () => {
  await s?.close();
});

describe('volumes', () => {
  it(
    'openstack server volume list and nova volume-attachments: no volumes',
    async () => {
      const osc = await runCli('openstack', ['server', 'volume', 'list', serverId, '-f', 'json'], env, {
        timeoutMs: CLI_TIMEOUT,
      });
      expectOk(osc);
      expect(jsonOut(osc)).toEqual([]);
      const nova = await runCli('nova', ['volume-attachments', serverId], env, { timeoutMs: CLI_TIMEOUT });
      expectOk(nova);
      // an empty table: a header row and nothing else. nova runs at 2.92, so the columns are 2.89's
      // (attachment id and BDM uuid instead of the old id).
      const rows = nova.stdout.split('\n').filter((l) => l.startsWith('|'));
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatch(
        /\| DEVICE\s+\| SERVER ID\s+\| VOLUME ID\s+\| ATTACHMENT ID\s+\| BDM UUID\s+\| TAG\s+\| DELETE ON TERMINATION\s+\|/,
      );
    },
    CLI_TIMEOUT * 2,
  );
});

describe('interfaces', () => {
  it(
    "nova interface-list shows the server's private-network port as the API and server show give it",
    async () => {
      const [port] = (await api('GET', `/compute/v2.1/servers/${serverId}/os-interface`)).body.interfaceAttachments;
      const server = (await api('GET', `/compute/v2.1/servers/${serverId}`)).body.server;
      const addr = server.addresses.private[0];
      const r = await runCli('nova', ['interface-list', serverId], env, { timeoutMs: CLI_TIMEOUT });
      expectOk(r);
      const rows = r.stdout
        .split('\n')
        .filter((l) => l.startsWith('|'))
        .map((l) =>
          l
            .split('|')
            .slice(1, -1)
            .map((c) => c.trim()),
        );
      // novaclient negotiates our newest microversion (2.79): the Tag column (2.70) is there, empty
      expect(rows[0]).toEqual(['Port State', 'Port ID', 'Net ID', 'IP addresses', 'MAC Addr', 'Tag']);
      expect(rows.slice(1)).toEqual([
        ['ACTIVE', port.port_id, PRIVATE_NETWORK_ID, addr.addr, addr['OS-EXT-IPS-MAC:mac_addr'], '-'],
      ]);
    },
    CLI_TIMEOUT,
  );
});

describe('migrations', () => {
  it(
    'openstack server migration list and nova server-migration-list: none',
    async () => {
      const osc = await runCli('openstack', ['server', 'migration', 'list', '--server', serverId, '-f', 'json'], env, {
        timeoutMs: CLI_TIMEOUT,
      });
      expectOk(osc);
      expect(jsonOut(osc)).toEqual([]);
      const nova = await runCli('nova', ['--os-compute-api-version', '2.23', 'server-migration-list', serverId], env, {
        timeoutMs: CLI_TIMEOUT,
      });
      expectOk(nova);
      const rows = nova.stdout.split('\n').filter((l) => l.startsWith('|'));
      expect(rows).toHaveLength(1); // header only
      expect(rows[0]).toContain('Source Node');
    },
    CLI_TIMEOUT * 2,
  );
});

describe('extensions', () => {
  it(
    "openstack extension list --compute prints Nova's list",
    async () => {
      const r = await runCli('openstack', ['extension', 'list', '--compute', '-f', 'json'], env, {
        timeoutMs: CLI_TIMEOUT,
      });
      expectOk(r);
      const printed = jsonOut<{ Name: string; Alias: string; Description: string }[]>(r);
      const api_ = (await api('GET', '/compute/v2.1/extensions')).body.extensions as { name: string; alias: string }[];
      expect(printed.map((e) => e.Alias)).toEqual(api_.map((e) => e.alias));
      expect(printed.find((e) => e.Alias === 'os-volumes')).toMatchObject({
        Name: 'Volumes',
        Description: 'Volumes support.',
      });
    },
    CLI_TIMEOUT,
  );
});
