// accessIp spells addresses as netaddr does (Nova stores access IPs through netaddr.IPAddress).
import { describe, expect, it } from 'vitest';
import { accessIp } from '../../src/compute/servers/access-ips.js';

describe('accessIp', () => {
  it.each([
    ['0000:0000:0000:0000:0000:babe:220.12.22.2', '::babe:dc0c:1602'],
    ['2001:DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['0:0:0:0:0:FFFF:0102:0304', '::ffff:1.2.3.4'],
    ['::1.2.3.4', '::1.2.3.4'],
    ['::', '::'],
  ])('%s → %s', (v, want) => expect(accessIp(v, 'ipv6')).toBe(want));

  it('keeps a dotted quad; none stays none', () => {
    expect(accessIp('1.1.1.1', 'ipv4')).toBe('1.1.1.1');
    expect(accessIp('', 'ipv6')).toBeNull();
    expect(accessIp(null, 'ipv4')).toBeNull();
  });
});
