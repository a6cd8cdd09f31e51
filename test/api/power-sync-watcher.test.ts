// EventWatcher in isolation: exponential backoff with a cap, re-list after every (re)connect,
// event bursts coalesced, and a start that never waits on an engine that does not answer.
import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { EventWatcher } from '../../src/worker/event-watcher.js';
import type { PowerSync, Timers } from '../../src/worker/power-sync.js';
import type { HostRegistry } from '../../src/compute/hosts/host-registry.js';
import type { ComputeDriver, DriverEvent } from '../../src/virt/driver.js';
import { DockerDriver } from '../../src/virt/docker/docker-driver.js';
import { DriverError } from '../../src/errors.js';

function hostsWith(driver: Partial<ComputeDriver>): HostRegistry {
  return { list: async () => [{ id: 7 }], driverFor: async () => driver } as unknown as HostRegistry;
}

function syncSpy(delayMs = 0) {
  const calls: string[] = [];
  const sync = {
    syncHost: async (hostId: number) => {
      calls.push(`host ${hostId}`);
      return { hostId, checked: 0, outcomes: {} };
    },
    syncInstance: async (uuid: string) => {
      calls.push(`instance ${uuid}`);
      await new Promise((r) => setTimeout(r, delayMs));
      return 'unchanged';
    },
  };
  return { calls, sync: sync as unknown as PowerSync };
}

/** Timers that record the delays asked for and run each one when told. */
function manualTimers() {
  const pending: { fn: () => void; ms: number }[] = [];
  const timers: Timers = {
    setInterval: () => 0,
    clearInterval: () => {},
    setTimeout: (fn, ms) => {
      const t = { fn, ms };
      pending.push(t);
      return t;
    },
    clearTimeout: (h) => {
      const i = pending.indexOf(h as never);
      if (i >= 0) pending.splice(i, 1);
    },
  };
  return { timers, pending, runNext: () => pending.shift()!.fn() };
}

const flush = () => new Promise((r) => setTimeout(r, 10));
const closers: (() => void)[] = [];
afterEach(() => {
  while (closers.length) closers.pop()!();
});

describe('EventWatcher', () => {
  it('reconnects with exponential backoff up to the cap, re-listing after each successful connect', async () => {
    let fail = 0;
    let onError: ((e: Error) => void) | null = null;
    const driver: Partial<ComputeDriver> = {
      watchEvents: async (_on, err) => {
        if (fail > 0) {
          fail -= 1;
          throw new DriverError('down', 'unavailable');
        }
        onError = err;
        return () => {};
      },
    };
    const { calls, sync } = syncSpy();
    const t = manualTimers();
    const w = new EventWatcher(hostsWith(driver), sync, { minBackoffMs: 100, maxBackoffMs: 1000, timers: t.timers });
    await w.start();
    await flush();
    expect(calls).toEqual(['host 7']);
    t.pending.length = 0; // the start-wait timer

    fail = 5;
    onError!(new Error('ECONNRESET'));
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      expect(t.pending).toHaveLength(1);
      delays.push(t.pending[0].ms);
      t.runNext();
      await flush();
    }
    expect(delays).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(t.pending).toHaveLength(0); // connected again
    expect(calls).toEqual(['host 7', 'host 7']);
    expect(w.connects.get(7)).toBe(2);

    onError!(new Error('again'));
    expect(t.pending[0].ms).toBe(100); // backoff reset after a good connect
    await w.stop();
    expect(t.pending).toHaveLength(0);
  });

  it('coalesces a burst of events for one server into at most two syncs', async () => {
    let emit: ((e: DriverEvent) => void) | null = null;
    const driver: Partial<ComputeDriver> = {
      watchEvents: async (on) => {
        emit = on;
        return () => {};
      },
    };
    const { calls, sync } = syncSpy(30);
    const w = new EventWatcher(hostsWith(driver), sync, {});
    await w.start();
    await w.idle();
    calls.length = 0;
    for (const action of ['kill', 'die', 'stop', 'exec_start', 'attach'])
      emit!({ instanceUuid: 'u', action, time: Date.now() });
    emit!({ instanceUuid: 'v', action: 'die', time: Date.now() });
    await w.idle();
    expect(calls.filter((c) => c === 'instance u')).toHaveLength(2);
    expect(calls.filter((c) => c === 'instance v')).toHaveLength(1);
    await w.stop();
    emit!({ instanceUuid: 'u', action: 'die', time: Date.now() });
    await w.idle();
    expect(calls.filter((c) => c === 'instance u')).toHaveLength(2);
  });

  it('does not hold up the start on an engine that accepts but never answers', async () => {
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    closers.push(() => {
      sockets.forEach((s) => s.destroy());
      server.close();
    });
    const driver = new DockerDriver({
      dockerUrl: `tcp://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
      timeoutMs: 5000,
    });
    const { sync } = syncSpy();
    const w = new EventWatcher(hostsWith(driver), sync, { minBackoffMs: 50 });
    const t0 = Date.now();
    await w.start(200);
    expect(Date.now() - t0).toBeLessThan(1000);
    await w.stop();
  });
});
