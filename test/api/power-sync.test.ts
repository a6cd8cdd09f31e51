// Drift on the fake driver: Docker events and the periodic power sync bring the DB in line with
// the containers (nova _sync_instance_power_state), without ever overriding a running task.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../helpers/app.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';
import { insertInstanceRow } from '../helpers/instance-rows.js';
import type { ImageRow } from '../../src/db/repositories/images-repo.js';
import { decidePowerSync, PowerSync, type Timers } from '../../src/worker/power-sync.js';
import { PowerSyncQueries } from '../../src/db/repositories/power-sync-queries.js';
import { VmState } from '../../src/compute/servers/states.js';
import { HostRegistry } from '../../src/compute/hosts/host-registry.js';
import { PowerState } from '../../src/virt/power-state.js';
import { sql } from '../../src/db/sql.js';

const S = '/compute/v2.1/servers';
let t: TestApp;
let image: ImageRow;
let hostId: number;

beforeAll(async () => {
  t = await makeTestApp();
  image = await seedImage(t.services);
  await unlimitedQuota(t.services);
  hostId = (await t.services.hostsRepo.findByName(HostRegistry.defaultHostName()))!.id;
});
afterAll(async () => {
  await t.services.drift.stop();
  await t.close();
});

const get = (id: string) =>
  t.http.get(`${S}/${id}`).set('X-Auth-Token', t.adminToken).set('OpenStack-API-Version', 'compute 2.79');

async function boot(): Promise<string> {
  const res = await t.http
    .post(S)
    .set('X-Auth-Token', t.adminToken)
    .set('OpenStack-API-Version', 'compute 2.79')
    .send({ server: { name: 'drift', imageRef: image.id, flavorRef: '1', networks: 'none' } });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  await t.services.worker.drain();
  expect((await get(res.body.server.id)).body.server.status).toBe('ACTIVE');
  return res.body.server.id;
}

async function server(id: string) {
  const s = (await get(id)).body.server;
  return {
    status: s.status as string,
    power: s['OS-EXT-STS:power_state'] as number,
    vm: s['OS-EXT-STS:vm_state'] as string,
    task: s['OS-EXT-STS:task_state'] as string | null,
  };
}

describe("decidePowerSync (Nova's table, openstack-contract.md §C6)", () => {
  const P = PowerState;
  it.each([
    [VmState.ACTIVE, P.SHUTDOWN, VmState.STOPPED, 'mark-stopped', P.SHUTDOWN],
    [VmState.ACTIVE, P.CRASHED, VmState.STOPPED, 'mark-stopped', P.CRASHED],
    [VmState.ACTIVE, P.PAUSED, undefined, 'none', P.PAUSED],
    [VmState.ACTIVE, P.NOSTATE, undefined, 'none', P.NOSTATE],
    [VmState.ACTIVE, P.RUNNING, undefined, 'none', P.RUNNING],
    [VmState.STOPPED, P.RUNNING, undefined, 'power-off', P.RUNNING],
    [VmState.STOPPED, P.PAUSED, undefined, 'power-off', P.PAUSED],
    [VmState.STOPPED, P.SHUTDOWN, undefined, 'none', P.SHUTDOWN],
    [VmState.STOPPED, P.NOSTATE, undefined, 'none', P.NOSTATE],
    [VmState.PAUSED, P.SHUTDOWN, VmState.STOPPED, 'mark-stopped', P.SHUTDOWN],
    [VmState.PAUSED, P.RUNNING, undefined, 'none', P.RUNNING],
    [VmState.SUSPENDED, P.PAUSED, undefined, 'none', P.SUSPENDED],
    [VmState.SUSPENDED, P.SHUTDOWN, undefined, 'none', P.SHUTDOWN],
    [VmState.ERROR, P.SHUTDOWN, undefined, 'none', P.SHUTDOWN],
    [VmState.RESCUED, P.SHUTDOWN, undefined, 'none', P.SHUTDOWN],
  ] as const)('%s + power %i → vm_state %s, %s, power_state %i', (vm, power, newVm, action, stored) => {
    const d = decidePowerSync(vm, power);
    expect(d).toEqual({ powerState: stored, action, ...(newVm ? { vmState: newVm } : {}) });
  });
});

