export const systemClock = { now: () => new Date() };
export function isoNow(clock = systemClock) {
    return clock.now().toISOString();
}
/** Nova's "2013-07-23T11:33:21Z" (seconds precision). */
export function novaTime(iso) {
    return iso ? `${iso.slice(0, 19)}Z` : null;
}
/** Keystone/Glance-style microseconds: "2026-11-28T06:23:06.000000Z". */
export function keystoneTime(iso) {
    return `${iso.slice(0, 19)}.${iso.slice(20, 23)}000Z`;
}
//# sourceMappingURL=time.js.map