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
