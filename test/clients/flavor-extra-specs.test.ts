// Extra spec validation (microversion 2.86) with the real CLIs: `nova flavor-key … set` runs at
// 2.92 and gets Nova's 400 for a bad value of a known spec, while good keys (and keys of other
// namespaces) are stored; `openstack flavor set --property` runs at 2.1, where anything goes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminEnv, runCli, startListeningApp, type ListeningApp } from '../helpers/cli.js';

const CLI_TIMEOUT = 90_000;
const expectOk = (r: { code: number; stdout: string; stderr: string }) =>
  expect(r.code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);

let s: ListeningApp;
let env: Record<string, string>;
let flavorId: string;
beforeAll(async () => {
  s = await startListeningApp({}, { background: false });
  env = adminEnv(s);
  const flavor = await s.services.flavors.create({
    name: 'esv-cli',
    memoryMb: 64,
    vcpus: 1,
    rootGb: 0,
    ephemeralGb: 0,
    swap: 0,
    rxtxFactor: 1,
    isPublic: true,
    description: null,
  });
  flavorId = flavor.id;
});
afterAll(async () => {
  await s?.close();
});

describe('extra spec validation with the real CLIs', () => {
  it("nova flavor-key set: a bad hw:cpu_policy is refused with Nova's message and nothing is stored", async () => {
    const r = await runCli('nova', ['flavor-key', flavorId, 'set', 'hw:cpu_policy=bogus'], env, {
      timeoutMs: CLI_TIMEOUT,
    });
    expect(r.code, r.stdout).not.toBe(0);
    expect(r.stderr).toContain(
      "ERROR (BadRequest): Validation failed; 'bogus' is not one of: dedicated, shared, mixed. (HTTP 400)",
    );
    expect(await s.services.flavors.extraSpecs(flavorId)).toEqual({});
  }, 120_000);

  it('nova flavor-key set: known specs with good values and novadock:pids_limit are stored', async () => {
    const r = await runCli(
      'nova',
      ['flavor-key', flavorId, 'set', 'hw:cpu_policy=dedicated', 'hw:numa_nodes=1', 'novadock:pids_limit=64'],
      env,
      { timeoutMs: CLI_TIMEOUT },
    );
    expectOk(r);
    expect(await s.services.flavors.extraSpecs(flavorId)).toEqual({
      'hw:cpu_policy': 'dedicated',
      'hw:numa_nodes': '1',
      'novadock:pids_limit': '64',
    });
  }, 120_000);

  it('openstack flavor set --property (compute 2.1) stores an unknown hw: key, as Nova before 2.86', async () => {
    const r = await runCli('openstack', ['flavor', 'set', '--property', 'hw:not_a_spec=x', flavorId], env, {
      timeoutMs: CLI_TIMEOUT,
    });
    expectOk(r);
    expect(await s.services.flavors.extraSpecs(flavorId)).toMatchObject({ 'hw:not_a_spec': 'x' });
  }, 120_000);
});
