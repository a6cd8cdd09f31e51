import { classResources, settableResources } from '../schemas/quota-sets.js';
export function renderQuotaSet(v, id, limits) {
    const out = id !== null ? { id } : {};
    for (const r of settableResources(v))
        out[r] = limits[r];
    return { quota_set: out };
}
export function renderQuotaClassSet(v, id, limits) {
    const out = id !== null ? { id } : {};
    for (const r of classResources(v))
        out[r] = limits[r];
    return { quota_class_set: out };
}
/** /detail: {limit, in_use, reserved} per resource; usage is counted per project. */
export function renderQuotaSetDetail(v, id, limits, used) {
    const out = { id };
    const inUse = used;
    for (const r of settableResources(v))
        out[r] = { in_use: inUse[r] ?? 0, limit: limits[r], reserved: 0 };
    return { quota_set: out };
}
//# sourceMappingURL=quota-sets.js.map