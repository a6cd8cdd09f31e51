// Neutron's JSON for each resource (Zed field sets, limited to the extensions /v2.0/extensions
// lists). Attributes Neutron's policy shows only to admins (provider:*, binding:* except vnic_type)
// are left out for everyone else, as Neutron leaves them out.
import type { NetworkRow, PortRow, SubnetRow } from '../../db/repositories/neutron-networks-repo.js';
import type { RuleRow, SecurityGroupRow } from '../../db/repositories/neutron-security-groups-repo.js';
import type { RouterView } from '../../network/router-service.js';
import type { FloatingIpRow } from '../../network/fip-service.js';
import { NETWORK_TYPE } from '../../network/provider.js';

/** Neutron's standard-attribute timestamps: seconds, 'Z'. */
export const neutronTime = (iso: string) => `${iso.slice(0, 19)}Z`;
const std = (r: { description: string; created_at: string; updated_at: string; revision_number: number }) => ({
  description: r.description,
  tags: [] as string[],
  created_at: neutronTime(r.created_at),
  updated_at: neutronTime(r.updated_at),
  revision_number: r.revision_number,
});
const owner = (projectId: string) => ({ tenant_id: projectId, project_id: projectId });

export function renderNetwork(n: NetworkRow, subnetIds: string[], admin: boolean) {
  return {
    id: n.id,
    name: n.name,
    ...owner(n.project_id),
    admin_state_up: n.admin_state_up,
    mtu: n.mtu,
    status: n.status,
    subnets: subnetIds,
    shared: n.shared,
    'router:external': n.external,
    port_security_enabled: n.port_security_enabled,
    availability_zone_hints: [] as string[],
    availability_zones: ['nova'],
    ipv4_address_scope: null,
    ipv6_address_scope: null,
    is_default: false,
    ...(admin
      ? { 'provider:network_type': NETWORK_TYPE, 'provider:physical_network': null, 'provider:segmentation_id': null }
      : {}),
    ...std(n),
  };
}

export function renderSubnet(s: SubnetRow) {
  return {
    id: s.id,
    name: s.name,
    ...owner(s.project_id),
    network_id: s.network_id,
    ip_version: s.ip_version,
    subnetpool_id: null,
    enable_dhcp: s.enable_dhcp,
    ipv6_ra_mode: s.ipv6_ra_mode,
    ipv6_address_mode: s.ipv6_address_mode,
    gateway_ip: s.gateway_ip,
    cidr: s.cidr,
    allocation_pools: s.allocation_pools,
    host_routes: s.host_routes,
    dns_nameservers: s.dns_nameservers,
    service_types: [] as string[],
    ...std(s),
  };
}

export function renderPort(
  p: PortRow,
  admin: boolean,
  hostName: (hostId: number) => string | undefined = () => undefined,
) {
  const bound = p.host_id !== null;
  return {
    id: p.id,
    name: p.name,
    network_id: p.network_id,
    ...owner(p.project_id),
    mac_address: p.mac_address,
    admin_state_up: p.admin_state_up,
    status: p.status,
    device_id: p.device_id,
    device_owner: p.device_owner,
    fixed_ips: p.fixed_ips,
    allowed_address_pairs: p.allowed_address_pairs,
    security_groups: p.security_groups,
    port_security_enabled: p.port_security_enabled,
    ip_allocation: 'immediate',
    'binding:vnic_type': p.binding_vnic_type,
    ...(admin
      ? {
          'binding:host_id': p.binding_host_id || (bound ? (hostName(p.host_id!) ?? '') : ''),
          'binding:profile': p.binding_profile,
          'binding:vif_type': bound ? 'bridge' : 'unbound',
          'binding:vif_details': bound ? { port_filter: p.port_security_enabled, connectivity: 'l2' } : {},
        }
      : {}),
    ...std(p),
  };
}

export function renderRule(r: RuleRow) {
  return {
    id: r.id,
    ...owner(r.project_id),
    security_group_id: r.security_group_id,
    direction: r.direction,
    ethertype: r.ethertype,
    protocol: r.protocol,
    port_range_min: r.port_range_min,
    port_range_max: r.port_range_max,
    remote_ip_prefix: r.remote_ip_prefix,
    remote_group_id: r.remote_group_id,
    ...std(r),
  };
}

export function renderSecurityGroup(g: SecurityGroupRow & { rules: RuleRow[] }) {
  return {
    id: g.id,
    name: g.name,
    ...owner(g.project_id),
    stateful: g.stateful,
    security_group_rules: g.rules.map(renderRule),
    ...std(g),
  };
}

export function renderRouter(r: RouterView) {
  return {
    id: r.id,
    name: r.name,
    ...owner(r.project_id),
    admin_state_up: r.admin_state_up,
    status: r.status,
    external_gateway_info: r.gateway
      ? {
          network_id: r.gateway.network_id,
          enable_snat: r.gateway.enable_snat,
          external_fixed_ips: r.gateway.external_fixed_ips,
        }
      : null,
    routes: r.routes,
    availability_zone_hints: [] as string[],
    availability_zones: ['nova'],
    ...std(r),
  };
}

export function renderFloatingIp(f: FloatingIpRow, port: PortRow | undefined) {
  return {
    id: f.id,
    ...owner(f.project_id),
    floating_network_id: f.floating_network_id,
    router_id: f.router_id,
    fixed_ip_address: f.fixed_ip_address,
    floating_ip_address: f.floating_ip_address,
    port_id: f.fixed_port_id,
    status: f.status,
    port_details: port
      ? {
          name: port.name,
          network_id: port.network_id,
          mac_address: port.mac_address,
          admin_state_up: port.admin_state_up,
          status: port.status,
          device_id: port.device_id,
          device_owner: port.device_owner,
        }
      : null,
    ...std(f),
  };
}
