// Real clients against a compute endpoint that carries the project id (Nova's legacy catalog form
// /compute/v2.1/{project_id}): python-novaclient with --os-endpoint-override, and openstacksdk with
// OS_COMPUTE_ENDPOINT_OVERRIDE (its compute_endpoint_override setting), both listing servers.
// (`openstack server list` in this OSC builds its novaclient from the catalog and ignores the override.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminEnv, jsonOut, runCli, startListeningApp, type ListeningApp } from '../helpers/cli.js';
import { insertServers } from '../helpers/servers.js';

let s: ListeningApp;
let adminProject: string;
let otherProject: string;
const CLI_TIMEOUT = 90_000;
const expectOk = (r: { code: number; stdout: string; stderr: string }) =>
  expect(r.code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);

beforeAll(async () => {
  s = await startListeningApp({}, { background: false });
  adminProject = (await s.services.identityRepo.findProjectByName('default', 'admin'))!.id;
  otherProject = '0123456789abcdef0123456789abcdef';
  const host = (await s.services.hostsRepo.list())[0];
  await insertServers(s.services, 2, { projectId: adminProject, hostId: host.id, prefix: 'pid-cli' });
}, 60_000);
afterAll(async () => {
  await s?.close();
});

describe('compute endpoint with the project id', () => {
  it('nova --os-endpoint-override …/compute/v2.1/{project_id} list', async () => {
    const r = await runCli(
      'nova',
      ['--os-compute-api-version', '2.79', '--os-endpoint-override', `${s.url}/compute/v2.1/${adminProject}`, 'list'],
      adminEnv(s),
      { timeoutMs: CLI_TIMEOUT },
    );
    expectOk(r);
    expect(r.stdout).toMatch(/pid-cli-0\s*\|\s*ACTIVE/);
    expect(r.stdout).toMatch(/pid-cli-1\s*\|\s*ACTIVE/);
  });

  it("nova with another project id in the URL fails with Nova's 400", async () => {
    const r = await runCli(
      'nova',
      ['--os-compute-api-version', '2.79', '--os-endpoint-override', `${s.url}/compute/v2.1/${otherProject}`, 'list'],
      adminEnv(s),
      { timeoutMs: CLI_TIMEOUT },
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(
      /Malformed request URL: URL's project_id '[0-9a-f-]+' doesn't match Context's project_id .*\(HTTP 400\)/,
    );
  });

  it('openstacksdk with OS_COMPUTE_ENDPOINT_OVERRIDE lists the servers and sees the project id in their links', async () => {
    const script = [
      'import json, openstack',
      'c = openstack.connect()',
      'servers = list(c.compute.servers(details=True))',
      'print(json.dumps({"names": sorted(x.name for x in servers), "links": [l["href"] for x in servers for l in x.links]}))',
    ].join('\n');
    const r = await runCli(
      'python3',
      ['-c', script],
      {
        ...adminEnv(s),
        OS_COMPUTE_ENDPOINT_OVERRIDE: `${s.url}/compute/v2.1/${adminProject}`,
        OS_COMPUTE_API_VERSION: '2.79',
      },
      { timeoutMs: CLI_TIMEOUT },
    );
    expectOk(r);
    const out = jsonOut<{ names: string[]; links: string[] }>(r);
    expect(out.names).toEqual(['pid-cli-0', 'pid-cli-1']);
    expect(out.links.length).toBe(4);
    // self …/compute/v2.1/{id}/servers/x and bookmark …/compute/{id}/servers/x: only a request
    // that carried the id gets these, so the SDK did call the prefixed URLs.
    expect(out.links.filter((h) => h.includes(`/compute/v2.1/${adminProject}/servers/`))).toHaveLength(2);
    expect(out.links.filter((h) => h.includes(`/compute/${adminProject}/servers/`))).toHaveLength(2);
  });
});
