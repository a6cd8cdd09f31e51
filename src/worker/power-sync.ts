// Periodic power-state reconciliation (nova compute/manager.py _sync_power_states and
// _sync_instance_power_state). The driver is the authority on power: for every idle server
// (task_state None) the sync writes power_state from Docker and applies Nova's table
// (openstack-contract.md §C6):
//   ACTIVE  + SHUTDOWN/CRASHED/SUSPENDED → stop (the container already exited: vm_state stopped)
//   ACTIVE  + PAUSED/NOSTATE             → power_state only (a missing container errors on next use)
//   STOPPED + running/paused container   → force_stop (power the container off)
//   PAUSED  + SHUTDOWN/CRASHED           → force_stop (vm_state stopped)
//   BUILDING, RESCUED, RESIZED, SUSPENDED, ERROR → power_state only
// Docker events (event-watcher.ts) call `syncInstance` at once; the timer here is the safety net.
// Writes are compare-and-swaps on (task_state IS NULL, vm_state, power_state) and run under the
// worker's per-server mutex, so a user action that starts meanwhile always wins.
import { randomUUID } from 'node:crypto';
import { TaskState, VmState } from '../compute/servers/states.js';
import type { Clock } from '../db/time.js';
import type { Db } from '../db/knex.js';
import type { HostRegistry } from '../compute/hosts/host-registry.js';
import type { PowerSyncQueries, SyncRow } from '../db/repositories/power-sync-queries.js';
import type { ComputeDriver } from '../virt/driver.js';
import { PowerState } from '../virt/power-state.js';

export type SyncAction = 'none' | 'mark-stopped' | 'power-off';
export interface SyncDecision {
  /** power_state to store */
  powerState: PowerState;
  /** new vm_state, when the server must change state */
  vmState?: string;
  action: SyncAction;
}

/** Nova's reaction to (vm_state, power state from the driver). Pure: the table above. */
export function decidePowerSync(vmState: string, driverPower: PowerState): SyncDecision {
  // A suspended server's container is frozen (docker pause): SUSPENDED is our bookkeeping for it.
  const power = vmState === VmState.SUSPENDED && driverPower === PowerState.PAUSED ? PowerState.SUSPENDED : driverPower;
  const down = power === PowerState.SHUTDOWN || power === PowerState.CRASHED;
  switch (vmState) {
    case VmState.ACTIVE:
      if (down || power === PowerState.SUSPENDED)
        return { powerState: power, vmState: VmState.STOPPED, action: 'mark-stopped' };
      return { powerState: power, action: 'none' };
    case VmState.STOPPED:
      if (power !== PowerState.NOSTATE && !down) return { powerState: power, action: 'power-off' };
      return { powerState: power, action: 'none' };
    case VmState.PAUSED:
      if (down) return { powerState: power, vmState: VmState.STOPPED, action: 'mark-stopped' };
      return { powerState: power, action: 'none' };
    default:
      return { powerState: power, action: 'none' };
  }
}

