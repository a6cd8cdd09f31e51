// The os-services / os-hypervisors / os-availability-zone picture, built from the compute_hosts
// rows, their heartbeat and the servers placed on them. Nova has a service record per binary and
// host: here one nova-compute per Docker host, plus a nova-conductor and a nova-scheduler for
// this process itself (zone "internal"), which are up whenever this API answers. A compute
// host's zone is the resolved one: the host rows come through compute/hosts/host-zones.ts.
import crypto from 'node:crypto';
import os from 'node:os';
import type { ComputeHostRow, HostsRepo } from '../../db/repositories/hosts-repo.js';
import type { HostUsage, HostUsageRepo } from '../../db/repositories/host-usage-repo.js';
import type { Clock } from '../../db/time.js';
import { BadRequest, Conflict, NotFound } from '../../errors.js';
import type { HostInfo } from '../../virt/driver.js';
import { HostHealth } from './host-health.js';

export const INTERNAL_ZONE = 'internal';
export const CONTROL_BINARIES = ['nova-conductor', 'nova-scheduler'] as const;
/** Compute service ids follow the control services' 1 and 2. */
const COMPUTE_ID_OFFSET = CONTROL_BINARIES.length;

export interface ServiceRecord {
  id: number;
  uuid: string;
  binary: string;
  host: string;
  zone: string;
  disabled: boolean;
  disabledReason: string | null;
  forcedDown: boolean;
  up: boolean;
  /** ISO time of the last report (heartbeat), or null */
  updatedAt: string | null;
  /** the compute host behind a nova-compute record */
  hostRow: ComputeHostRow | null;
}

export interface Hypervisor {
  id: number;
  uuid: string;
  hostname: string;
  service: ServiceRecord;
  info: HostInfo | null;
  usage: HostUsage;
  hostIp: string;
}

