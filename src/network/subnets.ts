// Subnet rules (create): Neutron's checks in Neutron's order (db_base_plugin_v2 _validate_subnet,
// ipam_backend_mixin _validate_subnet_cidr / validate_allocation_pools / validate_gw_out_of_pools),
// then what a Docker bridge needs (one subnet per family, gateway inside, an address for the host
// bridge, the deployment's address pool, no overlap anywhere). Pure: the caller passes the
// existing subnets and the pools.
import {
  cidrContains,
  cidrFirst,
  cidrLast,
  cidrsOverlap,
  cidrWithin,
  formatCidr,
  formatIp,
  formatRange,
  ipText,
  parseCidr,
  parseIp,
  validateIpAddress,
  validateSubnet,
  type Cidr,
  type IpRange,
  type IpVersion,
} from './ip.js';
import {
  DNSNameServersExhausted,
  GatewayConflictWithAllocationPools,
  HostRoutesExhausted,
  HTTPBadRequest,
  InvalidAllocationPool,
  InvalidInput,
  OutOfBoundsAllocationPool,
  OverlappingAllocationPools,
} from './errors.js';

export const MAX_DNS_NAMESERVERS = 5; // neutron/conf/common.py
export const MAX_SUBNET_HOST_ROUTES = 20;

export interface SubnetInput {
  network_id: string;
  ip_version: IpVersion;
  cidr: string;
  /** undefined: not given (Neutron picks the first host); null: no gateway */
  gateway_ip?: string | null;
  allocation_pools?: { start: string; end: string }[];
  dns_nameservers?: string[];
  host_routes?: { destination: string; nexthop: string }[];
  enable_dhcp?: boolean;
}

export interface ExistingSubnet {
  id: string;
  network_id: string;
  cidr: string;
  ip_version: IpVersion;
}

export interface SubnetContext {
  /** every subnet of the deployment (overlap is checked deployment-wide: see the design's differences §2) */
  allSubnets: ExistingSubnet[];
  pools: { 4: string; 6: string };
}

export interface PlannedSubnet {
  cidr: string;
  gateway_ip: string | null;
  /** the address Docker puts on the host bridge */
  bridge_ip: string;
  allocation_pools: { start: string; end: string }[];
  dns_nameservers: string[];
  host_routes: { destination: string; nexthop: string }[];
}

const invalidFor = (attr: string, reason: string) => HTTPBadRequest(`Invalid input for ${attr}. Reason: ${reason}.`);

/** Attribute validators (neutron_lib); the body schema already checked types. */
export function validateSubnetAttributes(s: SubnetInput): void {
  const cidrErr = validateSubnet(s.cidr);
  if (cidrErr) throw invalidFor('cidr', cidrErr);
  if (s.gateway_ip !== undefined && s.gateway_ip !== null) {
    const e = validateIpAddress(s.gateway_ip);
    if (e) throw invalidFor('gateway_ip', e);
  }
  for (const p of s.allocation_pools ?? []) {
    for (const k of ['start', 'end'] as const) {
      const e = validateIpAddress(p[k]);
      if (e) throw invalidFor('allocation_pools', e);
    }
  }
  for (const r of s.host_routes ?? []) {
    const d = validateSubnet(r.destination) ?? validateIpAddress(r.nexthop);
    if (d) throw invalidFor('host_routes', d);
  }
  const seen = new Set<string>();
  for (const d of s.dns_nameservers ?? []) {
    if (seen.has(d)) throw invalidFor('dns_nameservers', `Duplicate nameserver '${d}'`);
    seen.add(d);
  }
}

function assertVersion(version: IpVersion, addr: string, name: string) {
  const v = addr.includes(':') ? 6 : 4;
  if (v !== version) throw InvalidInput(`${name} '${addr}' does not match the ip_version '${version}'`);
}

