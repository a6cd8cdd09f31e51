// Docker events → power sync, per compute host. A container that stops, dies, pauses or vanishes
// behind the service's back is reconciled within milliseconds instead of at the next periodic
// sync. When a host's event stream breaks (engine restarted: ECONNRESET, ENOENT, ECONNREFUSED) the
// watcher reconnects with exponential backoff and then re-lists the host's containers, because
// Docker never replays what happened while it was down (docker-here.md §7, §8).
import type { HostRegistry } from '../compute/hosts/host-registry.js';
import type { DriverEvent } from '../virt/driver.js';
import { realTimers, type PowerSync, type SyncLog, type Timers } from './power-sync.js';

/** Docker actions after which a container's power state may differ. */
const STATE_ACTIONS: ReadonlySet<string> = new Set([
  'start',
  'restart',
  'die',
  'stop',
  'kill',
  'oom',
  'pause',
  'unpause',
  'destroy',
]);

export interface EventWatcherOptions {
  /** first reconnect delay; doubles per failed attempt up to maxBackoffMs */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  timers?: Timers;
  log?: SyncLog;
  /** after every (re)connect, beside the re-list: the rest of the host's reconciliation (its networks) */
  onHostConnected?: (hostId: number) => Promise<void>;
  /** every container event of the host (the network service follows starts and stops) */
  onEvent?: (hostId: number, e: DriverEvent) => Promise<void>;
}

interface HostWatch {
  hostId: number;
  stop: (() => void) | null;
  failures: number;
  retry: unknown;
  /** bumps on every (re)connect, so a stale callback of an old stream is ignored */
  generation: number;
}

export class EventWatcher {
  private watches = new Map<number, HostWatch>();
  private stopped = true;
  /** per server: a sync is running (value false) or running with another one due (true) */
  private syncing = new Map<string, boolean>();
  private inflight = new Set<Promise<unknown>>();
  private readonly timers: Timers;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;
  /** successful subscriptions, per host (tests and diagnostics) */
  readonly connects = new Map<number, number>();

  constructor(
    private readonly hosts: HostRegistry,
    private readonly sync: PowerSync,
    private readonly opts: EventWatcherOptions = {},
  ) {
    this.timers = opts.timers ?? realTimers;
    this.minBackoffMs = opts.minBackoffMs ?? 250;
    this.maxBackoffMs = opts.maxBackoffMs ?? 30_000;
  }

  /**
   * Subscribes to every known host. Resolves after each host's first attempt (a failure retries
   * later), or after `startWaitMs` at most: an engine that accepts but does not answer (dockerd
   * restoring its containers) must not hold up the start of the service.
   */
  async start(startWaitMs = 2000): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    const hosts = await this.hosts.list();
    const first = Promise.all(hosts.map((h) => this.watchHost(h.id)));
    let timer: unknown;
    await Promise.race([
      first,
      new Promise<void>((r) => {
        timer = this.timers.setTimeout(r, startWaitMs);
      }),
    ]);
    this.timers.clearTimeout(timer);
  }

  /** Subscribes to one host (e.g. one added after start). */
  async watchHost(hostId: number): Promise<void> {
    if (this.stopped || this.watches.has(hostId)) return;
    const w: HostWatch = { hostId, stop: null, failures: 0, retry: null, generation: 0 };
    this.watches.set(hostId, w);
    await this.connect(w);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.watches.values()) {
      if (w.retry) this.timers.clearTimeout(w.retry);
      w.stop?.();
    }
    this.watches.clear();
    await Promise.allSettled([...this.inflight]);
  }

  private async connect(w: HostWatch): Promise<void> {
    if (this.stopped) return;
    const generation = ++w.generation;
    try {
      const driver = await this.hosts.driverFor(w.hostId);
      const stop = await driver.watchEvents(
        (e) => this.onEvent(w.hostId, e),
        (err) => {
          if (w.generation === generation) this.onBroken(w, err);
        },
      );
      if (this.stopped || w.generation !== generation) {
        stop();
        return;
      }
      w.stop = stop;
      w.failures = 0;
      this.connects.set(w.hostId, (this.connects.get(w.hostId) ?? 0) + 1);
    } catch (err) {
      this.onBroken(w, err as Error);
      return;
    }
    // Subscribed first, listed second: nothing that happens in between is missed.
    this.track(this.sync.syncHost(w.hostId));
    if (this.opts.onHostConnected) this.track(this.opts.onHostConnected(w.hostId));
  }

  private onBroken(w: HostWatch, err: Error): void {
    w.stop = null;
    if (this.stopped) return;
    const delay = Math.min(this.maxBackoffMs, this.minBackoffMs * 2 ** w.failures);
    w.failures += 1;
    this.opts.log?.warn({ err, hostId: w.hostId, retryInMs: delay }, 'docker event stream lost; reconnecting');
    w.retry = this.timers.setTimeout(() => {
      w.retry = null;
      void this.connect(w);
    }, delay);
  }

  private onEvent(hostId: number, e: DriverEvent): void {
    if (this.stopped) return;
    if (this.opts.onEvent) this.track(this.opts.onEvent(hostId, e));
    if (!STATE_ACTIONS.has(e.action)) return;
    // Coalesce bursts (kill → die → stop): one sync runs, at most one more follows it.
    if (this.syncing.has(e.instanceUuid)) {
      this.syncing.set(e.instanceUuid, true);
      return;
    }
    this.syncing.set(e.instanceUuid, false);
    const run = async (): Promise<void> => {
      try {
        await this.sync.syncInstance(e.instanceUuid, hostId);
      } catch (err) {
        this.opts.log?.warn({ err, instance: e.instanceUuid }, 'event-driven power sync failed');
      }
      if (this.syncing.get(e.instanceUuid) && !this.stopped) {
        this.syncing.set(e.instanceUuid, false);
        return run();
      }
      this.syncing.delete(e.instanceUuid);
    };
    this.track(run());
  }

  private track(p: Promise<unknown>): void {
    const q = p
      .catch((err) => this.opts.log?.warn({ err }, 'power sync after (re)connect failed'))
      .finally(() => this.inflight.delete(q));
    this.inflight.add(q);
  }

  /** Resolves when every sync started by events or reconnects so far has finished (tests). */
  async idle(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }
}
