// One contract, two drivers: the same scenario runs on the FakeDriver and on the real engine, so
// the fake the API tests rely on cannot drift from what Docker does. Fails without Docker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerDriver } from '../../src/virt/docker/docker-driver.js';
import { FakeDriver } from '../../src/virt/fake/fake-driver.js';
import { DriverError } from '../../src/errors.js';
import type { ComputeDriver, DriverEvent, SpawnSpec } from '../../src/virt/driver.js';
import { DOCKER_URL, TEST_IMAGE, newUuid, removeLabelled, requireDocker, waitFor } from './driver-helpers.js';
import { PowerState } from '../../src/virt/power-state.js';

const LABEL = `io.novadock.test=contract-${process.pid}`;
const docker = new DockerDriver({ dockerUrl: DOCKER_URL, timeoutMs: 30_000 });
const fake = new FakeDriver('contract');

beforeAll(requireDocker);
afterAll(async () => {
  await docker.close();
  await removeLabelled(LABEL);
});

const drivers: [string, ComputeDriver, string][] = [
  ['fake', fake, 'sha256:' + 'f'.repeat(64)],
  ['docker', docker, TEST_IMAGE],
];

async function kindOf(p: Promise<unknown>): Promise<string> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(DriverError);
  return (e as DriverError).kind;
}

describe.each(drivers)('ComputeDriver contract on %s', { timeout: 180_000 }, (_name, driver, image) => {
  const spec = (): SpawnSpec => ({
    instanceUuid: newUuid(),
    projectId: 'p-contract',
    hostname: 'c',
    image,
    memoryMb: 64,
    vcpus: 1,
    pidsLimit: 64,
    interfaces: [],
    extraLabels: { [LABEL.split('=')[0]]: LABEL.split('=')[1] },
  });

  it('power operations: idempotent where Docker is, conflicts where Docker has them, reboot ends RUNNING', async () => {
    const events: DriverEvent[] = [];
    const s = spec();
    const u = s.instanceUuid;
    const stop = await driver.watchEvents(
      (e) => {
        if (e.instanceUuid === u) events.push(e);
      },
      () => {},
    );
    const power = async () => (await driver.getInfo(u)).powerState;
    try {
      expect((await driver.spawn(s)).powerState).toBe(PowerState.RUNNING);
      expect(await kindOf(driver.spawn(s))).toBe('conflict'); // the name is taken; the running one stays
      expect(await power()).toBe(PowerState.RUNNING);

      await driver.powerOff(u, 1);
      await driver.powerOff(u, 1);
      expect(await power()).toBe(PowerState.SHUTDOWN);
      await waitFor(() => events.some((e) => e.action === 'die'), 10_000);
      expect(await kindOf(driver.pause(u))).toBe('conflict');
      expect(await kindOf(driver.exec(u, ['/bin/sh']))).toBe('conflict');

      await driver.powerOn(u);
      await driver.powerOn(u);
      expect(await power()).toBe(PowerState.RUNNING);
      await driver.pause(u);
      expect(await power()).toBe(PowerState.PAUSED);
      expect(await kindOf(driver.pause(u))).toBe('conflict');
      await driver.unpause(u);
      expect(await kindOf(driver.unpause(u))).toBe('conflict');
      await driver.suspend(u);
      expect(await kindOf(driver.suspend(u))).toBe('conflict');
      await driver.resume(u);
      expect(await power()).toBe(PowerState.RUNNING);

      await driver.pause(u);
      await driver.powerOff(u, 1); // unpauses first
      expect(await power()).toBe(PowerState.SHUTDOWN);
      await driver.reboot(u, 'HARD', 1);
      expect(await power()).toBe(PowerState.RUNNING);
      await driver.pause(u);
      await driver.reboot(u, 'HARD', 1);
      expect(await power()).toBe(PowerState.RUNNING);

      await driver.updateResources(u, { memoryMb: 96, vcpus: 1, pidsLimit: 64 });
      expect((await driver.getInfo(u)).memoryBytes).toBe(96 * 1024 * 1024);
      expect((await driver.getStats(u)).memoryLimitBytes).toBe(96 * 1024 * 1024);
      expect((await driver.listInstances()).find((i) => i.instanceUuid === u)?.powerState).toBe(PowerState.RUNNING);

      await driver.destroy(u);
      await driver.destroy(u);
      await waitFor(() => events.some((e) => e.action === 'destroy'), 10_000);
      expect(await driver.getInfo(u)).toMatchObject({
        status: 'missing',
        powerState: PowerState.NOSTATE,
        containerId: null,
      });
      expect(await driver.getConsoleOutput(u)).toBe('');
      for (const op of [
        () => driver.powerOff(u, 1),
        () => driver.powerOn(u),
        () => driver.reboot(u, 'HARD', 1),
        () => driver.pause(u),
        () => driver.unpause(u),
        () => driver.updateResources(u, { memoryMb: 64, vcpus: 1, pidsLimit: 64 }),
        () => driver.snapshot(u, { repo: 'novadock-contract/x', tag: 'x' }),
        () => driver.getStats(u),
        () => driver.exec(u, ['/bin/sh']),
      ])
        expect(await kindOf(op())).toBe('not-found');
      expect((await driver.listInstances()).some((i) => i.instanceUuid === u)).toBe(false);
    } finally {
      stop();
      await driver.destroy(u).catch(() => undefined);
    }
  });

  it('a spawn from a missing image fails with not-found and leaves nothing behind', async () => {
    const s = { ...spec(), image: 'sha256:' + '0'.repeat(64) };
    expect(await kindOf(driver.spawn(s))).toBe('not-found');
    expect((await driver.getInfo(s.instanceUuid)).status).toBe('missing');
  });
});
