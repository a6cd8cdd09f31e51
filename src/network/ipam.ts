// Address choice inside one subnet. The caller holds the subnet's lock (design E3) and the
// (subnet_id, ip_address) primary key makes a double allocation impossible even if it did not.
import { cidrContains, cidrFirst, cidrLast, parseCidr, parseIp, ipText, type IpVersion } from './ip.js';

export interface SubnetForIpam {
  id: string;
  cidr: string;
  ip_version: IpVersion;
  allocation_pools: { start: string; end: string }[];
  /** the host bridge's address: never given to a port */
  bridge_ip: string;
}

/** neutron ipam utils.check_subnet_ip: inside, and for IPv4 neither the network nor the broadcast address. */
export function isValidIpForSubnet(subnet: Pick<SubnetForIpam, 'cidr'>, address: string, routerPort = false): boolean {
  const c = parseCidr(subnet.cidr)!;
  const ip = parseIp(address);
  if (!ip || !cidrContains(c, ip)) return false;
  if (c.version === 6) return routerPort || ip.value !== cidrFirst(c);
  return ip.value !== cidrFirst(c) && ip.value !== cidrLast(c);
}

/** Lowest free address of the pools, or null when the pools are full. `taken` holds canonical texts. */
export function lowestFree(subnet: SubnetForIpam, taken: ReadonlySet<string>): string | null {
  const v = subnet.ip_version;
  const used = new Set<bigint>([...taken].map((t) => parseIp(t)!.value));
  used.add(parseIp(subnet.bridge_ip)!.value);
  const pools = subnet.allocation_pools
    .map((p) => ({ first: parseIp(p.start)!.value, last: parseIp(p.end)!.value }))
    .sort((a, b) => (a.first < b.first ? -1 : 1));
  for (const p of pools) {
    // at most |used| + 1 steps per pool: every skipped address is a used one
    for (let a = p.first; a <= p.last; a++) {
      if (!used.has(a)) return ipText(v, a);
    }
  }
  return null;
}

/** Canonical text of an address (so '198.18.0.010' and '198.18.0.10' never both get in). */
export const canonicalIp = (s: string) => {
  const ip = parseIp(s);
  return ip ? ipText(ip.version, ip.value) : s;
};
