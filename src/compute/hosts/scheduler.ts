// Picks a compute host for a server, as Nova's filter scheduler does: filter (enabled, up,
// availability zone, enough RAM and vCPUs with Nova's default allocation ratios), then weigh by
// free RAM (RAMWeigher: the most free RAM wins). A host's zone is the resolved one
// (compute/hosts/host-zones.ts: its aggregates' zone, else its configured one).
//
// Placing is claiming (claimHost), as Nova's scheduler claims each server in placement before it
// places the next (scheduler/manager.py _schedule → utils.claim_resources, and
// _consume_selected_host within a request): one placement at a time, and the server's host_id is
// written before the next one reads the hosts' usage. Without that, the servers of a burst, built
// concurrently, each weighed hosts whose usage did not count their siblings yet and landed in
// clumps (3 servers on one of 3 equal hosts). One process serialises in memory; replicas sharing a
// PostgreSQL database serialise on an advisory lock (the `lock` given by the composition).
import type { ComputeHostRow } from '../../db/repositories/hosts-repo.js';
import type { InstancesRepo } from '../../db/repositories/instances-repo.js';
import type { HostHealthPort, ServerGroupPort } from '../ports.js';
import { ApiError } from '../../errors.js';

/** nova.conf defaults: cpu_allocation_ratio 16.0 (initial), ram_allocation_ratio 1.5 (initial). */
export const CPU_ALLOCATION_RATIO = 16.0;
export const RAM_ALLOCATION_RATIO = 1.5;

export interface RequestSpec {
  memoryMb: number;
  vcpus: number;
  availabilityZone: string | null;
  onlyHostId?: number | null;
  /** the server being placed: its server group's policy filters the hosts */
  instanceUuid?: string;
}

/** nova NoValidHost, shown as the server's fault. */
export class NoValidHost extends ApiError {
  constructor(reason = 'There are not enough hosts available.') {
    super(500, `No valid host was found. ${reason}`);
  }
}

interface HostFacts {
  cpus: number;
  memoryBytes: number;
}

export class Scheduler {
  /** the placements of this process, one after another */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly hosts: { list(): Promise<ComputeHostRow[]> },
    private readonly instances: InstancesRepo,
    private readonly health: HostHealthPort | null,
    private readonly groups: Pick<ServerGroupPort, 'filterHosts'> | null = null,
    /** runs a placement exclusively across replicas (an advisory lock on PostgreSQL) */
    private readonly lock: <T>(fn: () => Promise<T>) => Promise<T> = (fn) => fn(),
    /** nova.conf cpu_allocation_ratio / ram_allocation_ratio (NOVADOCK_CPU_/RAM_ALLOCATION_RATIO) */
    private readonly ratios: { cpu: number; ram: number } = { cpu: CPU_ALLOCATION_RATIO, ram: RAM_ALLOCATION_RATIO },
  ) {}

  /**
   * Chooses a host and claims it: `claim` records the choice (the server's host_id) before any other
   * placement may read the hosts' usage. Returns the host; NoValidHost when none fits.
   */
  claimHost(spec: RequestSpec, claim: (host: ComputeHostRow) => Promise<void>): Promise<ComputeHostRow> {
    const place = () =>
      this.lock(async () => {
        const host = await this.selectHost(spec);
        await claim(host);
        return host;
      });
    const placed = this.queue.then(place, place);
    this.queue = placed.catch(() => undefined);
    return placed;
  }

  async selectHost(spec: RequestSpec): Promise<ComputeHostRow> {
    const [hosts, usage] = await Promise.all([this.hosts.list(), this.instances.usageByHost()]);
    const candidates = hosts
      .filter((h) => !spec.onlyHostId || h.id === spec.onlyHostId)
      .filter((h) => !h.disabled && !h.forced_down)
      // A host never heartbeated yet (fresh start, tests without background work) is given the benefit of the doubt.
      .filter((h) => !this.health || h.last_seen_at === null || this.health.isUp(h))
      .filter((h) => !spec.availabilityZone || h.availability_zone === spec.availabilityZone)
      .map((h) => {
        const facts = parseFacts(h.info);
        const used = usage.get(h.id) ?? { vcpus: 0, memoryMb: 0, count: 0 };
        // Until the first heartbeat has recorded `docker info`, capacity is unknown: accept.
        const freeRam = facts
          ? (facts.memoryBytes / 1048576) * this.ratios.ram - used.memoryMb
          : Number.MAX_SAFE_INTEGER - used.memoryMb;
        const freeCpu = facts ? facts.cpus * this.ratios.cpu - used.vcpus : Number.MAX_SAFE_INTEGER;
        return { host: h, freeRam, freeCpu };
      })
      .filter((c) => c.freeRam >= spec.memoryMb && c.freeCpu >= spec.vcpus)
      .sort((a, b) => b.freeRam - a.freeRam || a.host.id - b.host.id);
    // Affinity / anti-affinity (ServerGroupAffinityFilter and friends); the soft policies reorder,
    // and the sort is stable, so free RAM still breaks their ties.
    const placed =
      spec.instanceUuid && this.groups
        ? await this.groups.filterHosts(
            spec.instanceUuid,
            candidates.map((c) => c.host),
          )
        : candidates.map((c) => c.host);
    if (!placed.length) throw new NoValidHost(candidates.length ? 'The server group policy cannot be met.' : undefined);
    return placed[0];
  }
}

function parseFacts(info: string | null): HostFacts | null {
  if (!info) return null;
  try {
    const f = JSON.parse(info) as Partial<HostFacts>;
    return typeof f.cpus === 'number' && typeof f.memoryBytes === 'number'
      ? { cpus: f.cpus, memoryBytes: f.memoryBytes }
      : null;
  } catch {
    return null;
  }
}
