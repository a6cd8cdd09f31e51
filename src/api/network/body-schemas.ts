// OpenAPI request-body schemas derived from the attribute maps (documentation and the fuzzer; the
// checks themselves are attrs.ts's, which word errors as Neutron does).
import type { AttrMap } from './attrs.js';

type Json = Record<string, unknown>;
const str = (description: string): Json => ({ type: 'string', description });
const bool = (description: string): Json => ({ type: 'boolean', description });
const nullable = (s: Json): Json => ({ ...s, nullable: true });

/** What each attribute is, as Neutron's api-ref describes it. */
const DOCS: Record<string, Json> = {
  name: str('Human-readable name of the resource.'),
  description: str('A human-readable description for the resource.'),
  admin_state_up: bool('The administrative state of the resource (up when true).'),
  shared: bool('Whether the network is shared across all projects (admin only).'),
  'router:external': bool(
    'Whether the network is external, a source of floating IPs and router gateways (admin only).',
  ),
  port_security_enabled: bool('Port security (security groups and address checks) on or off.'),
  availability_zone_hints: {
    type: 'array',
    items: { type: 'string' },
    description: 'Availability zone candidates (none are supported: an empty list).',
  },
  network_id: str('The ID of the network.'),
  ip_version: { type: 'integer', enum: [4, 6], description: 'The IP protocol version, 4 or 6.' },
  cidr: str("The CIDR of the subnet, inside the deployment's address pool."),
  gateway_ip: nullable(str('Gateway IP of the subnet (inside the subnet); null for none.')),
  allocation_pools: {
    type: 'array',
    description: 'Ranges addresses are allocated from.',
    items: {
      type: 'object',
      additionalProperties: false,
      properties: { start: str('First address.'), end: str('Last address.') },
    },
  },
  dns_nameservers: { type: 'array', items: { type: 'string' }, description: 'DNS name servers of the subnet.' },
  host_routes: {
    type: 'array',
    description: 'Additional routes of the subnet.',
    items: {
      type: 'object',
      additionalProperties: false,
      properties: { destination: str('Destination CIDR.'), nexthop: str('Next hop address.') },
    },
  },
  enable_dhcp: bool('Whether DHCP is enabled (recorded; containers get their addresses from Docker).'),
  ipv6_ra_mode: nullable(str('IPv6 router advertisement mode (recorded).')),
  ipv6_address_mode: nullable(str('IPv6 address mode (recorded).')),
  subnetpool_id: nullable(str('Subnet pools are not supported: null only.')),
  mac_address: str('The MAC address of the port.'),
  fixed_ips: {
    type: 'array',
    description: 'The IP addresses of the port: subnet_id and/or ip_address per entry.',
    items: {
      type: 'object',
      additionalProperties: false,
      properties: { subnet_id: str("A subnet of the port's network."), ip_address: str('An address of that subnet.') },
    },
  },
  device_id: str("The ID of the device using the port (a server's UUID, a router's ID)."),
  device_owner: str('The entity using the port (compute:<zone>, network:router_interface, …).'),
  security_groups: {
    type: 'array',
    items: { type: 'string' },
    description: 'IDs of the security groups applied to the port.',
  },
  allowed_address_pairs: {
    type: 'array',
    description: 'Address pairs the port may also use.',
    items: {
      type: 'object',
      additionalProperties: false,
      properties: { ip_address: str('Address or CIDR.'), mac_address: str('MAC address.') },
    },
  },
  'binding:host_id': str('The host the port is bound to (read-only here).'),
  'binding:profile': { type: 'object', description: 'Binding profile (read-only here).' },
  'binding:vnic_type': str('The VNIC type: normal.'),
  external_gateway_info: nullable({
    type: 'object',
    additionalProperties: false,
    description: "The router's gateway: network_id of an external network, enable_snat, external_fixed_ips.",
    properties: {
      network_id: str('External network ID.'),
      enable_snat: bool('SNAT on the gateway (admin only; recorded).'),
      external_fixed_ips: {
        type: 'array',
        description: 'Gateway addresses (admin only).',
        items: {
          type: 'object',
          additionalProperties: false,
          properties: { subnet_id: str('Subnet ID.'), ip_address: str('Address.') },
        },
      },
    },
  }),
  subnet_id: nullable(str('The ID of a subnet.')),
  port_id: nullable(str('The ID of a port.')),
  floating_network_id: str('The external network the floating IP comes from.'),
  floating_ip_address: str('The floating address (admin only).'),
  fixed_ip_address: nullable(str("The port's fixed IPv4 address the floating IP maps to.")),
  stateful: bool('Whether the security group is stateful.'),
  security_group_id: str('The security group the rule belongs to.'),
  remote_group_id: nullable(str('A security group whose members the rule admits.')),
  direction: { type: 'string', enum: ['ingress', 'egress'], description: 'ingress or egress.' },
  protocol: nullable({ type: ['string', 'integer'], description: 'IP protocol name or number 0-255.' }),
  port_range_min: nullable({ type: 'integer', description: 'Lowest port (ICMP type).' }),
  port_range_max: nullable({ type: 'integer', description: 'Highest port (ICMP code).' }),
  ethertype: { type: 'string', description: 'IPv4 or IPv6.' },
  remote_ip_prefix: nullable(str('Remote CIDR the rule admits.')),
  project_id: str('The owner project (admin: any project).'),
  tenant_id: str('The owner project (deprecated name of project_id).'),
};
for (const r of ['network', 'subnet', 'port', 'router', 'floatingip', 'security_group', 'security_group_rule']) {
  DOCS[r] = { type: 'integer', minimum: -1, description: `Limit for ${r} (-1: unlimited).` };
}
DOCS.force = bool('Set the limit even if usage is over it.');
DOCS.check_limit = { type: ['boolean', 'string'], description: 'Refuse a limit below current usage.' };

/** `{ <member>: {...} }` with the attributes a POST (or PUT) may carry. */
export function bodySchema(
  member: string,
  attrs: AttrMap,
  isCreate: boolean,
  extra: string[] = ['project_id', 'tenant_id'],
): Json {
  const properties: Record<string, Json> = {};
  const required: string[] = [];
  for (const [name, a] of Object.entries(attrs)) {
    if (!(isCreate ? a.post : a.put)) continue;
    properties[name] = DOCS[name] ?? { description: name };
    if (isCreate && a.required) required.push(name);
  }
  if (isCreate) for (const e of extra) properties[e] = DOCS[e];
  const inner: Json = { type: 'object', additionalProperties: false, properties, description: `The ${member}.` };
  if (required.length) inner.required = required;
  return { type: 'object', additionalProperties: false, required: [member], properties: { [member]: inner } };
}
