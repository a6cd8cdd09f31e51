// The attribute maps of the resources we serve (neutron-lib api/definitions at Zed, limited to the
// listed extensions): what POST and PUT accept, what is required, converters and validators, and
// which attributes are filters and sort keys for lists.
import {
  inRange,
  inValues,
  isAddressPairs,
  isBoolean,
  isFixedIps,
  isGatewayInfo,
  isHostRoutes,
  isIp,
  isIpOrNone,
  isMac,
  isNameservers,
  isPools,
  isString,
  isSubnetCidr,
  isUuid,
  isUuidList,
  isUuidOrNone,
  noneToEmptyList,
  toBoolean,
  toInt,
  type AttrMap,
} from './attrs.js';
import type { ResourceSpec } from './list-query.js';

const NAME = 255;
const DESC = 255;
const name = { post: true, put: true, validate: isString(NAME) };
const description = { post: true, put: true, validate: isString(DESC) };
const adminState = { post: true, put: true, convert: toBoolean, validate: isBoolean };
/** read-only attributes: known (so POST/PUT get Neutron's read-only messages, not "Unrecognized") */
const ro = (...names: string[]): AttrMap => Object.fromEntries(names.map((n) => [n, { post: false, put: false }]));
const STD = ['id', 'created_at', 'updated_at', 'revision_number', 'tags'];

export const NETWORK_ATTRS: AttrMap = {
  ...ro(
    ...STD,
    'status',
    'subnets',
    'mtu',
    'availability_zones',
    'ipv4_address_scope',
    'ipv6_address_scope',
    'is_default',
  ),
  // the provider extension (provider_net.py): admin-only by policy, checked in network/provider.ts
  'provider:network_type': { post: true, put: true, validate: isString(255) },
  'provider:physical_network': { post: true, put: true, validate: isString(64) },
  'provider:segmentation_id': { post: true, put: true, convert: toInt },
  name,
  description,
  admin_state_up: adminState,
  shared: { post: true, put: true, convert: toBoolean, validate: isBoolean },
  'router:external': { post: true, put: true, convert: toBoolean, validate: isBoolean },
  port_security_enabled: { post: true, put: true, convert: toBoolean, validate: isBoolean },
  availability_zone_hints: {
    post: true,
    put: false,
    validate: (v) =>
      Array.isArray(v) && v.length === 0 ? null : `availability zones are not supported: '${String(v)}'`,
  },
};

export const SUBNET_ATTRS: AttrMap = {
  ...ro(...STD, 'service_types'),
  name,
  description,
  network_id: { post: true, put: false, required: true, validate: isUuid },
  ip_version: { post: true, put: false, required: true, convert: toInt, validate: inValues([4, 6]) },
  cidr: { post: true, put: false, required: true, validate: isSubnetCidr },
  gateway_ip: { post: true, put: true, validate: isIpOrNone },
  allocation_pools: { post: true, put: true, validate: isPools },
  dns_nameservers: { post: true, put: true, convert: noneToEmptyList, validate: isNameservers },
  host_routes: { post: true, put: true, convert: noneToEmptyList, validate: isHostRoutes },
  enable_dhcp: { post: true, put: true, convert: toBoolean, validate: isBoolean },
  ipv6_ra_mode: {
    post: true,
    put: false,
    validate: (v) => (v === null ? null : inValues(['dhcpv6-stateful', 'dhcpv6-stateless', 'slaac'])(v)),
  },
  ipv6_address_mode: {
    post: true,
    put: false,
    validate: (v) => (v === null ? null : inValues(['dhcpv6-stateful', 'dhcpv6-stateless', 'slaac'])(v)),
  },
  subnetpool_id: { post: true, put: false, validate: (v) => (v === null ? null : 'subnet pools are not supported') },
};

export const PORT_ATTRS: AttrMap = {
  ...ro(...STD, 'status', 'binding:vif_type', 'binding:vif_details', 'ip_allocation'),
  name,
  description,
  admin_state_up: adminState,
  network_id: { post: true, put: false, required: true, validate: isUuid },
  mac_address: { post: true, put: true, validate: isMac },
  fixed_ips: { post: true, put: true, convert: noneToEmptyList, validate: isFixedIps },
  device_id: { post: true, put: true, validate: isString(255) },
  device_owner: { post: true, put: true, validate: isString(255) },
  security_groups: { post: true, put: true, convert: noneToEmptyList, validate: isUuidList },
  allowed_address_pairs: { post: true, put: true, convert: noneToEmptyList, validate: isAddressPairs },
  port_security_enabled: { post: true, put: true, convert: toBoolean, validate: isBoolean },
  'binding:host_id': { post: true, put: true, validate: isString(255) },
  'binding:profile': { post: true, put: true },
  'binding:vnic_type': { post: true, put: true, validate: inValues(['normal']) },
};

export const ROUTER_ATTRS: AttrMap = {
  ...ro(...STD, 'status', 'routes', 'availability_zones', 'availability_zone_hints'),
  name,
  description,
  admin_state_up: adminState,
  external_gateway_info: { post: true, put: true, validate: isGatewayInfo },
};

