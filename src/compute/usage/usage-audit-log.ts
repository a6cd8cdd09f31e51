// The instance usage audit log (nova/api/openstack/compute/instance_usage_audit_log.py and
// utils.last_completed_audit_period). In Nova each compute host's periodic instance_usage_audit
// task writes one task log per audit period; that task is off by default ([DEFAULT]
// instance_usage_audit = False) and novadock has none, so no host ever reports: the log names
// every compute host (disabled ones too, as Nova's query by topic does) as not run for the last
// completed period, a calendar month (Nova's default instance_usage_audit_period).
import { BadRequest } from '../../errors.js';

export interface UsageAuditLog {
  period_beginning: string;
  period_ending: string;
  num_hosts: number;
  num_hosts_done: number;
  num_hosts_running: number;
  num_hosts_not_run: number;
  hosts_not_run: string[];
  total_instances: number;
  total_errors: number;
  overall_status: string;
  log: Record<string, never>;
}

/** Midnight UTC on the first of a month (month may run over; years below 100 stay as they are). */
function firstOfMonth(year: number, month: number): Date {
  const d = new Date(0);
  d.setUTCFullYear(year, month, 1);
  return d;
}

/** The last whole month ending at or before `rightNow` (a naive UTC time, as Nova compares it). */
export function lastCompletedAuditPeriod(rightNow: Date): { begin: Date; end: Date } {
  let end = firstOfMonth(rightNow.getUTCFullYear(), rightNow.getUTCMonth());
  // a time exactly on the first of the month has not completed that month's period yet
  if (end.getTime() >= rightNow.getTime()) end = firstOfMonth(rightNow.getUTCFullYear(), rightNow.getUTCMonth() - 1);
  return { begin: firstOfMonth(end.getUTCFullYear(), end.getUTCMonth() - 1), end };
}

/** Python's str(datetime): "2026-11-01 00:00:00", with ".ffffff" only when there are microseconds. */
function pyDatetime(d: Date): string {
  const iso = d.toISOString();
  const ms = d.getUTCMilliseconds();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${ms ? `.${String(ms * 1000).padStart(6, '0')}` : ''}`;
}

export function buildUsageAuditLog(computeHosts: string[], before: Date): UsageAuditLog {
  const { begin, end } = lastCompletedAuditPeriod(before);
  const hosts = [...new Set(computeHosts)];
  // Nova: 'ALL' when every host is done (so with no hosts at all), else "<done> of <hosts>"
  const done = 0;
  return {
    period_beginning: pyDatetime(begin),
    period_ending: pyDatetime(end),
    num_hosts: hosts.length,
    num_hosts_done: done,
    num_hosts_running: 0,
    num_hosts_not_run: hosts.length,
    hosts_not_run: hosts,
    total_instances: 0,
    total_errors: 0,
    overall_status: `${done === hosts.length ? 'ALL' : `${done} of ${hosts.length}`} hosts done. 0 errors.`,
    log: {},
  };
}

// strptime's fields for "%Y-%m-%d %H:%M:%S" (and ".%f" when the id has a dot): Python accepts one
// or two digits for everything but the year, and nothing before or after.
const MONTH = '(1[0-2]|0[1-9]|[1-9])';
const DAY = '(3[01]|[12]\\d|0[1-9]|[1-9]| [1-9])';
const HOUR = '(2[0-3]|[0-1]\\d|\\d)';
const MIN = '([0-5]\\d|\\d)';
const SEC = '(6[0-1]|[0-5]\\d|\\d)';
const WITHOUT_FRACTION = new RegExp(`^(\\d{4})-${MONTH}-${DAY} ${HOUR}:${MIN}:${SEC}$`);
const WITH_FRACTION = new RegExp(`^(\\d{4})-${MONTH}-${DAY} ${HOUR}:${MIN}:${SEC}\\.(\\d{1,6})$`);

/** The show route's id: a "before" time in Nova's two formats, else Nova's 400. */
export function parseAuditBefore(id: string): Date {
  const m = (id.includes('.') ? WITH_FRACTION : WITHOUT_FRACTION).exec(id);
  const invalid = () => new BadRequest(`Invalid timestamp for date ${id}`);
  if (!m) throw invalid();
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((v) => Number(v.trim()));
  const micros = m[7] ? Number(m[7].padEnd(6, '0')) : 0;
  // datetime() refuses what strptime let through: day 31 of a short month, second 60 or 61, year 0
  if (year < 1 || second > 59) throw invalid();
  const at = new Date(0);
  at.setUTCFullYear(year, month - 1, day); // not Date.UTC, which reads years 0-99 as 1900-1999
  at.setUTCHours(hour, minute, second, Math.floor(micros / 1000));
  if (at.getUTCDate() !== day || at.getUTCMonth() !== month - 1) throw invalid();
  return at;
}