export interface Timers {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}
export const realTimers: Timers = {
  setInterval: (fn, ms) => {
    const h = setInterval(fn, ms);
    h.unref();
    return h;
  },
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
  setTimeout: (fn, ms) => {
    const h = setTimeout(fn, ms);
    h.unref();
    return h;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface SyncLog {
  warn(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
}

/** The per-server mutex the worker runs its tasks under (TaskRunner.locks). */
export interface InstanceLockPort {
  run<T>(key: string, fn: () => Promise<T>): Promise<T>;
  isBusy(key: string): boolean;
}

/** Records the system's own `stop` in os-instance-actions, as Nova's sync does through compute_api.stop. */
export interface StopActionRecorder {
  start(
    trx: Db,
    a: { instanceUuid: string; action: string; requestId: string; userId: string | null; projectId: string | null },
  ): Promise<number>;
  event<T>(
    instanceUuid: string,
    requestId: string | null,
    event: string,
    host: string | null,
    fn: () => Promise<T>,
  ): Promise<T>;
}

export interface PowerSyncDeps {
  hosts: HostRegistry;
  queries: PowerSyncQueries;
  locks: InstanceLockPort;
  clock: Clock;
  /** seconds given to a container's processes when the sync powers one off (force_stop) */
  stopTimeoutSeconds: number;
  actions?: StopActionRecorder;
  log?: SyncLog;
  timers?: Timers;
}

export type SyncOutcome =
  'unchanged' | 'power-state' | 'stopped' | 'powered-off' | 'skipped' | 'busy' | 'unreachable' | 'lost-race';

export interface HostSyncReport {
  hostId: number;
  checked: number;
  outcomes: Record<string, SyncOutcome>;
}

const NEVER_TOUCHED: ReadonlySet<string> = new Set([VmState.BUILDING, VmState.DELETED]);

export class PowerSync {
  private timer: unknown = null;
  private running: Promise<unknown> | null = null;
  private readonly timers: Timers;

  constructor(private readonly d: PowerSyncDeps) {
    this.timers = d.timers ?? realTimers;
  }

  /** Starts the periodic sync every `intervalSeconds` (0: disabled). */
  start(intervalSeconds: number): void {
    if (this.timer || intervalSeconds <= 0) return;
    this.timer = this.timers.setInterval(() => {
      void this.tick();
    }, intervalSeconds * 1000);
  }

  async stop(): Promise<void> {
    if (this.timer) this.timers.clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** One periodic pass; a pass still running when the next tick comes is not doubled. */
  tick(): Promise<unknown> {
    if (!this.running) {
      this.running = this.syncAll()
        .catch((err) => this.d.log?.warn({ err }, 'power sync failed'))
        .finally(() => {
          this.running = null;
        });
    }
    return this.running;
  }

  async syncAll(): Promise<HostSyncReport[]> {
    const reports: HostSyncReport[] = [];
    for (const host of await this.d.hosts.list()) reports.push(await this.syncHost(host.id));
    return reports;
  }

  /**
   * Reconciles every idle server of one host with one container listing; only servers whose state
   * differs are looked at again (inspect, under the mutex) and written. A host whose engine does not
   * answer is skipped: an unreachable host says nothing about its containers.
   */
  async syncHost(hostId: number): Promise<HostSyncReport> {
    const report: HostSyncReport = { hostId, checked: 0, outcomes: {} };
    let driver: ComputeDriver;
    let listed: Map<string, PowerState>;
    try {
      driver = await this.d.hosts.driverFor(hostId);
      listed = new Map((await driver.listInstances()).map((i) => [i.instanceUuid, i.powerState]));
    } catch (err) {
      this.d.log?.warn({ err, hostId }, 'power sync: host did not answer; skipped');
      return report;
    }
    for (const row of await this.d.queries.listIdleOnHost(hostId)) {
      report.checked += 1;
      const observed = listed.get(row.uuid) ?? PowerState.NOSTATE;
      const decision = decidePowerSync(row.vm_state, observed);
      if (NEVER_TOUCHED.has(row.vm_state) || (decision.action === 'none' && decision.powerState === row.power_state)) {
        report.outcomes[row.uuid] = 'unchanged';
        continue;
      }
      // The periodic pass does not queue behind a running task: that task will write the state.
      if (this.d.locks.isBusy(row.uuid)) {
        report.outcomes[row.uuid] = 'busy';
        continue;
      }
      report.outcomes[row.uuid] = await this.syncInstance(row.uuid, hostId);
    }
    return report;
  }

  /**
   * Re-reads one server and its container and applies the decision. Called for Docker events and
   * by `syncHost`. Waits for the server's mutex, so it never interleaves with a task of the worker.
   */
  syncInstance(uuid: string, hostId?: number): Promise<SyncOutcome> {
    return this.d.locks.run(uuid, async () => {
      const row = await this.d.queries.findLive(uuid);
      if (!row || row.task_state !== null || row.host_id === null || NEVER_TOUCHED.has(row.vm_state)) return 'skipped';
      if (hostId !== undefined && row.host_id !== hostId) return 'skipped';
      let driver: ComputeDriver;
      let power: PowerState;
      try {
        driver = await this.d.hosts.driverFor(row.host_id);
        power = (await driver.getInfo(uuid)).powerState;
      } catch (err) {
        this.d.log?.warn({ err, instance: uuid }, 'power sync: could not ask the driver');
        return 'unreachable';
      }
      return this.apply(row, driver, decidePowerSync(row.vm_state, power));
    });
  }

  private async apply(row: SyncRow, driver: ComputeDriver, d: SyncDecision): Promise<SyncOutcome> {
    const now = () => this.d.clock.now().toISOString();
    const expected = { vmState: row.vm_state, powerState: row.power_state };
    if (d.action === 'none') {
      if (d.powerState === row.power_state) return 'unchanged';
      return (await this.d.queries.casIdle(row.uuid, expected, { power_state: d.powerState, updated_at: now() }))
        ? 'power-state'
        : 'lost-race';
    }
    if (d.action === 'mark-stopped') {
      // The container is already down; Nova's stop would find nothing to do but record the state.
      const ok = await this.d.queries.casIdle(row.uuid, expected, {
        power_state: d.powerState,
        vm_state: d.vmState,
        updated_at: now(),
      });
      if (!ok) return 'lost-race';
      this.d.log?.info(
        { instance: row.uuid, vmState: row.vm_state, powerState: d.powerState },
        'power sync: instance shut down by itself; stopped',
      );
      await this.recordStop(row).catch((err) =>
        this.d.log?.warn({ err, instance: row.uuid }, 'power sync: could not record the stop action'),
      );
      return 'stopped';
    }
    // power-off (Nova's force_stop): hold the task_state lock while Docker stops the container.
    const claimed = await this.d.queries.casIdle(row.uuid, expected, {
      task_state: TaskState.POWERING_OFF,
      updated_at: now(),
    });
    if (!claimed) return 'lost-race';
    try {
      await driver.powerOff(row.uuid, this.d.stopTimeoutSeconds);
      const info = await driver.getInfo(row.uuid);
      await this.d.queries.releaseTask(row.uuid, TaskState.POWERING_OFF, {
        power_state: info.powerState,
        updated_at: now(),
      });
      return 'powered-off';
    } catch (err) {
      this.d.log?.warn({ err, instance: row.uuid }, 'power sync: force stop failed');
      await this.d.queries.releaseTask(row.uuid, TaskState.POWERING_OFF, { updated_at: now() });
      return 'unreachable';
    }
  }

  private async recordStop(row: SyncRow): Promise<void> {
    const actions = this.d.actions;
    if (!actions) return;
    const requestId = `req-${randomUUID()}`;
    await actions.start(this.d.queries.db, {
      instanceUuid: row.uuid,
      action: 'stop',
      requestId,
      userId: null,
      projectId: row.project_id,
    });
    await actions.event(row.uuid, requestId, 'compute_stop_instance', null, async () => undefined);
  }
}
