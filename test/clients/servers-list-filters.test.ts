// `openstack server list --all-projects --host H` and `nova list --all-tenants --host H` against two
// compute hosts: the admin-only host filter reaches the service and is applied (it used to be
// accepted and ignored, returning every server).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminEnv, jsonOut, runCli, startListeningApp, type ListeningApp } from '../helpers/cli.js';
import { insertServers } from '../helpers/servers.js';
import { HostRegistry } from '../../src/compute/hosts/host-registry.js';

let s: ListeningApp;
const CLI_TIMEOUT = 90_000;
const expectOk = (r: { code: number; stdout: string; stderr: string }) =>
  expect(r.code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);

beforeAll(async () => {
  s = await startListeningApp(
    {
      heartbeatIntervalSeconds: 3600,
      computeHosts: [{ name: 'extra-1', dockerUrl: 'unix:///tmp/fake-extra-1.sock', availabilityZone: 'nova' }],
    },
    { background: false },
  );
  const admin = (await s.services.identityRepo.findProjectByName('default', 'admin'))!.id;
  const id = async (name: string) => (await s.services.hostsRepo.findByName(name))!.id;
  await insertServers(s.services, 2, {
    projectId: admin,
    hostId: await id(HostRegistry.defaultHostName()),
    prefix: 'here',
  });
  await insertServers(s.services, 1, { projectId: admin, hostId: await id('extra-1'), prefix: 'there' });
}, 60_000);
afterAll(async () => {
  await s?.close();
});

describe('server list --host', () => {
  it('openstack server list --all-projects --host extra-1', async () => {
    const r = await runCli(
      'openstack',
      ['server', 'list', '--all-projects', '--host', 'extra-1', '-f', 'json'],
      adminEnv(s),
      { timeoutMs: CLI_TIMEOUT },
    );
    expectOk(r);
    expect(jsonOut<{ Name: string }[]>(r).map((x) => x.Name)).toEqual(['there-0']);
  });
  it('nova list --all-tenants --host <default host>', async () => {
    const r = await runCli('nova', ['list', '--all-tenants', '--host', HostRegistry.defaultHostName()], adminEnv(s), {
      timeoutMs: CLI_TIMEOUT,
    });
    expectOk(r);
    expect(r.stdout).toMatch(/here-0/);
    expect(r.stdout).toMatch(/here-1/);
    expect(r.stdout).not.toMatch(/there-0/);
  });
});