/** A stable UUID derived from a name (so records keep their ids across restarts). */
export function derivedUuid(name: string): string {
  const h = crypto.createHash('sha1').update(name).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

const bool = (v: boolean | number) => v === true || v === 1;

export class ComputeServices {
  private readonly controlHost = os.hostname();
  private readonly startedAt: string;

  constructor(
    private readonly hostsRepo: HostsRepo,
    private readonly usageRepo: HostUsageRepo,
    private readonly health: HostHealth,
    private readonly clock: Clock,
  ) {
    this.startedAt = clock.now().toISOString();
  }

  async list(filter: { host?: string; binary?: string } = {}): Promise<ServiceRecord[]> {
    const hosts = await this.hostsRepo.list();
    const all = [...this.controlServices(), ...hosts.map((h) => this.computeService(h))];
    return all.filter(
      (s) =>
        (filter.host === undefined || s.host === filter.host) &&
        (filter.binary === undefined || s.binary === filter.binary),
    );
  }

  async findById(id: number): Promise<ServiceRecord | undefined> {
    return (await this.list()).find((s) => s.id === id);
  }

  async findByUuid(uuid: string): Promise<ServiceRecord | undefined> {
    return (await this.list()).find((s) => s.uuid === uuid);
  }

  /** Pre-2.53 updates address a service by host and binary. */
  async findByHostBinary(host: string, binary: string): Promise<ServiceRecord> {
    const s = (await this.list({ host, binary }))[0];
    if (!s) throw new NotFound(`Could not find binary ${binary} on host ${host}.`);
    return s;
  }

  /** Enable/disable (with a reason) and force down; only nova-compute records can change. */
  async update(
    s: ServiceRecord,
    changes: { disabled?: boolean; disabledReason?: string | null; forcedDown?: boolean },
  ): Promise<ServiceRecord> {
    if (!s.hostRow)
      throw new BadRequest(
        `Updating a ${s.binary} service is not supported. Only nova-compute services can be updated.`,
      );
    const row: Partial<ComputeHostRow> = { updated_at: this.clock.now().toISOString() };
    if (changes.disabled !== undefined) {
      row.disabled = changes.disabled;
      row.disabled_reason = changes.disabled ? (changes.disabledReason ?? null) : null;
    }
    if (changes.forcedDown !== undefined) row.forced_down = changes.forcedDown;
    await this.hostsRepo.update(s.hostRow.id, row);
    return this.computeService((await this.hostsRepo.findById(s.hostRow.id))!);
  }

  private readonly deletedListeners: ((host: string) => Promise<void>)[] = [];

  /** Nova's service delete also takes the host out of every aggregate (services.ts wires that). */
  onHostDeleted(listener: (host: string) => Promise<void>): void {
    this.deletedListeners.push(listener);
  }

  /** Deletes a compute service (and its host record); refused while servers live there. */
  async delete(s: ServiceRecord): Promise<void> {
    if (!s.hostRow)
      throw new BadRequest(
        `Deleting a ${s.binary} service is not supported. Only nova-compute services can be deleted.`,
      );
    if ((await this.usageRepo.liveCountOn(s.hostRow.id)) > 0) {
      throw new Conflict(
        'Unable to delete compute service that is hosting instances. Migrate or delete the instances first.',
      );
    }
    await this.usageRepo.deleteHost(s.hostRow.id);
    for (const listener of this.deletedListeners) await listener(s.host);
  }

  async hypervisors(): Promise<Hypervisor[]> {
    const [hosts, usage] = await Promise.all([this.hostsRepo.list(), this.usageRepo.byHost()]);
    return hosts.map((h) => this.hypervisor(h, usage.get(h.id)));
  }

  async hypervisorById(id: number): Promise<Hypervisor | undefined> {
    return (await this.hypervisors()).find((h) => h.id === id);
  }

  async hypervisorByUuid(uuid: string): Promise<Hypervisor | undefined> {
    return (await this.hypervisors()).find((h) => h.uuid === uuid);
  }

  /** os-hosts show: a compute host's node and its servers' sums per project (undefined: no such host). */
  async hostReport(
    name: string,
  ): Promise<{ hypervisor: Hypervisor; byProject: Awaited<ReturnType<HostUsageRepo['byProjectOn']>> } | undefined> {
    const hypervisor = (await this.hypervisors()).find((h) => h.service.host === name);
    if (!hypervisor) return undefined;
    return { hypervisor, byProject: await this.usageRepo.byProjectOn(hypervisor.id) };
  }

  serversOn(hostId: number) {
    return this.usageRepo.serversOn(hostId);
  }

  /** Zones with whether any enabled compute host serves them (Nova: available vs not). */
  async zones(): Promise<{ name: string; available: boolean; services: ServiceRecord[] }[]> {
    const services = await this.list();
    const byZone = new Map<string, ServiceRecord[]>();
    for (const s of services) byZone.set(s.zone, [...(byZone.get(s.zone) ?? []), s]);
    return [...byZone.entries()]
      .map(([name, list]) => ({ name, services: list, available: list.some((s) => !s.disabled) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Host uptime in `uptime`'s words, for the local engine only (a remote one's is unknown). */
  uptimeText(h: Hypervisor): string | null {
    if (!h.service.hostRow?.docker_url.startsWith('unix://')) return null;
    const now = this.clock.now();
    const up = Math.floor(os.uptime());
    const days = Math.floor(up / 86400);
    const hh = Math.floor((up % 86400) / 3600);
    const mm = Math.floor((up % 3600) / 60);
    const load = os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(', ');
    const clock = now.toISOString().slice(11, 19);
    return ` ${clock} up ${days} days, ${String(hh).padStart(2, ' ')}:${String(mm).padStart(2, '0')},  0 users,  load average: ${load}`;
  }

  private controlServices(): ServiceRecord[] {
    // Up while this process answers; the last report is the last heartbeat round (or the start).
    const updatedAt = this.health.lastBeatAt ?? this.startedAt;
    return CONTROL_BINARIES.map((binary, i) => ({
      id: i + 1,
      uuid: derivedUuid(`novadock:${binary}:${this.controlHost}`),
      binary,
      host: this.controlHost,
      zone: INTERNAL_ZONE,
      disabled: false,
      disabledReason: null,
      forcedDown: false,
      up: true,
      updatedAt,
      hostRow: null,
    }));
  }

  private computeService(h: ComputeHostRow): ServiceRecord {
    return {
      id: h.id + COMPUTE_ID_OFFSET,
      uuid: h.uuid,
      binary: 'nova-compute',
      host: h.name,
      zone: h.availability_zone,
      disabled: bool(h.disabled),
      disabledReason: h.disabled_reason,
      forcedDown: bool(h.forced_down),
      up: this.health.isUp(h),
      updatedAt: h.last_seen_at,
      hostRow: h,
    };
  }

  private hypervisor(h: ComputeHostRow, usage: HostUsage | undefined): Hypervisor {
    return {
      id: h.id,
      uuid: derivedUuid(`novadock:hypervisor:${h.uuid}`),
      hostname: h.name,
      service: this.computeService(h),
      info: HostHealth.info(h),
      usage: usage ?? { vcpus: 0, memoryMb: 0, localGb: 0, count: 0, busy: 0 },
      hostIp: hostIpOf(h.docker_url),
    };
  }
}

/** The address a Docker URL reaches; a local socket is this machine (loopback). */
export function hostIpOf(dockerUrl: string): string {
  if (dockerUrl.startsWith('unix://')) return '127.0.0.1';
  try {
    return new URL(dockerUrl.replace(/^tcp:/, 'http:')).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return '127.0.0.1';
  }
}