export function planSubnet(s: SubnetInput, ctx: SubnetContext): PlannedSubnet {
  validateSubnetAttributes(s);
  const v = s.ip_version;
  // _validate_subnet
  assertVersion(v, s.cidr, 'cidr');
  const cidr = parseCidr(s.cidr) as Cidr;
  const enableDhcp = s.enable_dhcp ?? true;
  if (enableDhcp && ((v === 4 && cidr.prefix > 30) || (v === 6 && cidr.prefix > 126))) {
    throw InvalidInput('Subnet has a prefix length that is incompatible with DHCP service enabled');
  }
  if (enableDhcp && v === 4 && cidr.network === 0n)
    throw InvalidInput("First IP '0.0.0.0' of network is not supported if enable_dhcp is True.");
  if (s.gateway_ip) {
    assertVersion(v, s.gateway_ip, 'gateway_ip');
    const gw = parseIp(s.gateway_ip)!;
    if (cidrContains(cidr, gw) && v === 4 && (gw.value === cidrFirst(cidr) || gw.value === cidrLast(cidr))) {
      throw InvalidInput('Gateway is not valid on subnet');
    }
  }
  const dns = s.dns_nameservers ?? [];
  if (dns.length > MAX_DNS_NAMESERVERS) throw DNSNameServersExhausted('new subnet', MAX_DNS_NAMESERVERS);
  for (const d of dns) {
    if (!parseIp(d)) throw InvalidInput(`Error parsing dns address ${d}`);
    assertVersion(v, d, 'dns_nameserver');
  }
  const routes = s.host_routes ?? [];
  if (routes.length > MAX_SUBNET_HOST_ROUTES) throw HostRoutesExhausted('new subnet', MAX_SUBNET_HOST_ROUTES);
  for (const r of routes) {
    const dv = r.destination.includes(':') ? 6 : 4;
    const nv = r.nexthop.includes(':') ? 6 : 4;
    if (dv !== v || nv !== v) throw InvalidInput(`Invalid route: ${pyRoute(r)}`);
  }

  // Docker's limits (design F1-F3): prefix usable by a bridge, one subnet per family, pool, overlap
  if ((v === 4 && cidr.prefix > 30) || (v === 6 && cidr.prefix > 126)) {
    throw InvalidInput(
      `Requested subnet with cidr: ${formatCidr(cidr)} is too small for a Docker bridge network (at most /${v === 4 ? 30 : 126})`,
    );
  }
  if (cidr.prefix === 0) throw InvalidInput('0 is not allowed as CIDR prefix length');
  const pool = parseCidr(ctx.pools[v])!;
  if (!cidrWithin(cidr, pool)) {
    throw InvalidInput(
      `Requested subnet with cidr: ${formatCidr(cidr)} for network: ${s.network_id} is outside the address pool this service may use (${ctx.pools[v]})`,
    );
  }
  const sameFamily = ctx.allSubnets.find((x) => x.network_id === s.network_id && x.ip_version === v);
  if (sameFamily) {
    throw InvalidInput(
      `Docker bridge networks take one IPv${v} subnet per network; network ${s.network_id} already has subnet ${sameFamily.id}`,
    );
  }
  for (const x of ctx.allSubnets) {
    const other = parseCidr(x.cidr);
    if (other && cidrsOverlap(cidr, other)) {
      // Neutron with allow_overlapping_ips = False: the same message, no details of the other subnet
      throw InvalidInput(
        `Requested subnet with cidr: ${formatCidr(cidr)} for network: ${s.network_id} overlaps with another subnet`,
      );
    }
  }

  // Gateway and the host bridge's address
  let gateway: string | null;
  if (s.gateway_ip === undefined) gateway = ipText(v, cidrFirst(cidr) + 1n);
  else gateway = s.gateway_ip === null ? null : formatIp(parseIp(s.gateway_ip)!);
  if (gateway !== null && !cidrContains(cidr, parseIp(gateway)!)) {
    throw InvalidInput(
      `Gateway ip ${gateway} is outside subnet ${formatCidr(cidr)}: a Docker bridge network needs its gateway inside the subnet`,
    );
  }
  const firstHost = cidrFirst(cidr) + 1n;
  const lastHost = v === 4 ? cidrLast(cidr) - 1n : cidrLast(cidr);
  const bridge = gateway !== null ? parseIp(gateway)!.value : lastHost;

  // Allocation pools (ipam_backend_mixin)
  let ranges: IpRange[];
  if (s.allocation_pools === undefined) {
    ranges = subtract({ version: v, first: firstHost, last: lastHost }, bridge);
  } else {
    ranges = s.allocation_pools.map((p) => {
      const a = parseIp(p.start),
        b = parseIp(p.end);
      if (!a || !b || a.version !== b.version || a.value > b.value) throw InvalidAllocationPool(pyPool(p));
      return { version: a.version, first: a.value, last: b.value };
    });
    const cidrText = formatCidr(cidr);
    for (const r of ranges) {
      if (r.version !== v) throw InvalidAllocationPool(formatRange(r));
      if (r.first < firstHost || r.last > lastHost) throw OutOfBoundsAllocationPool(formatRange(r), cidrText);
    }
    for (let i = 0; i < ranges.length; i++) {
      for (let j = i + 1; j < ranges.length; j++) {
        if (ranges[i].first <= ranges[j].last && ranges[j].first <= ranges[i].last) {
          throw OverlappingAllocationPools(formatRange(ranges[i]), formatRange(ranges[j]), cidrText);
        }
      }
    }
    for (const r of ranges) {
      if (bridge >= r.first && bridge <= r.last) {
        if (gateway !== null) throw GatewayConflictWithAllocationPools(gateway, formatRange(r));
        throw InvalidInput(
          `Address ${ipText(v, bridge)} of subnet ${cidrText} is reserved for the host's bridge (a subnet without a gateway still needs one); leave it out of allocation_pools`,
        );
      }
    }
  }
  return {
    cidr: formatCidr(cidr),
    gateway_ip: gateway,
    bridge_ip: ipText(v, bridge),
    allocation_pools: ranges.map((r) => ({ start: ipText(v, r.first), end: ipText(v, r.last) })),
    dns_nameservers: dns.map((d) => formatIp(parseIp(d)!)),
    host_routes: routes.map((r) => ({
      destination: formatCidr(parseCidr(r.destination)!),
      nexthop: formatIp(parseIp(r.nexthop)!),
    })),
  };
}

/** A range minus one address (the gateway), as netaddr.IPSet would cut it. */
function subtract(r: IpRange, addr: bigint): IpRange[] {
  if (addr < r.first || addr > r.last) return [r];
  const out: IpRange[] = [];
  if (addr > r.first) out.push({ version: r.version, first: r.first, last: addr - 1n });
  if (addr < r.last) out.push({ version: r.version, first: addr + 1n, last: r.last });
  return out;
}

const pyPool = (p: { start: string; end: string }) => `{'start': '${p.start}', 'end': '${p.end}'}`;
const pyRoute = (r: { destination: string; nexthop: string }) =>
  `{'destination': '${r.destination}', 'nexthop': '${r.nexthop}'}`;
