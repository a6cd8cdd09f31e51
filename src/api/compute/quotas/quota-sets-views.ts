// Quota set views (nova/api/openstack/compute/quota_sets.py _format_quota_set): the resources
// shown at a microversion, with the id first when there is one.
import type { QuotaLimits, ProjectUsage } from '../../../compute/quotas/quotas.js';
import { classResources, settableResources } from './schemas.js';
import type { ApiVersion } from '../../../compute/api-version.js';

export function renderQuotaSet(v: ApiVersion, id: string | null, limits: QuotaLimits) {
  const out: Record<string, unknown> = id !== null ? { id } : {};
  for (const r of settableResources(v)) out[r] = limits[r];
  return { quota_set: out };
}

export function renderQuotaClassSet(v: ApiVersion, id: string | null, limits: QuotaLimits) {
  const out: Record<string, unknown> = id !== null ? { id } : {};
  for (const r of classResources(v)) out[r] = limits[r];
  return { quota_class_set: out };
}

/** /detail: {limit, in_use, reserved} per resource; usage is counted per project. */
export function renderQuotaSetDetail(v: ApiVersion, id: string, limits: QuotaLimits, used: ProjectUsage) {
  const out: Record<string, unknown> = { id };
  const inUse = used as unknown as Record<string, number>;
  for (const r of settableResources(v)) out[r] = { in_use: inUse[r] ?? 0, limit: limits[r], reserved: 0 };
  return { quota_set: out };
}
