// The in-memory engine under the fake driver: its containers and images, the calls made, and what
// tests inject or simulate behind the service's back (failures, delays, exits, removals, an engine
// that is down or whose event stream breaks).
import { engineUnreachable, noSuchContainer } from '../driver-errors.js';
import { DriverError } from '../../errors.js';
import type { DriverEvent, FirewallTables, SpawnSpec } from '../driver.js';

export type Op =
  | 'spawn'
  | 'destroy'
  | 'powerOff'
  | 'powerOn'
  | 'reboot'
  | 'pause'
  | 'unpause'
  | 'suspend'
  | 'resume'
  | 'snapshot'
  | 'loadImage'
  | 'importImage'
  | 'saveImage'
  | 'updateResources'
  | 'ping'
  | 'getInfo'
  | 'exec'
  | 'network';

export interface FakeContainer {
  /** the spawn spec (a lean driver keeps only what its answers read: see FakeDriverOptions.lean) */
  spec: SpawnSpec;
  /** the container id; a lean driver derives it when asked */
  id: string | null;
  status: 'created' | 'running' | 'paused' | 'exited' | 'dead';
  exitCode: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** what the container printed; null: only the boot line (a lean driver writes it when asked) */
  output: string | null;
  memoryMb: number;
  vcpus: number;
  ip: string | null;
}

interface Injection {
  error: Error;
  times: number;
  delayMs?: number;
}

export interface FakeDriverOptions {
  /** what hostInfo reports (defaults: 2 CPUs, 24 GiB, 100 GiB of disk) */
  cpus?: number;
  memoryBytes?: number;
  diskBytes?: number;
  /**
   * Keep only a few fields per container (no copy of the spawn spec's environment, mounts or
   * files; the id and console text made when asked), so that a fleet of fake hosts holds 100,000
   * servers in little memory. Tests that read `containers.get(id).spec` use the full default.
   */
  lean?: boolean;
}

/** How many recent calls `calls` keeps (older ones go: a long-running fake host must not grow). */
export const FAKE_CALLS_KEPT = 10_000;

export abstract class FakeEngine {
  readonly containers = new Map<string, FakeContainer>();
  readonly images = new Map<string, Buffer>();
  /** calls made, in order: "spawn <uuid>" … — handy for assertions */
  readonly calls: string[] = [];
  /** exec sessions (console shells) opened and not closed */
  openExecs = 0;
  /** every console TTY resize asked of exec sessions, in order */
  readonly execResizes: Array<{ instanceUuid: string; cols: number; rows: number }> = [];
  protected injections = new Map<Op, Injection>();
  protected delays = new Map<Op, number>();
  protected holds = new Map<Op, Promise<void>>();
  protected releases = new Set<() => void>();
  protected listeners = new Map<(e: DriverEvent) => void, (err: Error) => void>();
  /** the filter tables applied in each running container's namespace (a start makes a new, open one) */
  readonly firewalls = new Map<string, FirewallTables | null>();
  /** how many times watchEvents subscribed (reconnects show up here) */
  subscriptions = 0;
  protected nextIp = 2;
  down = false;

  constructor(
    readonly hostName = 'fake-host',
    protected readonly options: FakeDriverOptions = {},
  ) {
    this.images.set('sha256:' + 'f'.repeat(64), Buffer.from('fake'));
  }

  // ---- failure injection --------------------------------------------------------------------
  /** The next `times` calls of `op` fail with `error` (Infinity: always). */
  failNext(op: Op, error: Error = new DriverError(`injected ${op} failure`), times = 1): void {
    this.injections.set(op, { error, times });
  }
  /** Every call of `op` takes `ms` longer (to hold a task in its transitional state). */
  delay(op: Op, ms: number): void {
    this.delays.set(op, ms);
  }
  /**
   * Every call of `op` waits until the returned function is called (or clearInjections): a task held
   * in its transitional state for exactly as long as a test needs, however slow the machine is.
   */
  hold(op: Op): () => void {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    this.holds.set(op, held);
    this.releases.add(release);
    return () => {
      if (this.holds.get(op) === held) this.holds.delete(op);
      release();
    };
  }
  clearInjections(): void {
    this.injections.clear();
    this.delays.clear();
    this.holds.clear();
    for (const release of this.releases) release();
    this.releases.clear();
  }

  /** Behind the service's back: the container's process exits (as if it crashed or finished). */
  simulateExit(instanceUuid: string, exitCode = 0): void {
    const c = this.containers.get(instanceUuid);
    if (!c) return;
    c.status = 'exited';
    c.exitCode = exitCode;
    c.finishedAt = new Date().toISOString();
    this.emit(instanceUuid, 'die', exitCode);
  }
  /** Behind the service's back, and silently (as while the engine was down): no event at all. */
  simulateExitQuietly(instanceUuid: string, exitCode = 0): void {
    const c = this.containers.get(instanceUuid);
    if (!c) return;
    c.status = 'exited';
    c.exitCode = exitCode;
    c.finishedAt = new Date().toISOString();
  }
  /** The event stream breaks (engine restarted): every watcher gets onError once and is dropped. */
  breakEventStream(err: Error = engineUnreachable('event stream')): void {
    const watchers = [...this.listeners.values()];
    this.listeners.clear();
    for (const onError of watchers) onError(err);
  }
  /** Behind the service's back: the container is removed (and leaves its networks, as in Docker). */
  simulateRemove(instanceUuid: string): void {
    this.containers.delete(instanceUuid);
    this.forgetEndpoints(instanceUuid);
    this.emit(instanceUuid, 'destroy');
  }
  /** Append to what the container "printed". */
  print(instanceUuid: string, text: string): void {
    const c = this.containers.get(instanceUuid);
    if (c) c.output = (c.output ?? bootLine(c.spec.hostname)) + text;
  }

  protected async enter(op: Op, what: string): Promise<void> {
    if (this.calls.length >= FAKE_CALLS_KEPT) this.calls.splice(0, FAKE_CALLS_KEPT / 2);
    this.calls.push(`${op} ${what}`);
    const d = this.delays.get(op);
    if (d) await new Promise((r) => setTimeout(r, d));
    const held = this.holds.get(op);
    if (held) await held;
    if (this.down && op !== 'ping') throw engineUnreachable();
    const inj = this.injections.get(op);
    if (inj && inj.times > 0) {
      inj.times -= 1;
      if (inj.times <= 0) this.injections.delete(op);
      throw inj.error;
    }
  }

  protected emit(instanceUuid: string, action: string, exitCode?: number): void {
    if (action === 'start' || action === 'die' || action === 'destroy') this.firewalls.delete(instanceUuid); // a new namespace
    const e: DriverEvent = { instanceUuid, action, time: Date.now(), ...(exitCode !== undefined ? { exitCode } : {}) };
    for (const l of [...this.listeners.keys()]) l(e);
  }

  protected abstract forgetEndpoints(instanceUuid: string): void;

  private readonly interned = new Map<string, string>();
  /** The one kept copy of a string many containers share (an image id, a project id). */
  protected intern(s: string): string {
    const kept = this.interned.get(s);
    if (kept !== undefined) return kept;
    this.interned.set(s, s);
    return s;
  }

  protected must(instanceUuid: string): FakeContainer {
    const c = this.containers.get(instanceUuid);
    if (!c) throw noSuchContainer(`nova-${instanceUuid}`);
    return c;
  }
}

export function bootLine(hostname: string): string {
  return `booted ${hostname}\n`;
}
