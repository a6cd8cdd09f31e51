// `openstack aggregate cache image` and `nova aggregate-cache-images` (2.81) against the app with
// the fake driver and two zones: the aggregate is found by name, the images by name or id, and the
// worker then loads each image on the aggregate's hosts only; a repeated image is refused with
// Nova's message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminEnv, runCli, startListeningApp, type ListeningApp } from '../helpers/cli.js';
import { seedImage } from '../helpers/servers.js';
import type { FakeDriver } from '../../src/virt/fake/fake-driver.js';

const CLI_TIMEOUT = 120_000;
let s: ListeningApp;

async function loadsOn(name: string): Promise<string[]> {
  const host = (await s.services.hostsRepo.findByName(name))!;
  return ((await s.services.hosts.driverFor(host.id)) as FakeDriver).calls.filter((c) => c.startsWith('loadImage'));
}

beforeAll(async () => {
  s = await startListeningApp({
    computeHosts: [
      { name: 'cli-a1', dockerUrl: 'unix:///tmp/fake-cli-a1.sock', availabilityZone: 'cli-zone-a' },
      { name: 'cli-a2', dockerUrl: 'unix:///tmp/fake-cli-a2.sock', availabilityZone: 'cli-zone-a' },
      { name: 'cli-b1', dockerUrl: 'unix:///tmp/fake-cli-b1.sock', availabilityZone: 'cli-zone-b' },
    ],
  });
}, 60_000);
afterAll(async () => {
  await s?.close();
});

describe('openstack aggregate cache image', () => {
  it(
    'asks the aggregate hosts to load the images',
    async () => {
      const byName = await seedImage(s.services, { name: 'cli-cache-one' });
      const byId = await seedImage(s.services, { name: 'cli-cache-two' });
      const r = await runCli(
        'openstack',
        ['--os-compute-api-version', '2.81', 'aggregate', 'cache', 'image', 'cli-zone-a', 'cli-cache-one', byId.id],
        adminEnv(s),
        { timeoutMs: CLI_TIMEOUT },
      );
      expect(r.code, r.stderr).toBe(0);
      await s.services.worker.drain();
      for (const host of ['cli-a1', 'cli-a2']) {
        expect(await loadsOn(host)).toHaveLength(2);
        for (const img of [byName, byId]) {
          const hostId = (await s.services.hostsRepo.findByName(host))!.id;
          expect(await s.services.imagesRepo.findHostLoad(img.id, hostId), `${img.name} on ${host}`).toBeDefined();
        }
      }
      expect(await loadsOn('cli-b1')).toEqual([]);
    },
    CLI_TIMEOUT,
  );

  it(
    'nova aggregate-cache-images (nova runs at 2.92)',
    async () => {
      // by id: novaclient looks names up with a `names=in:` filter that Glance does not have
      const img = await seedImage(s.services, { name: 'cli-cache-nova' });
      const r = await runCli('nova', ['aggregate-cache-images', 'cli-zone-b', img.id], adminEnv(s), {
        timeoutMs: CLI_TIMEOUT,
      });
      expect(r.code, r.stderr).toBe(0);
      await s.services.worker.drain();
      const hostId = (await s.services.hostsRepo.findByName('cli-b1'))!.id;
      expect(await s.services.imagesRepo.findHostLoad(img.id, hostId)).toBeDefined();
      expect(await loadsOn('cli-a1')).toHaveLength(2); // only the two loads of the first test
    },
    CLI_TIMEOUT,
  );

  it(
    "shows Nova's message for an image given twice",
    async () => {
      const img = await seedImage(s.services, { name: 'cli-cache-twice' });
      const r = await runCli(
        'openstack',
        ['--os-compute-api-version', '2.81', 'aggregate', 'cache', 'image', 'cli-zone-b', img.id, img.id],
        adminEnv(s),
        { timeoutMs: CLI_TIMEOUT },
      );
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('Duplicate images in request');
    },
    CLI_TIMEOUT,
  );
});
