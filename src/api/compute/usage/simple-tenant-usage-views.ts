// Simple tenant usage views: times as Nova prints them (naive UTC with microseconds).
import type { ServerUsage, TenantUsage } from '../../../compute/usage/tenant-usage.js';

const naive = (d: Date) => `${d.toISOString().slice(0, 19)}.${d.toISOString().slice(20, 23)}000`;

function renderServer(s: ServerUsage) {
  return { ...s, started_at: naive(s.started_at), ended_at: s.ended_at ? naive(s.ended_at) : null };
}

export function renderTenantUsage(u: TenantUsage) {
  return {
    tenant_id: u.tenant_id,
    ...(u.server_usages ? { server_usages: u.server_usages.map(renderServer) } : {}),
    total_local_gb_usage: u.total_local_gb_usage,
    total_vcpus_usage: u.total_vcpus_usage,
    total_memory_mb_usage: u.total_memory_mb_usage,
    total_hours: u.total_hours,
    start: naive(u.start),
    stop: naive(u.stop),
  };
}
