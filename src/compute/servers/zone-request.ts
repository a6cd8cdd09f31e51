// The legacy way admins force a host at create: availability_zone "zone:host", "zone:host:node",
// "zone::node" or ":host" (nova compute/api.py parse_availability_zone; `nova boot
// --availability-zone nova:myhost`), and which zone the server then gets
// (servers.py _validate_host_availability_zone).
import { BadRequest } from '../../errors.js';

export interface ZoneRequest {
  /** the zone asked for; null when none (Nova's default_schedule_zone is None) */
  zone: string | null;
  forcedHost: string | null;
  forcedNode: string | null;
}

export function parseAvailabilityZone(raw: string | null): ZoneRequest {
  let zone: string | null = raw;
  let forcedHost: string | null = null;
  let forcedNode: string | null = null;
  if (raw && raw.includes(':')) {
    const parts = raw.split(':');
    if (parts.length === 2) [zone, forcedHost] = parts;
    else if (parts.length === 3 && raw.includes('::')) [zone, forcedNode] = raw.split('::');
    else if (parts.length === 3) [zone, forcedHost, forcedNode] = parts;
    else throw new BadRequest('Invalid input received: Unable to parse availability_zone');
  }
  // Python's split keeps empty strings ("nova:" forces host ""), which count as not given
  return { zone: zone || null, forcedHost: forcedHost || null, forcedNode: forcedNode || null };
}

/**
 * The zone a server forced onto a host gets: the one asked for when the host is in it, else none
 * (the build then records the host's own zone), so the server never claims a zone its host is
 * not in (Nova bug #1934770).
 */
export function zoneForForcedHost(requested: string | null, hostZone: string): string | null {
  return requested !== null && requested === hostZone ? requested : null;
}
