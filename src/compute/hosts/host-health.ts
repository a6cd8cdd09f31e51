// Host heartbeat behind os-services and os-hypervisors state: each compute host's driver is pinged
// periodically; a successful ping records last_seen_at and refreshes the host facts (`docker info`)
// in compute_hosts.info. A host is "up" while its last beat is younger than two heartbeat
// intervals and it is not forced down (Nova's servicegroup DB driver uses the same rule with
// service_down_time).
import type { ComputeHostRow, HostsRepo } from '../../db/repositories/hosts-repo.js';
import type { Clock } from '../../db/time.js';
import type { HostInfo } from '../../virt/driver.js';
import type { HostRegistry } from './host-registry.js';

export interface ConfiguredHost {
  name: string;
  dockerUrl: string;
  availabilityZone: string;
}

/** How long one ping may take before the host counts as not answering. */
const PING_TIMEOUT_MS = 5_000;

export class HostHealth {
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;
  /** When the last heartbeat round finished: this process's own report time. */
  lastBeatAt: string | null = null;

  constructor(
    private readonly hosts: HostRegistry,
    private readonly repo: HostsRepo,
    private readonly clock: Clock,
    readonly intervalSeconds: number,
  ) {}

  /**
   * Up: seen within two heartbeat intervals and not forced down. While the periodic heartbeat
   * runs, the age is measured to now; without it (background work off, as in tests) it is
   * measured to the last round this process ran, so a host is not called down merely because
   * nobody has asked it since.
   */
  isUp(host: Pick<ComputeHostRow, 'last_seen_at' | 'forced_down'>): boolean {
    if (host.forced_down) return false;
    if (!host.last_seen_at) return false;
    const reference = this.timer || !this.lastBeatAt ? this.clock.now().getTime() : Date.parse(this.lastBeatAt);
    const age = reference - Date.parse(host.last_seen_at);
    return age <= 2 * this.intervalSeconds * 1000;
  }

  /** The host facts from the last successful beat, or null before the first. */
  static info(host: Pick<ComputeHostRow, 'info'>): HostInfo | null {
    if (!host.info) return null;
    try {
      return JSON.parse(host.info) as HostInfo;
    } catch {
      return null;
    }
  }

  /** Creates (or re-points) a row for every configured host. */
  async ensureHosts(configured: readonly ConfiguredHost[]): Promise<void> {
    for (const h of configured) await this.hosts.ensureHost(h.name, h.dockerUrl, h.availabilityZone);
  }

  /** Pings every host once (concurrently); never throws. Overlapping calls share one round. */
  beat(): Promise<void> {
    if (!this.beating) {
      this.beating = this.beatAll().finally(() => {
        this.beating = null;
      });
    }
    return this.beating;
  }

  /** Beats every `intervalSeconds` until stop(). The timer does not keep the process alive. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.beat(), this.intervalSeconds * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.beating;
  }

  private async beatAll(): Promise<void> {
    const rows = await this.repo.list();
    await Promise.all(rows.map((row) => this.beatOne(row)));
    this.lastBeatAt = this.clock.now().toISOString();
  }

  private async beatOne(row: ComputeHostRow): Promise<void> {
    try {
      const driver = await this.hosts.driverFor(row.id);
      const info = await withTimeout(driver.hostInfo(), PING_TIMEOUT_MS);
      const now = this.clock.now().toISOString();
      await this.repo.update(row.id, { last_seen_at: now, info: JSON.stringify(info) });
    } catch {
      // Not answering: last_seen_at ages and the host turns "down"; the facts are kept.
    }
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