export const ROUTER_INTERFACE_ATTRS: AttrMap = {
  subnet_id: { post: true, put: true, validate: isUuid },
  port_id: { post: true, put: true, validate: isUuid },
};

export const FLOATINGIP_ATTRS: AttrMap = {
  ...ro(...STD, 'status', 'router_id', 'port_details'),
  description,
  floating_network_id: { post: true, put: false, required: true, validate: isUuid },
  floating_ip_address: { post: true, put: false, validate: isIp },
  subnet_id: { post: true, put: false, validate: isUuidOrNone },
  port_id: { post: true, put: true, validate: isUuidOrNone },
  fixed_ip_address: { post: true, put: true, validate: isIpOrNone },
};

export const SECURITY_GROUP_ATTRS: AttrMap = {
  ...ro(...STD, 'security_group_rules'),
  name,
  description,
  stateful: { post: true, put: true, convert: toBoolean, validate: isBoolean },
};

/** Rules: the converters and their messages live in sg-rules.ts (they raise SecurityGroup* errors). */
export const SECURITY_GROUP_RULE_ATTRS: AttrMap = {
  ...ro(...STD),
  description,
  security_group_id: { post: true, put: false, required: true, validate: isString(36) },
  remote_group_id: { post: true, put: false },
  direction: { post: true, put: false, required: true, validate: inValues(['ingress', 'egress']) },
  protocol: { post: true, put: false },
  port_range_min: { post: true, put: false },
  port_range_max: { post: true, put: false },
  ethertype: { post: true, put: false },
  remote_ip_prefix: { post: true, put: false },
};

export const QUOTA_ATTRS: AttrMap = Object.fromEntries(
  ['network', 'subnet', 'port', 'router', 'floatingip', 'security_group', 'security_group_rule'].map((r) => [
    r,
    { post: false, put: true, convert: toInt, validate: inRange(-1, 2147483647) },
  ]),
);

// ---- list filters and sort keys ----------------------------------------------------------------------
const common: ResourceSpec = {
  id: { filter: true, sort: true },
  name: { filter: true, sort: true },
  description: { filter: true },
  revision_number: { filter: true, type: 'int' },
};
export const NETWORK_LIST: ResourceSpec = {
  ...common,
  admin_state_up: { filter: true, sort: true, type: 'bool' },
  status: { filter: true, sort: true },
  shared: { filter: true, sort: true, type: 'bool' },
  'router:external': { filter: true, sort: true, type: 'bool' },
  mtu: { filter: true, sort: true, type: 'int' },
  port_security_enabled: { filter: true, type: 'bool' },
};
export const SUBNET_LIST: ResourceSpec = {
  ...common,
  network_id: { filter: true, sort: true },
  ip_version: { filter: true, sort: true, type: 'int' },
  cidr: { filter: true, sort: true },
  gateway_ip: { filter: true, sort: true },
  enable_dhcp: { filter: true, sort: true, type: 'bool' },
  ipv6_ra_mode: { filter: true, sort: true },
  ipv6_address_mode: { filter: true, sort: true },
  subnetpool_id: { filter: true, sort: true },
};
export const PORT_LIST: ResourceSpec = {
  ...common,
  network_id: { filter: true, sort: true },
  admin_state_up: { filter: true, sort: true, type: 'bool' },
  mac_address: { filter: true, sort: true },
  device_id: { filter: true, sort: true },
  device_owner: { filter: true, sort: true },
  status: { filter: true, sort: true },
  'binding:host_id': { filter: true },
  'binding:vnic_type': { filter: true },
  port_security_enabled: { filter: true, type: 'bool' },
};
export const ROUTER_LIST: ResourceSpec = {
  ...common,
  admin_state_up: { filter: true, sort: true, type: 'bool' },
  status: { filter: true, sort: true },
};
export const FLOATINGIP_LIST: ResourceSpec = {
  id: { filter: true, sort: true },
  description: { filter: true },
  floating_network_id: { filter: true, sort: true },
  floating_ip_address: { filter: true, sort: true },
  router_id: { filter: true, sort: true },
  port_id: { filter: true, sort: true },
  fixed_ip_address: { filter: true, sort: true },
  status: { filter: true, sort: true },
  revision_number: { filter: true, type: 'int' },
};
export const SECURITY_GROUP_LIST: ResourceSpec = { ...common, stateful: { filter: true, type: 'bool' } };
export const SECURITY_GROUP_RULE_LIST: ResourceSpec = {
  id: { filter: true, sort: true },
  description: { filter: true },
  security_group_id: { filter: true, sort: true },
  remote_group_id: { filter: true, sort: true },
  direction: { filter: true, sort: true },
  protocol: { filter: true, sort: true },
  port_range_min: { filter: true, sort: true, type: 'int' },
  port_range_max: { filter: true, sort: true, type: 'int' },
  ethertype: { filter: true, sort: true },
  remote_ip_prefix: { filter: true, sort: true },
  revision_number: { filter: true, type: 'int' },
};
