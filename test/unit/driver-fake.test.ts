// The FakeDriver keeps the Docker driver's semantics (test/docker/driver.test.ts proves those on
// the real engine): the same successes, the same conflicts, the same event order.
import { describe, expect, it, vi } from 'vitest';
import { FAKE_CALLS_KEPT, FakeDriver } from '../../src/virt/fake/fake-driver.js';
import { DriverError } from '../../src/errors.js';
import type { DriverEvent, SpawnSpec } from '../../src/virt/driver.js';
import { PowerState } from '../../src/virt/power-state.js';

const IMAGE = 'sha256:' + 'f'.repeat(64);
const spec = (uuid: string): SpawnSpec => ({
  instanceUuid: uuid,
  projectId: 'p',
  hostname: 'h',
  image: IMAGE,
  memoryMb: 64,
  vcpus: 1,
  pidsLimit: 64,
  interfaces: [],
});

async function kindOf(p: Promise<unknown>) {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(DriverError);
  return (e as DriverError).kind;
}

describe('FakeDriver semantics', () => {
  it('power operations, idempotence and conflicts as on Docker', async () => {
    const d = new FakeDriver();
    const events: DriverEvent[] = [];
    await d.watchEvents(
      (e) => events.push(e),
      () => {},
    );
    await d.spawn(spec('a'));
    await d.powerOff('a', 1);
    await d.powerOff('a', 1);
    expect((await d.getInfo('a')).powerState).toBe(PowerState.SHUTDOWN);
    expect(events.map((e) => e.action)).toEqual(['start', 'kill', 'die', 'stop']);
    await d.powerOn('a');
    await d.powerOn('a');
    await d.suspend('a');
    expect((await d.getInfo('a')).powerState).toBe(PowerState.PAUSED);
    expect(await kindOf(d.pause('a'))).toBe('conflict');
    await d.resume('a');
    expect(await kindOf(d.resume('a'))).toBe('conflict');
    await d.pause('a');
    await d.powerOff('a', 1); // unpauses first
    expect((await d.getInfo('a')).status).toBe('exited');
    expect(await kindOf(d.exec('a', ['/bin/sh']))).toBe('conflict');
    await d.reboot('a', 'HARD', 1);
    expect((await d.getInfo('a')).powerState).toBe(PowerState.RUNNING);
    await d.destroy('a');
    await d.destroy('a');
    expect((await d.getInfo('a')).powerState).toBe(PowerState.NOSTATE);
    expect(await kindOf(d.powerOff('a', 1))).toBe('not-found');
  });

  it('simulated drift: exit with a code, removal, a broken event stream', async () => {
    const d = new FakeDriver();
    const events: DriverEvent[] = [];
    const errors: Error[] = [];
    await d.watchEvents(
      (e) => events.push(e),
      (e) => errors.push(e),
    );
    await d.spawn(spec('b'));
    d.simulateExit('b', 3);
    expect(events.at(-1)).toMatchObject({ instanceUuid: 'b', action: 'die', exitCode: 3 });
    expect((await d.getInfo('b')).exitCode).toBe(3);
    d.simulateRemove('b');
    expect(events.at(-1)).toMatchObject({ action: 'destroy' });
    d.breakEventStream();
    d.breakEventStream();
    expect(errors).toHaveLength(1);
    await d.spawn(spec('c'));
    expect(events.at(-1)?.instanceUuid).toBe('b'); // dropped after the break
    d.down = true;
    expect(
      await kindOf(
        d.watchEvents(
          () => {},
          () => {},
        ),
      ),
    ).toBe('unavailable');
  });

  it('console tail as on Docker', async () => {
    const d = new FakeDriver();
    await d.spawn(spec('c'));
    d.print('c', 'one\ntwo\n');
    expect(await d.getConsoleOutput('c', 2)).toBe('one\ntwo\n');
    expect(await d.getConsoleOutput('c', 1)).toBe('two\n');
  });
});

describe('FakeDriver for scale (lean, bounded)', () => {
  it('a lean driver answers as the full one does: info, id, console, addresses', async () => {
    const full = new FakeDriver('h1');
    const lean = new FakeDriver('h2', { lean: true, cpus: 64, memoryBytes: 2 ** 37, diskBytes: 2 ** 40 });
    const uuid = '11111111-2222-4333-8444-555555555555';
    const s: SpawnSpec = {
      ...spec(uuid),
      interfaces: [{ network: 'private' }],
      env: { A: 'b' },
      mounts: [{ source: '/x', target: '/y', readOnly: true }],
    };
    // one clock reading for both (a loaded machine may tick between the two spawns)
    vi.useFakeTimers({ toFake: ['Date'] });
    const a = await full.spawn(s);
    const b = await lean.spawn(s);
    vi.useRealTimers();
    expect(b).toEqual(a);
    expect(await lean.getConsoleOutput(uuid)).toBe(await full.getConsoleOutput(uuid));
    lean.print(uuid, 'more\n');
    expect(await lean.getConsoleOutput(uuid)).toBe('booted h\nmore\n');
    expect(lean.containers.get(uuid)!.spec.env).toBeUndefined();
    expect(await lean.hostInfo()).toMatchObject({ cpus: 64, memoryBytes: 2 ** 37, diskTotalBytes: 2 ** 40 });
  });

  it('addresses go on past 198.18.0.255', async () => {
    const d = new FakeDriver('h', { lean: true });
    let last = '';
    for (let i = 0; i < 300; i++) {
      const info = await d.spawn({
        ...spec(`00000000-0000-4000-8000-${String(i).padStart(12, '0')}`),
        interfaces: [{ network: 'private' }],
      });
      last = info.addresses[0].addr;
    }
    expect(last).toBe('198.18.1.45');
  });

  it('keeps only the most recent calls', async () => {
    const d = new FakeDriver('h');
    for (let i = 0; i < FAKE_CALLS_KEPT + 10; i++) await d.ping();
    expect(d.calls.length).toBeLessThanOrEqual(FAKE_CALLS_KEPT);
    expect(d.calls[d.calls.length - 1]).toBe('ping ');
  });
});
