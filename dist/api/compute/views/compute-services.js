/** Nova prints service times as naive UTC with microseconds. */
export function naiveMicros(iso) {
    return iso ? `${iso.slice(0, 19)}.${iso.slice(20, 23)}000` : null;
}
export function serviceId(v, s) {
    return v.gte('2.53') ? s.uuid : s.id;
}
export function renderService(v, s) {
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
export function renderZoneList(zones) {
    return { availabilityZoneInfo: zones.map((z) => ({ zoneName: z.name, zoneState: { available: z.available }, hosts: null })) };
}
export function renderZoneDetail(zones) {
    return {
        availabilityZoneInfo: zones.map((z) => {
            const hosts = {};
            for (const s of z.services) {
                hosts[s.host] ??= {};
                hosts[s.host][s.binary] = { available: s.up, active: !s.disabled, updated_at: naiveMicros(s.updatedAt) };
            }
            return { zoneName: z.name, zoneState: { available: z.available }, hosts };
        }),
    };
}
//# sourceMappingURL=compute-services.js.map