// accessIPv4 / accessIPv6 as Nova stores them: through netaddr (objects/instance.py access_ip_v4/v6
// are IPV4AddressField/IPV6AddressField, whose coerce is netaddr.IPAddress), so they read back in
// netaddr's text: 0000:0000:0000:0000:0000:babe:220.12.22.2 is ::babe:dc0c:1602, 2001:DB8:0:0:1:0:0:1
// is 2001:db8::1:0:0:1, ::ffff:1.2.3.4 keeps its dotted tail. Node's SocketAddress prints exactly
// that (inet_ntop, as netaddr does). The API schema has already checked the format (jsonschema's
// ipv4/ipv6, as Nova's), so an address only changes its spelling here; '' and null mean none.
import { SocketAddress } from 'node:net';

export function accessIp(value: string | null | undefined, family: 'ipv4' | 'ipv6'): string | null {
  if (!value) return null;
  try {
    return new SocketAddress({ address: value, family }).address;
  } catch {
    return value;
  }
}
