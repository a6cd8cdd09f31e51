// The network service's pure rules: addresses and CIDRs as netaddr reads them, subnet planning with
// Neutron's checks and Docker's limits, security group rule validation and duplicate keys.
import { describe, it, expect } from 'vitest';
import {
  validateSubnet,
  validateIpAddress,
  formatIp,
  parseIp,
  dockerMacFor,
  parseCidr,
  formatCidr,
} from '../../src/network/ip.js';
import { planSubnet } from '../../src/network/subnets.js';
const ctx = (all: any[] = []) => ({
  allSubnets: all,
  pools: { 4: '198.18.0.0/16', 6: 'fd6e:6f76:6100::/40' } as const,
});
const net = 'N1';
describe('ip', () => {
  it('validators', () => {
    expect(validateSubnet('10.0.0.5/24')).toBeNull();
    expect(validateSubnet('10.0.0.0')).toBe(
      "'10.0.0.0' isn't a recognized IP subnet cidr, '10.0.0.0/32' is recommended",
    );
    expect(validateSubnet('010.0.0.0/24')).toBe(
      "'010.0.0.0/24' isn't a recognized IP subnet cidr, '10.0.0.0/24' is recommended",
    );
    expect(validateSubnet('foo')).toBe("'foo' is not a valid IP subnet");
    expect(validateSubnet('10.0.0.0/33')).toBe("'10.0.0.0/33' is not a valid IP subnet");
    expect(validateIpAddress('010.0.0.1')).toBe("'010.0.0.1' is not an accepted IP address, '10.0.0.1' is recommended");
    expect(validateIpAddress('1.2.3')).toBe("'1.2.3' is not a valid IP address");
    expect(formatIp(parseIp('fd00:0:0:0:0:0:0:1')!)).toBe('fd00::1');
    expect(formatIp(parseIp('::ffff:1.2.3.4')!)).toBe('::ffff:102:304');
    expect(formatCidr(parseCidr('fd6e:6f76:6100:1::5/64')!)).toBe('fd6e:6f76:6100:1::/64');
    expect(dockerMacFor('198.18.241.10')).toBe('02:42:c6:12:f1:0a');
  });
});
describe('planSubnet', () => {
  it('defaults', () => {
    const p = planSubnet({ network_id: net, ip_version: 4, cidr: '198.18.5.7/24' }, ctx());
    expect(p).toMatchObject({
      cidr: '198.18.5.0/24',
      gateway_ip: '198.18.5.1',
      bridge_ip: '198.18.5.1',
      allocation_pools: [{ start: '198.18.5.2', end: '198.18.5.254' }],
    });
  });
  it('no gateway reserves the last host', () => {
    const p = planSubnet({ network_id: net, ip_version: 4, cidr: '198.18.5.0/24', gateway_ip: null }, ctx());
    expect(p).toMatchObject({
      gateway_ip: null,
      bridge_ip: '198.18.5.254',
      allocation_pools: [{ start: '198.18.5.1', end: '198.18.5.253' }],
    });
  });
  it('errors', () => {
    const e = (s: any, c = ctx()) => {
      try {
        planSubnet({ network_id: net, ip_version: 4, ...s }, c);
        return null;
      } catch (x: any) {
        return `${x.status} ${x.type}: ${x.message}`;
      }
    };
    expect(e({ cidr: '198.18.5.0/24', gateway_ip: '198.18.6.1' })).toMatch(/^400 InvalidInput: .*outside subnet/);
    expect(e({ cidr: '198.18.5.0/24', gateway_ip: '198.18.5.255' })).toBe(
      '400 InvalidInput: Invalid input for operation: Gateway is not valid on subnet.',
    );
    expect(e({ cidr: '10.0.0.0/24' })).toMatch(/outside the address pool/);
    expect(e({ cidr: 'fd00::/64' })).toBe(
      "400 InvalidInput: Invalid input for operation: cidr 'fd00::/64' does not match the ip_version '4'.",
    );
    expect(
      e({ cidr: '198.18.5.0/24' }, ctx([{ id: 'S', network_id: 'X', cidr: '198.18.4.0/23', ip_version: 4 }])),
    ).toBe(
      '400 InvalidInput: Invalid input for operation: Requested subnet with cidr: 198.18.5.0/24 for network: N1 overlaps with another subnet.',
    );
    expect(e({ cidr: '198.18.5.0/24', allocation_pools: [{ start: '198.18.5.10', end: '198.18.6.1' }] })).toBe(
      '400 OutOfBoundsAllocationPool: The allocation pool 198.18.5.10-198.18.6.1 spans beyond the subnet cidr 198.18.5.0/24.',
    );
    expect(
      e({
        cidr: '198.18.5.0/24',
        allocation_pools: [
          { start: '198.18.5.10', end: '198.18.5.20' },
          { start: '198.18.5.15', end: '198.18.5.30' },
        ],
      }),
    ).toBe(
      '409 OverlappingAllocationPools: Found overlapping allocation pools: 198.18.5.10-198.18.5.20 198.18.5.15-198.18.5.30 for subnet 198.18.5.0/24.',
    );
    expect(e({ cidr: '198.18.5.0/24', allocation_pools: [{ start: '198.18.5.1', end: '198.18.5.20' }] })).toBe(
      '409 GatewayConflictWithAllocationPools: Gateway ip 198.18.5.1 conflicts with allocation pool 198.18.5.1-198.18.5.20.',
    );
    expect(e({ cidr: '198.18.5.0/24', allocation_pools: [{ start: '198.18.5.20', end: '198.18.5.10' }] })).toBe(
      "400 InvalidAllocationPool: The allocation pool {'start': '198.18.5.20', 'end': '198.18.5.10'} is not valid.",
    );
    expect(e({ cidr: '198.18.5.0/31' })).toBe(
      '400 InvalidInput: Invalid input for operation: Subnet has a prefix length that is incompatible with DHCP service enabled.',
    );
    expect(e({ cidr: 'foo' })).toBe(
      "400 HTTPBadRequest: Invalid input for cidr. Reason: 'foo' is not a valid IP subnet.",
    );
  });
});

