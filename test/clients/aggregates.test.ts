// Real clients managing aggregates (fake driver, two extra hosts): `openstack aggregate create
// --zone / add host / set --zone --property / show / remove host / delete` and `nova
// aggregate-list` see what Nova would answer, and the zone an aggregate gives its host shows in
// `openstack availability zone list`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminEnv, jsonOut, runCli, startListeningApp, type ListeningApp } from '../helpers/cli.js';

const CLI_TIMEOUT = 120_000;
let s: ListeningApp;
const osc = (...args: string[]) => runCli('openstack', args, adminEnv(s), { timeoutMs: CLI_TIMEOUT });

beforeAll(async () => {
  s = await startListeningApp({
    computeHosts: [
      { name: 'cli-agg-h1', dockerUrl: 'unix:///tmp/fake-cli-agg-h1.sock', availabilityZone: 'nova' },
      { name: 'cli-agg-h2', dockerUrl: 'unix:///tmp/fake-cli-agg-h2.sock', availabilityZone: 'cli-agg-configured' },
    ],
  });
}, 60_000);
afterAll(async () => {
  await s?.close();
});

describe('openstack aggregate / nova aggregate-*', () => {
  it(
    'create, add host, set, show, list, remove host, delete',
    async () => {
      const created = await osc('aggregate', 'create', '--zone', 'cli-az1', 'cli-agg1', '-f', 'json');
      expect(created.code, created.stderr).toBe(0);
      expect(jsonOut<Record<string, unknown>>(created)).toMatchObject({
        name: 'cli-agg1',
        availability_zone: 'cli-az1',
      });

      const added = await osc('aggregate', 'add', 'host', 'cli-agg1', 'cli-agg-h1', '-f', 'json');
      expect(added.code, added.stderr).toBe(0);
      expect(JSON.stringify(jsonOut(added))).toContain('cli-agg-h1');

      const set = await osc('aggregate', 'set', '--zone', 'cli-az2', '--property', 'ssd=true', 'cli-agg1');
      expect(set.code, set.stderr).toBe(0);

      const shown = await osc('aggregate', 'show', 'cli-agg1', '-f', 'json');
      expect(shown.code, shown.stderr).toBe(0);
      const agg = jsonOut<Record<string, unknown>>(shown);
      expect(agg).toMatchObject({ name: 'cli-agg1', availability_zone: 'cli-az2' });
      expect(JSON.stringify(agg.hosts)).toContain('cli-agg-h1');
      expect(JSON.stringify(agg.properties)).toContain('ssd');

      const zones = await osc('availability', 'zone', 'list', '--compute', '-f', 'json');
      expect(zones.code, zones.stderr).toBe(0);
      expect(jsonOut<{ 'Zone Name': string }[]>(zones).map((z) => z['Zone Name'])).toEqual(
        expect.arrayContaining(['cli-az2', 'nova', 'cli-agg-configured']),
      );

      const novaList = await runCli('nova', ['aggregate-list'], adminEnv(s), { timeoutMs: CLI_TIMEOUT });
      expect(novaList.code, novaList.stderr).toBe(0);
      expect(novaList.stdout).toMatch(/cli-agg1\s*\|\s*cli-az2/);
      expect(novaList.stdout).toMatch(/cli-agg-configured\s*\|\s*cli-agg-configured/);

      const removed = await osc('aggregate', 'remove', 'host', 'cli-agg1', 'cli-agg-h1');
      expect(removed.code, removed.stderr).toBe(0);
      const deleted = await osc('aggregate', 'delete', 'cli-agg1');
      expect(deleted.code, deleted.stderr).toBe(0);
      const list = await s.services.aggregates.list();
      expect(list.map((a) => a.name)).toEqual(['cli-agg-configured']);
    },
    10 * CLI_TIMEOUT,
  );

  it(
    "shows Nova's refusal of a duplicate name",
    async () => {
      const dup = await osc('aggregate', 'create', 'cli-agg-configured');
      expect(dup.code).not.toBe(0);
      expect(dup.stderr).toContain('Aggregate cli-agg-configured already exists.');
    },
    CLI_TIMEOUT,
  );
});
