// Wires drift detection (Docker events + periodic power sync) from the shared services; started
// and stopped with the other background work in app.ts.
import type { Database } from '../db/knex.js';
import type { Config } from '../config.js';
import type { Clock } from '../db/time.js';
import type { HostRegistry } from '../compute/hosts/host-registry.js';
import { PowerSyncQueries } from '../db/repositories/power-sync-queries.js';
import {
  PowerSync,
  type InstanceLockPort,
  type StopActionRecorder,
  type SyncLog,
  type Timers,
} from '../worker/power-sync.js';
import { EventWatcher } from '../worker/event-watcher.js';
import type { DriverEvent } from '../virt/driver.js';

export interface DriftDeps {
  config: Config;
  db: Database;
  clock: Clock;
  hosts: HostRegistry;
  locks: InstanceLockPort;
  actions?: StopActionRecorder;
  log?: SyncLog;
  timers?: Timers;
  /** the network service's reconciliation, on each host (re)connect and container event */
  network?: {
    onHostConnected(hostId: number): Promise<void>;
    onContainerEvent(hostId: number, e: DriverEvent): Promise<void>;
  };
}

/** Warnings (a lost event stream, an engine that did not answer) on stderr, as JSON lines. */
function stderrLog(config: Config): SyncLog {
  const quiet = ['silent', 'fatal', 'error'].includes(config.logLevel);
  const write = (level: string) => (obj: unknown, msg?: string) => {
    if (quiet || (level === 'info' && config.logLevel === 'warn')) return;
    const err = (obj as { err?: unknown })?.err;
    console.error(JSON.stringify({ level, msg, ...(obj as object), err: err instanceof Error ? err.message : err }));
  };
  return { info: write('info'), warn: write('warn') };
}

export function createDrift(d: DriftDeps) {
  d = { ...d, log: d.log ?? stderrLog(d.config) };
  const powerSync = new PowerSync({
    hosts: d.hosts,
    queries: new PowerSyncQueries(d.db),
    locks: d.locks,
    clock: d.clock,
    stopTimeoutSeconds: d.config.stopTimeoutSeconds,
    actions: d.actions,
    log: d.log,
    timers: d.timers,
  });
  const network = d.network;
  const eventWatcher = new EventWatcher(d.hosts, powerSync, {
    log: d.log,
    timers: d.timers,
    ...(network
      ? {
          onHostConnected: (hostId) => network.onHostConnected(hostId),
          onEvent: (hostId, e) => network.onContainerEvent(hostId, e),
        }
      : {}),
  });
  return {
    powerSync,
    eventWatcher,
    /** Events first (they are the fast path), then the periodic safety net. */
    async start(): Promise<void> {
      await eventWatcher.start();
      powerSync.start(d.config.powerSyncIntervalSeconds);
    },
    async stop(): Promise<void> {
      await eventWatcher.stop();
      await powerSync.stop();
    },
  };
}
export type Drift = ReturnType<typeof createDrift>;
