// os-services and os-availability-zone views (nova/api/openstack/compute/services.py,
// availability_zone.py): integer ids below 2.53, UUIDs from 2.53; forced_down from 2.11.
import type { ServiceRecord } from '../../../compute/hosts/compute-services.js';
import type { ApiVersion } from '../../../compute/api-version.js';

/** Nova prints service times as naive UTC with microseconds. */
export function naiveMicros(iso: string | null): string | null {
  return iso ? `${iso.slice(0, 19)}.${iso.slice(20, 23)}000` : null;
}

export function serviceId(v: ApiVersion, s: ServiceRecord): number | string {
  return v.gte('2.53') ? s.uuid : s.id;
}

export function renderService(v: ApiVersion, s: ServiceRecord) {
  return {
    binary: s.binary,
    host: s.host,
    id: serviceId(v, s),
    zone: s.zone,
    status: s.disabled ? 'disabled' : 'enabled',
    state: s.up ? 'up' : 'down',
    updated_at: naiveMicros(s.updatedAt),
    disabled_reason: s.disabledReason,
    ...(v.gte('2.11') ? { forced_down: s.forcedDown } : {}),
  };
}

export function renderZoneList(zones: { name: string; available: boolean }[]) {
  return {
    availabilityZoneInfo: zones.map((z) => ({ zoneName: z.name, zoneState: { available: z.available }, hosts: null })),
  };
}

export function renderZoneDetail(zones: { name: string; available: boolean; services: ServiceRecord[] }[]) {
  return {
    availabilityZoneInfo: zones.map((z) => {
      const hosts: Record<
        string,
        Record<string, { available: boolean; active: boolean; updated_at: string | null }>
      > = {};
      for (const s of z.services) {
        hosts[s.host] ??= {};
        hosts[s.host][s.binary] = { available: s.up, active: !s.disabled, updated_at: naiveMicros(s.updatedAt) };
      }
      return { zoneName: z.name, zoneState: { available: z.available }, hosts };
    }),
  };
}