describe('drift through Docker events', () => {
  beforeAll(async () => {
    await t.services.drift.eventWatcher.start();
  });

  it('a container that exits on its own turns the server SHUTOFF at once, with a stop action', async () => {
    const id = await boot();
    const t0 = Date.now();
    t.fake.simulateExit(id, 1);
    await t.services.drift.eventWatcher.idle();
    expect(await server(id)).toEqual({ status: 'SHUTOFF', power: PowerState.SHUTDOWN, vm: 'stopped', task: null });
    expect(Date.now() - t0).toBeLessThan(2000);
    // Nova's sync stops through compute_api.stop, which records a `stop` action
    const stop = await sql(t.services.db)('instance_actions').where({ instance_uuid: id, action: 'stop' }).first();
    expect(stop).toMatchObject({ user_id: null, request_id: expect.stringMatching(/^req-/) });
    expect(stop.finish_time).not.toBeNull();
  });

  it('a container removed behind our back leaves the server ACTIVE with power_state NOSTATE', async () => {
    const id = await boot();
    t.fake.simulateRemove(id);
    await t.services.drift.eventWatcher.idle();
    expect(await server(id)).toMatchObject({ status: 'ACTIVE', power: PowerState.NOSTATE });
  });

  it('never overrides a server with a task in progress', async () => {
    const id = await boot();
    await sql(t.services.db)('instances').where({ uuid: id }).update({ task_state: 'powering-off' });
    t.fake.simulateExit(id);
    await t.services.drift.eventWatcher.idle();
    expect(await server(id)).toMatchObject({ vm: 'active', power: PowerState.RUNNING, task: 'powering-off' });
    await sql(t.services.db)('instances').where({ uuid: id }).update({ task_state: null });
  });

  it('after the event stream breaks: reconnects and re-lists, catching what happened meanwhile', async () => {
    const id = await boot();
    const before = t.fake.subscriptions;
    t.fake.breakEventStream();
    t.fake.simulateExitQuietly(id); // while "Docker was down": no event will ever come for it
    await waitUntil(() => t.fake.subscriptions > before, 3000);
    await t.services.drift.eventWatcher.idle();
    expect(await server(id)).toMatchObject({ status: 'SHUTOFF', power: PowerState.SHUTDOWN });
    // and the new stream delivers events again
    const id2 = await boot();
    t.fake.simulateExit(id2);
    await t.services.drift.eventWatcher.idle();
    expect((await server(id2)).status).toBe('SHUTOFF');
  });

  it('backs off while the engine stays down, then reconnects', async () => {
    const before = t.fake.subscriptions;
    t.fake.down = true;
    t.fake.breakEventStream();
    await new Promise((r) => setTimeout(r, 700)); // 250 + 500 ms: two failed attempts
    expect(t.fake.subscriptions).toBe(before);
    t.fake.down = false;
    await waitUntil(() => t.fake.subscriptions > before, 3000);
  });
});

