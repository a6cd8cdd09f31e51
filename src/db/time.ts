// Timestamps are stored as ISO-8601 UTC text with milliseconds, identical on SQLite and PostgreSQL,
// so they sort as strings.
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

export function isoNow(clock: Clock = systemClock): string {
  return clock.now().toISOString();
}

/** Nova's "2013-07-23T11:33:21Z" (seconds precision). */
export function novaTime(iso: string | null | undefined): string | null {
  return iso ? `${iso.slice(0, 19)}Z` : null;
}

/** Keystone/Glance-style microseconds: "2026-11-28T06:23:06.000000Z". */
export function keystoneTime(iso: string): string {
  return `${iso.slice(0, 19)}.${iso.slice(20, 23)}000Z`;
}

// ISO 8601 as Nova and Glance read it: oslo_utils.timeutils.parse_isotime, i.e. iso8601.parse_date
// (Nova's 'date-time' format check, api/validation/validators.py; Glance's created_at/updated_at
// filters). The same grammar, Python's regex transcribed (its `$` also matches before one final
// newline), then the same range checks datetime() makes. Loose in places (a year alone, YYYYMMDD,
// single-digit months), strict in others (`2011/01/01`, a lower-case `t` or `z`, a leading space).
const ISO8601 = new RegExp(
  '^(?<year>[0-9]{4})' +
    '((-(?<monthdash>[0-9]{1,2})|(?<month>[0-9]{2})(?!\\n?$))' +
    '((-(?<daydash>[0-9]{1,2})|(?<day>[0-9]{2}))' +
    '((?<separator>[ T])(?<hour>[0-9]{2})(:?(?<minute>[0-9]{2}))?' +
    '(:?(?<second>[0-9]{1,2})([.,](?<fraction>[0-9]+))?)?' +
    '(?<timezone>Z|((?<tzsign>[-+])(?<tzhour>[0-9]{2}):?(?<tzminute>[0-9]{2})?))?)?)?)?' +
    '\\n?$',
);

/** The instant an ISO 8601 text names (UTC when it names no zone) and its microseconds, or null. */
export function parseIsoTime(text: string): { date: Date; microsecond: number } | null {
  const g = ISO8601.exec(text)?.groups;
  if (!g) return null;
  const num = (v: string | undefined, dflt: number) => (v === undefined ? dflt : Number(v));
  const year = Number(g.year);
  const month = num(g.month ?? g.monthdash, 1);
  const day = num(g.day ?? g.daydash, 1);
  const hour = num(g.hour, 0);
  const minute = num(g.minute, 0);
  const second = num(g.second, 0);
  const daysInMonth = new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !isLeap(year) ? 1 : 0);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth) return null;
  if (hour > 23 || minute > 59 || second > 59) return null;
  // datetime.timezone: an offset strictly within ±24 h (minutes past 59 simply add up, as in Python)
  let offset = 0;
  if (g.timezone !== undefined && g.timezone !== 'Z') {
    offset = (g.tzsign === '-' ? -1 : 1) * (Number(g.tzhour) * 60 + num(g.tzminute, 0));
    if (Math.abs(offset) >= 24 * 60) return null;
  }
  const microsecond = Number((g.fraction ?? '').slice(0, 6).padEnd(6, '0'));
  // setUTCFullYear, not Date.UTC: that one reads years below 100 as 19xx.
  const d = new Date(Date.UTC(2000, 0, 1));
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, Math.floor(microsecond / 1000));
  return { date: new Date(d.getTime() - offset * 60_000), microsecond };
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}
