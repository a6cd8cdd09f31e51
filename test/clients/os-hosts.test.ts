// `openstack host list/show` (openstackclient sends 2.1, where Nova still has /os-hosts) against
// the app on a loopback port: both were a 404 before. (python-novaclient has no host commands left.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminEnv, jsonOut, runCli, startListeningApp, type CliResult, type ListeningApp } from '../helpers/cli.js';

let s: ListeningApp;
let env: Record<string, string>;
let host: string;
const ok = (r: CliResult) => {
  expect(r.code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);
  return r;
};
type Row = Record<string, unknown>;

beforeAll(async () => {
  s = await startListeningApp();
  env = adminEnv(s);
  host = (await s.services.hostsRepo.list())[0].name;
});
afterAll(async () => {
  await s?.close();
});

describe('os-hosts with the real clients', () => {
  it('openstack host list / host show', async () => {
    const list = jsonOut<Row[]>(
      ok(await runCli('openstack', ['host', 'list', '-f', 'json'], env, { timeoutMs: 90_000 })),
    );
    expect(list).toContainEqual({ 'Host Name': host, Service: 'compute', Zone: 'nova' });
    const show = jsonOut<Row[]>(
      ok(await runCli('openstack', ['host', 'show', host, '-f', 'json'], env, { timeoutMs: 90_000 })),
    );
    expect(show.map((r) => r.Project).slice(0, 3)).toEqual(['(total)', '(used_now)', '(used_max)']);
    expect(show[0]).toMatchObject({ Host: host });
  }, 200_000);
});
