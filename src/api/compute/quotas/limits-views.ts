// GET /limits (nova/api/openstack/compute/views/limits.py): absolute limits with the project's
// usage; the network keys go at 2.36, maxImageMeta at 2.39, the personality keys at 2.57.
import type { ProjectUsage, QuotaLimits } from '../../../compute/quotas/quotas.js';
import type { ApiVersion } from '../../../compute/api-version.js';

export function renderLimits(v: ApiVersion, l: QuotaLimits, u: ProjectUsage) {
  const network = v.lt('2.36');
  const imageMeta = v.lt('2.39');
  const personality = v.lt('2.57');
  const absolute: Record<string, number> = {
    maxTotalInstances: l.instances,
    maxTotalCores: l.cores,
    maxTotalRAMSize: l.ram,
    maxServerMeta: l.metadata_items,
    ...(imageMeta ? { maxImageMeta: l.metadata_items } : {}),
    ...(personality ? { maxPersonality: l.injected_files, maxPersonalitySize: l.injected_file_content_bytes } : {}),
    maxTotalKeypairs: l.key_pairs,
    maxServerGroups: l.server_groups,
    maxServerGroupMembers: l.server_group_members,
    ...(network
      ? {
          maxTotalFloatingIps: l.floating_ips,
          maxSecurityGroups: l.security_groups,
          maxSecurityGroupRules: l.security_group_rules,
        }
      : {}),
    totalRAMUsed: u.ram,
    totalCoresUsed: u.cores,
    totalInstancesUsed: u.instances,
    ...(network ? { totalFloatingIpsUsed: 0, totalSecurityGroupsUsed: 0 } : {}),
    totalServerGroupsUsed: u.server_groups,
  };
  return { limits: { rate: [], absolute } };
}
