// Nova's views of the network service's records (Zed): security groups and rules
// (security_groups.py _format_security_group(_rule)), floating IPs (_translate_floating_ip_view) and
// networks below 2.36 (networks.py network_dict: only id and label are known since nova-network went).
import type { NovaGroup, NovaRule } from '../../../compute/network/security-groups.js';
import type { NetworkRow } from '../../../db/repositories/neutron-networks-repo.js';

type GroupData = Map<string, { name: string; tenant_id: string }>;

/** null: a rule whose remote group the caller cannot see (Nova skips it). */
export function renderRule(r: NovaRule, groups: GroupData): Record<string, unknown> | null {
  const out: Record<string, unknown> = {
    id: r.id,
    parent_group_id: r.parent_group_id,
    ip_protocol: r.protocol,
    from_port: r.from_port,
    to_port: r.to_port,
    group: {},
    ip_range: {},
  };
  if (r.group_id) {
    const g = groups.get(r.group_id);
    if (!g) return null;
    out.group = { name: g.name, tenant_id: g.tenant_id };
  } else {
    out.ip_range = { cidr: r.cidr };
  }
  return out;
}

export function renderGroup(g: NovaGroup, groups: GroupData): Record<string, unknown> {
  return {
    id: g.id,
    description: g.description,
    name: g.name,
    tenant_id: g.project_id,
    rules: g.rules.map((r) => renderRule(r, groups)).filter((r) => r !== null),
  };
}

/** Lists sort by (tenant_id, name), as Nova's controllers do. */
export function renderGroups(gs: NovaGroup[], groups: GroupData): Record<string, unknown>[] {
  return gs
    .map((g) => renderGroup(g, groups))
    .sort((a, b) =>
      `${a.tenant_id as string}\u0000${a.name as string}`.localeCompare(
        `${b.tenant_id as string}\u0000${b.name as string}`,
      ),
    );
}

const NETWORK_FIELDS = [
  'id',
  'cidr',
  'netmask',
  'gateway',
  'broadcast',
  'dns1',
  'dns2',
  'cidr_v6',
  'gateway_v6',
  'label',
  'netmask_v6',
];
const NETWORK_ADMIN_FIELDS = [
  'created_at',
  'updated_at',
  'deleted_at',
  'deleted',
  'injected',
  'bridge',
  'vlan',
  'vpn_public_address',
  'vpn_public_port',
  'vpn_private_address',
  'dhcp_start',
  'project_id',
  'host',
  'bridge_interface',
  'multi_host',
  'priority',
  'rxtx_base',
  'mtu',
  'dhcp_server',
  'enable_dhcp',
  'share_address',
];

export function renderNetwork(n: NetworkRow, admin: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of admin ? [...NETWORK_FIELDS, ...NETWORK_ADMIN_FIELDS] : NETWORK_FIELDS) {
    out[f] = f === 'id' ? n.id : f === 'label' ? n.name : null;
  }
  return out;
}

/**
 * os-tenant-networks' network_dict: id, label and cidr, which is the string 'None' ("yes, this is
 * bananas, but this is what the API returned historically when using neutron", Nova's comment).
 */
export function renderTenantNetwork(n: NetworkRow): { id: string; cidr: string; label: string } {
  return { id: n.id, cidr: 'None', label: n.name };
}
