// Simple tenant usage (nova/api/openstack/compute/simple_tenant_usage.py): per server, the hours
// it ran within [start, stop] and its size; per project, the sums weighted by those hours.
import type { UsageInstanceRow, UsageRepo } from '../../db/repositories/usage-repo.js';
import type { Clock } from '../../db/time.js';
import { BadRequest, MarkerNotFound } from '../../errors.js';

const invalidDatetime = () => new BadRequest('Invalid datetime string: Datetime is in invalid format');

export interface ServerUsage {
  hours: number;
  flavor: string;
  instance_id: string;
  name: string;
  tenant_id: string;
  memory_mb: number;
  local_gb: number;
  vcpus: number;
  started_at: Date;
  ended_at: Date | null;
  state: string;
  uptime: number;
}

export interface TenantUsage {
  tenant_id: string;
  server_usages?: ServerUsage[];
  total_local_gb_usage: number;
  total_vcpus_usage: number;
  total_memory_mb_usage: number;
  total_hours: number;
  start: Date;
  stop: Date;
}

export interface UsagePeriod {
  start: Date;
  stop: Date;
}

const HOUR_MS = 3600 * 1000;

export class TenantUsageService {
  constructor(
    private readonly repo: UsageRepo,
    private readonly clock: Clock,
  ) {}

  /**
   * start/end query values (absent: now), in Nova's accepted formats, as UTC. As in Nova's
   * _get_datetime_range and _index/_show: start must come before end, and an end in the future
   * is then cut to now, so a running server is charged up to now, never for hours yet to come
   * (`nova usage` asks up to tomorrow). Both absent read one clock instant here, which Nova's two
   * utcnow() calls never do, so only given values can be refused for being equal.
   */
  period(startRaw: string | undefined, endRaw: string | undefined): UsagePeriod {
    const start = this.parse(startRaw);
    const stop = this.parse(endRaw);
    const bothGiven = Boolean(startRaw) && Boolean(endRaw);
    if (bothGiven ? start.getTime() >= stop.getTime() : start.getTime() > stop.getTime()) {
      throw new BadRequest('Invalid start time. The start time cannot occur after the end time.');
    }
    const now = this.clock.now();
    return { start, stop: stop.getTime() > now.getTime() ? now : stop };
  }

  /**
   * Usage per project over the period. `marker` (an instance uuid) and `limit` page over the
   * servers (2.40); the servers of the page come back too, for the next link.
   */
  async usages(
    period: UsagePeriod,
    opts: { projectId?: string; detailed: boolean; limit?: number; marker?: string },
  ): Promise<{ tenants: TenantUsage[]; servers: ServerUsage[] }> {
    let afterId: number | undefined;
    if (opts.marker !== undefined) {
      afterId = await this.repo.idOf(opts.marker);
      if (afterId === undefined) throw MarkerNotFound(opts.marker);
    }
    const rows = await this.repo.activeInWindow(period.start.toISOString(), period.stop.toISOString(), {
      projectId: opts.projectId,
      limit: opts.limit,
      afterId,
    });
    const now = this.clock.now();
    const byTenant = new Map<string, TenantUsage>();
    const servers: ServerUsage[] = [];
    for (const row of rows) {
      const info = serverUsage(row, period, now);
      let summary = byTenant.get(info.tenant_id);
      if (!summary) {
        summary = {
          tenant_id: info.tenant_id,
          ...(opts.detailed ? { server_usages: [] } : {}),
          total_local_gb_usage: 0,
          total_vcpus_usage: 0,
          total_memory_mb_usage: 0,
          total_hours: 0,
          start: period.start,
          stop: period.stop,
        };
        byTenant.set(info.tenant_id, summary);
      }
      summary.total_local_gb_usage += info.local_gb * info.hours;
      summary.total_vcpus_usage += info.vcpus * info.hours;
      summary.total_memory_mb_usage += info.memory_mb * info.hours;
      summary.total_hours += info.hours;
      summary.server_usages?.push(info);
      servers.push(info);
    }
    return { tenants: [...byTenant.values()], servers };
  }

  private parse(raw: string | undefined): Date {
    if (raw === undefined || raw === '') return this.clock.now();
    // %Y-%m-%dT%H:%M:%S, %Y-%m-%dT%H:%M:%S.%f, %Y-%m-%d %H:%M:%S.%f; naive times are UTC.
    const m =
      /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?| (\d{2}):(\d{2}):(\d{2})\.(\d{1,6}))$/.exec(
        raw.trim(),
      );
    if (!m) throw invalidDatetime();
    const [hh, mi, ss, frac] = m[4] !== undefined ? [m[4], m[5], m[6], m[7]] : [m[8], m[9], m[10], m[11]];
    const ms = frac ? Math.floor(Number(frac.padEnd(6, '0')) / 1000) : 0;
    const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(hh), Number(mi), Number(ss), ms));
    if (Number.isNaN(d.getTime()) || d.getUTCDate() !== Number(m[3])) throw invalidDatetime();
    return d;
  }
}

function flavorName(flavorJson: string): string {
  try {
    return String((JSON.parse(flavorJson) as { name?: string }).name ?? '');
  } catch {
    return '';
  }
}

/** _hours_for and the per-server record. */
function serverUsage(row: UsageInstanceRow, period: UsagePeriod, now: Date): ServerUsage {
  const launched = new Date(row.launched_at);
  const terminated = row.terminated_at ? new Date(row.terminated_at) : null;
  let hours = 0;
  if (!(terminated && terminated < period.start) && !(launched > period.stop)) {
    const start = Math.max(launched.getTime(), period.start.getTime());
    const stop = terminated ? Math.min(period.stop.getTime(), terminated.getTime()) : period.stop.getTime();
    hours = (stop - start) / HOUR_MS;
  }
  const state = terminated ? 'terminated' : row.vm_state;
  const uptime = Math.floor(((terminated ?? now).getTime() - launched.getTime()) / 1000);
  return {
    hours,
    flavor: flavorName(row.flavor_json),
    instance_id: row.uuid,
    name: row.display_name,
    tenant_id: row.project_id,
    memory_mb: Number(row.memory_mb),
    local_gb: Number(row.root_gb) + Number(row.ephemeral_gb),
    vcpus: Number(row.vcpus),
    started_at: launched,
    ended_at: terminated,
    state,
    uptime,
  };
}
