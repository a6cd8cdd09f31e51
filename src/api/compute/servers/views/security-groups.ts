// Security group view (nova security_groups.py _format_security_group, from Neutron's group as
// security_group_api converts it). novadock has no Neutron: a server on the private bridge is in
// its project's "default" group, as server show says. The group says what novadock enforces,
// which is nothing: the bridge is shared by every project's servers and nothing filters what
// reaches it, so the one ingress rule allows any protocol from anywhere (Nova shows ingress rules
// only, so the egress-anywhere rule is not listed).
import type { InstanceRow } from '../../../../db/repositories/instances-repo.js';
import { stableId } from '../../../../compute/stable-id.js';
import { defaultGroupId } from '../../../../compute/servers/security-groups.js';

export function renderDefaultGroup(projectId: string): Record<string, unknown> {
  const id = defaultGroupId(projectId);
  return {
    description: 'Default security group',
    id,
    name: 'default',
    rules: [
      {
        from_port: null,
        group: {},
        id: stableId(`novadock-security-group-rule-default-ingress-${projectId}`),
        ip_protocol: null,
        ip_range: { cidr: '0.0.0.0/0' },
        parent_group_id: id,
        to_port: null,
      },
    ],
    tenant_id: projectId,
  };
}

/** The groups of a server's ports: the default group when it has a network, none otherwise. */
export function renderServerSecurityGroups(row: InstanceRow): { security_groups: Record<string, unknown>[] } {
  return { security_groups: row.network && row.project_id ? [renderDefaultGroup(row.project_id)] : [] };
}
