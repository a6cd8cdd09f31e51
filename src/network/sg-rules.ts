// Security group rules as Neutron Zed validates and stores them (neutron/extensions/securitygroup.py
// converters, neutron/db/securitygroups_db.py _validate_security_group_rule, _rule_to_key). Pure.
import type { RuleRow } from '../db/repositories/neutron-security-groups-repo.js';
import { parseNetwork, formatIp, pyStr } from './ip.js';
import {
  HTTPBadRequest,
  InvalidCIDR,
  SG_PROTOCOLS,
  SecurityGroupEthertypeConflictWithProtocol,
  SecurityGroupInvalidIcmpValue,
  SecurityGroupInvalidPortRange,
  SecurityGroupInvalidPortValue,
  SecurityGroupInvalidProtocolForPort,
  SecurityGroupMissingIcmpType,
  SecurityGroupMultipleRemoteEntites,
  SecurityGroupProtocolRequiredWithPorts,
  SecurityGroupRuleInvalidEtherType,
  SecurityGroupRuleInvalidProtocol,
  SecurityGroupRuleParameterConflict,
} from './errors.js';

/** neutron_lib constants IP_PROTOCOL_MAP */
export const IP_PROTOCOL_MAP: Record<string, number> = {
  ah: 51,
  dccp: 33,
  egp: 8,
  esp: 50,
  gre: 47,
  hopopt: 0,
  icmp: 1,
  igmp: 2,
  ip: 0,
  ipip: 4,
  'ipv6-encap': 41,
  'ipv6-frag': 44,
  'ipv6-icmp': 58,
  icmpv6: 58,
  'ipv6-nonxt': 59,
  'ipv6-opts': 60,
  'ipv6-route': 43,
  ospf: 89,
  pgm: 113,
  rsvp: 46,
  sctp: 132,
  tcp: 6,
  udp: 17,
  udplite: 136,
  vrrp: 112,
};
/** number → name, 'icmpv6' excluded, later names win (0 → 'ip') */
const NUM_TO_NAME: Record<string, string> = Object.fromEntries(
  Object.entries(IP_PROTOCOL_MAP)
    .filter(([k]) => k !== 'icmpv6')
    .map(([k, v]) => [String(v), k]),
);
const PORT_PROTOCOLS = new Set(['dccp', 'sctp', 'tcp', 'udp', 'udplite', '33', '132', '6', '17', '136']);
const PORT_PROTO_NUMS = new Set([33, 132, 6, 17, 136]);
const IPV6_ONLY = new Set([
  'ipv6-encap',
  'ipv6-frag',
  'ipv6-icmp',
  'icmpv6',
  'ipv6-nonxt',
  'ipv6-opts',
  'ipv6-route',
  '41',
  '44',
  '58',
  '59',
  '60',
  '43',
]);

export interface RuleInput {
  security_group_id: string;
  direction: 'ingress' | 'egress';
  ethertype?: string;
  protocol?: string | number | null;
  port_range_min?: number | string | null;
  port_range_max?: number | string | null;
  remote_ip_prefix?: string | null;
  remote_group_id?: string | null;
  remote_address_group_id?: string | null;
  description?: string;
}

/** A rule as Neutron stores it, before the record's own fields (id, owner, key, times). */
export type NormalizedRule = Omit<
  RuleRow,
  'id' | 'project_id' | 'rule_key' | 'created_at' | 'updated_at' | 'revision_number'
>;

/** convert_protocol */
function convertProtocol(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || (typeof value === 'string' && /^-?\d+$/.test(value.trim()))) {
    const n = Number(value);
    if (Number.isInteger(n) && n >= 0 && n <= 255) return String(value);
    throw SecurityGroupRuleInvalidProtocol(pyStr(value));
  }
  if (typeof value === 'string' && (SG_PROTOCOLS as readonly string[]).includes(value.toLowerCase()))
    return value.toLowerCase();
  throw SecurityGroupRuleInvalidProtocol(pyStr(value));
}

/** convert_validate_port_value (oslo netutils.is_valid_port: 0..65535 integers) */
function convertPort(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const s = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (/^\d+$/.test(s) && Number(s) <= 65535) return Number(s);
  throw SecurityGroupInvalidPortValue(pyStr(value));
}

function convertEthertype(value: unknown): 'IPv4' | 'IPv6' {
  if (value === undefined) return 'IPv4';
  if (typeof value === 'string') {
    if (value.toLowerCase() === 'ipv4') return 'IPv4';
    if (value.toLowerCase() === 'ipv6') return 'IPv6';
  }
  throw SecurityGroupRuleInvalidEtherType(pyStr(value));
}

/** convert_ip_prefix_to_cidr: netaddr keeps host bits and adds the mask */
function convertPrefix(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  const n = typeof value === 'string' ? parseNetwork(value) : null;
  if (!n) throw InvalidCIDR(pyStr(value));
  return `${formatIp(n.ip)}/${n.prefix}`;
}

const protoNumber = (p: string) => (p in IP_PROTOCOL_MAP ? IP_PROTOCOL_MAP[p] : Number(p));

