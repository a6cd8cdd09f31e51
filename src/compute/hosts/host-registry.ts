// The compute hosts this service drives, each with its own driver (one Docker Engine each).
// The default host is the local engine from DOCKER_HOST, named after this machine.
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import type { ComputeDriver, DriverFactory } from '../../virt/driver.js';
import type { ComputeHostRow, HostsRepo } from '../../db/repositories/hosts-repo.js';
import type { Clock } from '../../db/time.js';

export class HostRegistry {
  /** One driver per host; the promise is kept so that callers racing for a new host share it. */
  private drivers = new Map<number, Promise<ComputeDriver>>();

  constructor(
    private readonly repo: HostsRepo,
    private readonly factory: DriverFactory,
    private readonly clock: Clock,
  ) {}

  /** Make sure a host row exists for `dockerUrl`; returns it. */
  async ensureHost(name: string, dockerUrl: string, availabilityZone: string): Promise<ComputeHostRow> {
    const existing = await this.repo.findByName(name);
    if (existing) {
      if (existing.docker_url !== dockerUrl)
        await this.repo.update(existing.id, { docker_url: dockerUrl, updated_at: this.clock.now().toISOString() });
      return (await this.repo.findById(existing.id))!;
    }
    await this.repo.insert({
      uuid: randomUUID(),
      name,
      docker_url: dockerUrl,
      availability_zone: availabilityZone,
      disabled: false,
      disabled_reason: null,
      forced_down: false,
      last_seen_at: null,
      info: null,
      created_at: this.clock.now().toISOString(),
      updated_at: null,
    });
    return (await this.repo.findByName(name))!;
  }

  /** The default compute host's name when NOVADOCK_DEFAULT_HOST_NAME is not set (config.ts). */
  static defaultHostName(): string {
    return os.hostname();
  }

  list(): Promise<ComputeHostRow[]> {
    return this.repo.list();
  }

  driverFor(hostId: number): Promise<ComputeDriver> {
    let d = this.drivers.get(hostId);
    if (!d) {
      d = this.createDriver(hostId);
      this.drivers.set(hostId, d);
      // a failed creation is not cached: the next call tries again
      d.catch(() => this.drivers.delete(hostId));
    }
    return d;
  }

  private async createDriver(hostId: number): Promise<ComputeDriver> {
    const row = await this.repo.findById(hostId);
    if (!row) throw new Error(`compute host ${hostId} does not exist`);
    return this.factory({ id: row.id, name: row.name, dockerUrl: row.docker_url, uuid: row.uuid });
  }

  async close(): Promise<void> {
    await Promise.all([...this.drivers.values()].map((d) => d.then((x) => x.close()).catch(() => undefined)));
    this.drivers.clear();
  }
}