import { normalizeRule, ruleKey, defaultGroupRules } from '../../src/network/sg-rules.js';
const G1 = 'g1';
const e = (r: any) => {
  try {
    normalizeRule({ security_group_id: G1, direction: 'ingress', ...r });
    return null;
  } catch (x: any) {
    return `${x.status} ${x.type}: ${x.message}`;
  }
};
describe('sg rules', () => {
  it('normalises', () => {
    expect(
      normalizeRule({
        security_group_id: G1,
        direction: 'ingress',
        protocol: 'TCP',
        port_range_min: 1,
        port_range_max: 65535,
      }),
    ).toMatchObject({ protocol: 'tcp', port_range_min: null, port_range_max: null, ethertype: 'IPv4' });
    expect(
      normalizeRule({ security_group_id: G1, direction: 'ingress', ethertype: 'ipv6', protocol: 'icmp' }),
    ).toMatchObject({ protocol: 'ipv6-icmp', ethertype: 'IPv6' });
    expect(
      normalizeRule({ security_group_id: G1, direction: 'ingress', remote_ip_prefix: '10.0.0.1' }).remote_ip_prefix,
    ).toBe('10.0.0.1/32');
    expect(
      normalizeRule({
        security_group_id: G1,
        direction: 'ingress',
        protocol: 6,
        port_range_min: 22,
        port_range_max: 22,
      }).protocol,
    ).toBe('6');
  });
  it('errors', () => {
    expect(e({ protocol: 'foo' })).toMatch(
      /^400 SecurityGroupRuleInvalidProtocol: Security group rule protocol foo not supported. Only protocol values \[None, 'ah', /,
    );
    expect(e({ protocol: 'tcp', port_range_min: 30, port_range_max: 20 })).toBe(
      '400 SecurityGroupInvalidPortRange: For TCP/UDP protocols, port_range_min must be <= port_range_max',
    );
    expect(e({ port_range_min: 22, port_range_max: 22 })).toBe(
      '400 SecurityGroupProtocolRequiredWithPorts: Must also specify protocol if port range is given.',
    );
    expect(e({ protocol: 'gre', port_range_min: 22, port_range_max: 22 })).toBe(
      '400 SecurityGroupInvalidProtocolForPort: Ports cannot be specified for protocol 47. Ports are only supported for DCCP, SCTP, TCP, UDP, UDPLITE.',
    );
    expect(e({ protocol: 'icmp', port_range_min: 300 })).toBe(
      '400 SecurityGroupInvalidIcmpValue: Invalid value for ICMP type (port_range_min) 300. It must be 0 to 255.',
    );
    expect(e({ protocol: 'icmp', port_range_max: 3 })).toBe(
      '400 SecurityGroupMissingIcmpType: ICMP code (port-range-max) 3 is provided but ICMP type (port-range-min) is missing.',
    );
    expect(e({ protocol: 'tcp', port_range_min: 70000, port_range_max: 70000 })).toBe(
      '400 SecurityGroupInvalidPortValue: Invalid value for port 70000',
    );
    expect(e({ remote_ip_prefix: 'fd00::/8' })).toBe(
      '400 SecurityGroupRuleParameterConflict: Conflicting value ethertype IPv4 for CIDR fd00::/8',
    );
    expect(e({ remote_ip_prefix: 'bogus' })).toBe('400 InvalidCIDR: Invalid CIDR bogus given as IP prefix.');
    expect(e({ ethertype: 'IPv5' })).toBe(
      "400 SecurityGroupRuleInvalidEtherType: Security group rule for ethertype 'IPv5' not supported. Allowed values are ['IPv4', 'IPv6'].",
    );
    expect(e({ protocol: 'ipv6-icmp' })).toBe(
      '400 SecurityGroupEthertypeConflictWithProtocol: Invalid ethertype IPv4 for protocol ipv6-icmp.',
    );
    expect(e({ remote_ip_prefix: '10.0.0.0/8', remote_group_id: 'x' })).toBe(
      '400 SecurityGroupMultipleRemoteEntites: Only one of remote_ip_prefix or remote_group_id or remote_address_group_id may be provided.',
    );
  });
  it('keys', () => {
    const a = normalizeRule({
      security_group_id: G1,
      direction: 'ingress',
      protocol: 'tcp',
      port_range_min: 22,
      port_range_max: 22,
      remote_ip_prefix: '0.0.0.0/0',
    });
    const b = normalizeRule({
      security_group_id: G1,
      direction: 'ingress',
      protocol: '6',
      port_range_min: 22,
      port_range_max: 22,
    });
    expect(ruleKey(a)).toBe(ruleKey(b));
    expect(defaultGroupRules(G1).map(ruleKey)).toHaveLength(4);
  });
});
