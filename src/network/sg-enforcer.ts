// Security groups enforced where the ports are plugged (design F3): for one container, its plugged
// ports' groups are rendered into a filter table (firewall.ts) and applied inside the container's own
// network namespace by its engine's driver. Applied when a port is plugged or unplugged, when a
// floating IP comes or goes, when a port's groups or addresses change, when a rule changes (every
// container with a port in the group), when a group's membership changes (every container whose
// rules name that group as remote), after the container (re)starts (its namespace is new) and at
// reconciliation. Applies for one container never overlap and never run on stale records: a call
// made while one runs is served by the next run, which reads the records afresh.
import type { ComputeDriver } from '../virt/driver.js';
import type { NetworksRepo, PortRow } from '../db/repositories/neutron-networks-repo.js';
import type { SecurityGroupsRepo } from '../db/repositories/neutron-security-groups-repo.js';
import type { FloatingIpsRepo } from '../db/repositories/neutron-l3-repo.js';
import { renderFirewall, type FirewallInput } from './firewall.js';
import type { SgEnforcement } from './extensions.js';

export type FirewallDriver = Pick<ComputeDriver, 'applyFirewall' | 'firewallSupported'>;

interface DeviceQueue {
  tail: Promise<unknown>;
  queued: Promise<boolean | null> | null;
}

export class SecurityGroupEnforcer {
  private queues = new Map<string, DeviceQueue>();
  private inflight = new Set<Promise<unknown>>();
  /** host id → whether its engine enforces (learned as engines are used) */
  private readonly support = new Map<number, boolean>();

  constructor(
    private readonly repo: NetworksRepo,
    private readonly sgRepo: SecurityGroupsRepo,
    private readonly fips: FloatingIpsRepo,
    private readonly engines: (hostId: number) => Promise<FirewallDriver>,
    private readonly log: (msg: string, err?: unknown) => void = () => {},
  ) {}

  /** Whether the engines seen so far enforce the rules ('none' before any was seen). */
  get enforcement(): SgEnforcement {
    const seen = [...this.support.values()];
    return seen.length && seen.every(Boolean) ? 'all' : seen.some(Boolean) ? 'some' : 'none';
  }

  /** Learns (and returns) whether a host's engine can enforce. */
  async probe(hostId: number): Promise<boolean> {
    const ok = (await this.engines(hostId)).firewallSupported();
    this.support.set(hostId, ok);
    return ok;
  }

  /**
   * Applies the current records to the container of `deviceId`, after any apply already running for it.
   * true: applied; false: not running (applied again after its start); null: nothing to do (no plugged
   * port and no host given, or an engine that cannot enforce). `hostId`: where it was plugged, for a
   * container whose last port just left (its table opens).
   */
  apply(deviceId: string, hostId?: number): Promise<boolean | null> {
    let q = this.queues.get(deviceId);
    if (!q) {
      q = { tail: Promise.resolve(), queued: null };
      this.queues.set(deviceId, q);
    }
    if (q.queued) return q.queued;
    const entry = q;
    const run = entry.tail.then(() => {
      entry.queued = null;
      return this.applyOnce(deviceId, hostId);
    });
    entry.queued = run;
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    entry.tail = tail;
    void tail.then(() => {
      if (this.queues.get(deviceId) === entry && entry.tail === tail && !entry.queued) this.queues.delete(deviceId);
    });
    return run;
  }

  /** apply() in the background; failures are logged (reconciliation applies again). */
  refresh(deviceId: string, hostId?: number): void {
    if (!deviceId) return;
    this.track(this.apply(deviceId, hostId).catch((e) => this.log(`security groups of ${deviceId} not applied`, e)));
  }

  /** A group's rules changed: every container with a plugged port in it. */
  async rulesChanged(groupId: string): Promise<void> {
    for (const d of await this.sgRepo.pluggedDevicesInGroups([groupId])) this.refresh(d);
  }

  /**
   * Members of these groups came, went or changed addresses: the containers whose rules name one of
   * them as remote group.
   */
  async membersChanged(groupIds: string[]): Promise<void> {
    const referencing = await this.sgRepo.groupsReferencing(groupIds);
    for (const d of await this.sgRepo.pluggedDevicesInGroups(referencing)) this.refresh(d);
  }

  /** Resolves when every background apply started so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  private track(p: Promise<unknown>): void {
    const t = p.finally(() => this.inflight.delete(t));
    this.inflight.add(t);
  }

  private async applyOnce(deviceId: string, hostHint?: number): Promise<boolean | null> {
    const ports = (await this.repo.ports({ device_id: [deviceId] })).filter((p) => p.host_id !== null);
    const hostId = ports[0]?.host_id ?? hostHint;
    if (hostId === undefined || hostId === null) return null;
    const driver = await this.engines(hostId);
    const supported = driver.firewallSupported();
    this.support.set(hostId, supported);
    if (!supported) return null;
    const input = ports.length ? await this.inputFor(ports.filter((p) => p.host_id === hostId)) : null;
    return driver.applyFirewall(deviceId, renderFirewall(input));
  }

  /** The records of one container's ports as the renderer takes them. */
  async inputFor(ports: PortRow[]): Promise<FirewallInput> {
    const fips = await this.fips.forPorts(ports.map((p) => p.id));
    const groupIds = [...new Set(ports.filter((p) => p.port_security_enabled).flatMap((p) => p.security_groups))];
    const rules = groupIds.length ? await this.sgRepo.rules({ security_group_id: groupIds }) : [];
    const remote = [...new Set(rules.map((r) => r.remote_group_id).filter((g): g is string => !!g))];
    const groupMembers: Record<string, string[]> = {};
    for (const g of remote) {
      const members = await this.repo.ports({ id: await this.sgRepo.portsInGroups([g]) });
      groupMembers[g] = members.flatMap((m) => m.fixed_ips.map((f) => f.ip_address));
    }
    return {
      groupMembers,
      ports: ports.map((p) => ({
        addresses: [
          ...p.fixed_ips.map((f) => f.ip_address),
          ...fips.filter((f) => f.fixed_port_id === p.id).map((f) => f.floating_ip_address),
        ],
        open: !p.port_security_enabled,
        rules: rules.filter((r) => p.security_groups.includes(r.security_group_id)),
      })),
    };
  }
}
