// Per-user quotas with the real `nova` CLI (python-novaclient) against the app (fake driver) on
// 127.0.0.1:<ephemeral>: quota-update --user, quota-show --user, Nova's refusal of a user limit
// above the project's, and quota-delete --user.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminEnv, jsonOut, runCli, startListeningApp, type CliResult, type ListeningApp } from '../helpers/cli.js';

let s: ListeningApp;
let env: Record<string, string>;
let projectId: string;
let userId: string;
beforeAll(async () => {
  s = await startListeningApp({}, { background: false });
  env = adminEnv(s);
  projectId = (await s.services.identityRepo.findProjectByName('default', 'admin'))!.id;
  const user = await runCli(
    'openstack',
    ['user', 'create', '--password', 'quota-user-pw', '--project', 'admin', 'quota-user', '-f', 'json'],
    env,
    { timeoutMs: 90_000 },
  );
  ok(user);
  userId = jsonOut<{ id: string }>(user).id;
}, 120_000);
afterAll(async () => {
  await s?.close();
});

const T = 240_000;
const nova = (args: string[]) => runCli('nova', args, env, { timeoutMs: 90_000 });
const ok = (r: CliResult) => {
  expect(r.code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);
  return r;
};
const cell = (out: string, name: string) => out.match(new RegExp(`\\|\\s*${name}\\s*\\|\\s*(-?\\d+)\\s*\\|`))?.[1];

describe('nova per-user quotas', () => {
  it(
    "quota-update --user sets the user's limit only; quota-show --user shows it; quota-delete --user drops it",
    async () => {
      ok(await nova(['quota-update', '--user', userId, '--instances', '2', '--cores', '3', projectId]));
      const mine = ok(await nova(['quota-show', '--tenant', projectId, '--user', userId]));
      expect(cell(mine.stdout, 'instances')).toBe('2');
      expect(cell(mine.stdout, 'cores')).toBe('3');
      expect(cell(mine.stdout, 'ram')).toBe('51200');
      const project = ok(await nova(['quota-show', '--tenant', projectId]));
      expect(cell(project.stdout, 'instances')).toBe('10');

      const refused = await nova(['quota-update', '--user', userId, '--instances', '11', projectId]);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('Quota limit 11 for instances must be less than or equal to 10.');
      // the project limit may not go below its users' limits
      const below = await nova(['quota-update', '--instances', '1', projectId]);
      expect(below.code).not.toBe(0);
      expect(below.stderr).toContain(
        'Quota limit 1 for instances must be greater than or equal to already used and reserved 2.',
      );

      ok(await nova(['quota-delete', '--tenant', projectId, '--user', userId]));
      const back = ok(await nova(['quota-show', '--tenant', projectId, '--user', userId]));
      expect(cell(back.stdout, 'instances')).toBe('10');
      expect(cell(back.stdout, 'cores')).toBe('20');
    },
    T,
  );
});
