// 2.80 migration filters with the real clients: `nova migration-list --user-id/--project-id` (nova
// runs at 2.92) and `openstack server migration list --user/--project` at 2.80, which resolves the
// names through Keystone first. No server is resized here, so both list nothing (before 2.80 the
// server refused user_id and project_id as unknown parameters); migrations-resize.test.ts shows a
// resize's record through the same commands.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminEnv, jsonOut, runCli, startListeningApp, type ListeningApp } from '../helpers/cli.js';

const CLI_TIMEOUT = 120_000;
let s: ListeningApp;
let ids: { user: string; project: string };

beforeAll(async () => {
  s = await startListeningApp();
  const repo = s.services.identityRepo;
  ids = {
    user: (await repo.findUserByName('default', 'admin'))!.id,
    project: (await repo.findProjectByName('default', 'admin'))!.id,
  };
}, 60_000);
afterAll(async () => {
  await s?.close();
});

describe('migration list filtered by user and project (2.80)', () => {
  it(
    'nova migration-list --user-id --project-id',
    async () => {
      const r = await runCli(
        'nova',
        ['migration-list', '--user-id', ids.user, '--project-id', ids.project],
        adminEnv(s),
        { timeoutMs: CLI_TIMEOUT },
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('User ID');
      expect(r.stdout).not.toContain(ids.user); // no rows
    },
    CLI_TIMEOUT,
  );

  it(
    'openstack server migration list --user --project at 2.80',
    async () => {
      const r = await runCli(
        'openstack',
        [
          '--os-compute-api-version',
          '2.80',
          'server',
          'migration',
          'list',
          '--user',
          'admin',
          '--project',
          'admin',
          '-f',
          'json',
        ],
        adminEnv(s),
        { timeoutMs: CLI_TIMEOUT },
      );
      expect(r.code, r.stderr).toBe(0);
      expect(jsonOut(r)).toEqual([]);
    },
    CLI_TIMEOUT,
  );
});