export function normalizeRule(r: RuleInput): NormalizedRule {
  if (r.direction !== 'ingress' && r.direction !== 'egress') {
    throw HTTPBadRequest(
      `Invalid input for direction. Reason: '${pyStr(r.direction)}' is not in ['ingress', 'egress'].`,
    );
  }
  const rule: NormalizedRule = {
    security_group_id: r.security_group_id,
    direction: r.direction,
    // attribute-map order of neutron's converters: protocol, ports, ethertype, prefix
    protocol: convertProtocol(r.protocol),
    port_range_min: convertPort(r.port_range_min),
    port_range_max: convertPort(r.port_range_max),
    ethertype: convertEthertype(r.ethertype),
    remote_ip_prefix: convertPrefix(r.remote_ip_prefix),
    remote_group_id: r.remote_group_id ?? null,
    remote_address_group_id: r.remote_address_group_id ?? null,
    description: r.description ?? '',
  };
  // _make_canonical_ipv6_icmp_protocol
  if (rule.ethertype === 'IPv6') {
    if (rule.protocol === 'icmp' || rule.protocol === 'icmpv6') rule.protocol = 'ipv6-icmp';
    else if (rule.protocol === '1') rule.protocol = '58';
  }
  // _make_canonical_port_range
  if (rule.port_range_min === 1 && rule.port_range_max === 65535) rule.port_range_min = rule.port_range_max = null;
  // _validate_port_range
  if (rule.port_range_min !== null || rule.port_range_max !== null) {
    if (!rule.protocol) throw SecurityGroupProtocolRequiredWithPorts();
    const num = protoNumber(rule.protocol);
    if (PORT_PROTO_NUMS.has(num) || PORT_PROTOCOLS.has(rule.protocol)) {
      if (rule.port_range_min === 0 || rule.port_range_max === 0) throw SecurityGroupInvalidPortValue('0');
      if (!(
        rule.port_range_min !== null &&
        rule.port_range_max !== null &&
        rule.port_range_min <= rule.port_range_max
      )) {
        throw SecurityGroupInvalidPortRange();
      }
    } else if (num === 1 || num === 58) {
      for (const [attr, field] of [
        ['port_range_min', 'type'],
        ['port_range_max', 'code'],
      ] as const) {
        const v = rule[attr];
        if (v !== null && !(v >= 0 && v <= 255)) throw SecurityGroupInvalidIcmpValue(field, attr, String(v));
      }
      if (rule.port_range_min === null && rule.port_range_max !== null)
        throw SecurityGroupMissingIcmpType(String(rule.port_range_max));
    } else {
      throw SecurityGroupInvalidProtocolForPort(String(num));
    }
  }
  // _validate_ip_prefix
  if (rule.remote_ip_prefix) {
    const v = rule.remote_ip_prefix.includes(':') ? 'IPv6' : 'IPv4';
    if (rule.ethertype !== v) throw SecurityGroupRuleParameterConflict(rule.ethertype, String(r.remote_ip_prefix));
  }
  // _validate_ethertype_and_protocol
  if (rule.protocol && IPV6_ONLY.has(rule.protocol) && rule.ethertype === 'IPv4') {
    throw SecurityGroupEthertypeConflictWithProtocol(rule.ethertype, rule.protocol);
  }
  const remotes = [rule.remote_ip_prefix, rule.remote_group_id, rule.remote_address_group_id].filter((x) => x);
  if (remotes.length > 1) throw SecurityGroupMultipleRemoteEntites();
  return rule;
}

/** _rule_to_key: the duplicate-detection key (stored with a unique constraint per group). */
export function ruleKey(rule: NormalizedRule): string {
  const none = '+';
  const protoKey = (p: string | null) => {
    if (p === null) return none;
    let name: string, num: string;
    let q = p;
    if (rule.ethertype === 'IPv6') {
      if (q === 'icmp' || q === 'icmpv6') q = 'ipv6-icmp';
      else if (q === '1') q = '58';
    }
    if (q in IP_PROTOCOL_MAP) {
      name = q;
      num = String(IP_PROTOCOL_MAP[q]);
    } else if (q in NUM_TO_NAME) {
      name = NUM_TO_NAME[q];
      num = q;
    } else {
      name = q;
      num = q;
    }
    return `['${name}', '${num}']`;
  };
  const prefix =
    rule.remote_ip_prefix === null || rule.remote_ip_prefix === '0.0.0.0/0' || rule.remote_ip_prefix === '::/0'
      ? none
      : rule.remote_ip_prefix;
  const v = (x: string | number | null) => (x === null ? none : String(x));
  return [
    rule.direction,
    rule.ethertype,
    v(rule.port_range_max),
    v(rule.port_range_min),
    protoKey(rule.protocol),
    v(rule.remote_group_id),
    v(rule.remote_address_group_id),
    prefix,
    rule.security_group_id,
  ].join('_');
}

/** Neutron's default group: ingress from itself and egress anywhere, for IPv4 and IPv6. */
export function defaultGroupRules(sgId: string): NormalizedRule[] {
  const base = {
    security_group_id: sgId,
    protocol: null,
    port_range_min: null,
    port_range_max: null,
    remote_ip_prefix: null,
    remote_address_group_id: null,
    description: '',
  };
  return (['IPv4', 'IPv6'] as const).flatMap((ethertype) => [
    { ...base, direction: 'ingress' as const, ethertype, remote_group_id: sgId },
    { ...base, direction: 'egress' as const, ethertype, remote_group_id: null },
  ]);
}