describe('periodic power sync', () => {
  it('is the safety net: quiet exits, removals, a stopped server whose container runs, a paused one that died', async () => {
    const exited = await boot();
    const removed = await boot();
    const revived = await boot();
    const pausedDied = await boot();
    t.fake.simulateExitQuietly(exited);
    t.fake.containers.delete(removed); // gone without an event
    // DB says stopped while the container runs: force_stop powers it off
    await sql(t.services.db)('instances')
      .where({ uuid: revived })
      .update({ vm_state: 'stopped', power_state: PowerState.SHUTDOWN });
    await sql(t.services.db)('instances')
      .where({ uuid: pausedDied })
      .update({ vm_state: 'paused', power_state: PowerState.PAUSED });
    t.fake.simulateExitQuietly(pausedDied);

    const [report] = (await t.services.drift.powerSync.syncAll()).filter((r) => r.hostId === hostId);
    expect(report.outcomes[exited]).toBe('stopped');
    expect(report.outcomes[removed]).toBe('power-state');
    expect(report.outcomes[revived]).toBe('powered-off');
    expect(report.outcomes[pausedDied]).toBe('stopped');
    expect(await server(exited)).toMatchObject({ status: 'SHUTOFF', power: PowerState.SHUTDOWN });
    expect(await server(removed)).toMatchObject({ status: 'ACTIVE', power: PowerState.NOSTATE });
    expect(await server(revived)).toMatchObject({ status: 'SHUTOFF', power: PowerState.SHUTDOWN, task: null });
    expect((await t.fake.getInfo(revived)).status).toBe('exited');
    expect(await server(pausedDied)).toMatchObject({ status: 'SHUTOFF', vm: 'stopped' });

    // a second pass finds nothing to do
    const [again] = (await t.services.drift.powerSync.syncAll()).filter((r) => r.hostId === hostId);
    expect(Object.values(again.outcomes).every((o) => o === 'unchanged')).toBe(true);
  });

  it('writes power_state for servers it must not otherwise touch, and skips an unreachable host', async () => {
    const project = (await t.services.identityRepo.findProjectByName('default', 'admin'))!.id;
    const uuid = await insertInstanceRow(t.services.db, { projectId: project, hostId, vmState: VmState.ERROR });
    await t.fake.spawn({
      instanceUuid: uuid,
      projectId: project,
      hostname: 'e',
      image: 'sha256:' + 'f'.repeat(64),
      memoryMb: 64,
      vcpus: 1,
      pidsLimit: 64,
      interfaces: [],
    });
    await t.services.drift.powerSync.syncHost(hostId);
    let row = await sql(t.services.db)('instances').where({ uuid }).first();
    expect(row).toMatchObject({ vm_state: 'error', power_state: PowerState.RUNNING });

    t.fake.simulateExitQuietly(uuid);
    t.fake.down = true;
    try {
      const report = await t.services.drift.powerSync.syncHost(hostId);
      expect(report.checked).toBe(0);
    } finally {
      t.fake.down = false;
    }
    row = await sql(t.services.db)('instances').where({ uuid }).first();
    expect(row.power_state).toBe(PowerState.RUNNING); // nothing written from an engine that did not answer
  });

  it('runs on the injected timer at the configured interval, never two passes at once', async () => {
    let tick: (() => void) | null = null;
    let intervalMs = 0;
    const timers: Timers = {
      setInterval: (fn, ms) => {
        tick = fn;
        intervalMs = ms;
        return 1;
      },
      clearInterval: () => {
        tick = null;
      },
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
    };
    const sync = new PowerSync({
      hosts: t.services.hosts,
      queries: new PowerSyncQueries(t.services.db),
      locks: t.services.worker.locks,
      clock: t.services.clock,
      stopTimeoutSeconds: 0,
      timers,
    });
    const id = await boot();
    t.fake.simulateExitQuietly(id);
    sync.start(7);
    expect(intervalMs).toBe(7000);
    tick!();
    const p = sync.tick(); // the pass already running is shared
    await p;
    expect(await server(id)).toMatchObject({ status: 'SHUTOFF' });
    await sync.stop();
    expect(tick).toBeNull();
  });

  it("starts with the app's background work and stops with it", async () => {
    const bg = await makeTestApp({ powerSyncIntervalSeconds: 1 }, { background: true });
    try {
      expect(bg.fake.subscriptions).toBe(1);
    } finally {
      await bg.close();
    }
    bg.fake.simulateExit('nothing-here'); // no listener left: nothing happens
    expect(bg.fake.subscriptions).toBe(1);
  });
});

async function waitUntil(cond: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
