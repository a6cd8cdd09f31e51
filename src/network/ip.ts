// IP addresses, CIDRs and ranges as Neutron (netaddr) sees them: parsing, canonical text, and the
// validator messages of neutron_lib/api/validators. Addresses are bigint so IPv4 and IPv6 share one
// arithmetic. No I/O, no HTTP.

export type IpVersion = 4 | 6;
export interface Ip {
  version: IpVersion;
  value: bigint;
}
export interface Cidr {
  version: IpVersion;
  network: bigint;
  prefix: number;
}
export interface IpRange {
  version: IpVersion;
  first: bigint;
  last: bigint;
}

const BITS: Record<IpVersion, number> = { 4: 32, 6: 128 };

function parseV4(s: string): bigint | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  let v = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function parseV6(s: string): bigint | null {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || s.includes(':::')) return null;
  let head = s;
  let tailV4: bigint | null = null;
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.')) {
    tailV4 = parseV4(s.slice(lastColon + 1));
    if (tailV4 === null) return null;
    head = s.slice(0, lastColon + 1) + '0:0';
  }
  const dbl = head.split('::');
  if (dbl.length > 2) return null;
  const left = dbl[0] ? dbl[0].split(':') : [];
  const right = dbl.length === 2 && dbl[1] ? dbl[1].split(':') : [];
  const total = left.length + right.length;
  if (dbl.length === 1 ? total !== 8 : total > 7) return null;
  const groups = [...left, ...Array(8 - total).fill('0'), ...right];
  let v = 0n;
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  if (tailV4 !== null) v = (v & ~0xffffffffn) | tailV4;
  return v;
}

/** Strict parse: IPv4 dotted quad (leading zeros allowed here, checked by validateIpAddress) or IPv6. */
export function parseIp(s: string): Ip | null {
  if (typeof s !== 'string' || s.trim() !== s || s === '') return null;
  if (s.includes(':')) {
    const v = parseV6(s);
    return v === null ? null : { version: 6, value: v };
  }
  const v = parseV4(s);
  return v === null ? null : { version: 4, value: v };
}

export function formatIp(ip: Ip): string {
  if (ip.version === 4) {
    const v = ip.value;
    return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 255n)).join('.');
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((ip.value >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: the longest run (>= 2) of zero groups becomes '::'
  let best = -1,
    bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

export const ipText = (version: IpVersion, value: bigint) => formatIp({ version, value });

/** netaddr.IPNetwork(s): an address with optional /prefix (host bits kept). */
export function parseNetwork(s: string): { ip: Ip; prefix: number } | null {
  if (typeof s !== 'string') return null;
  const slash = s.indexOf('/');
  const ip = parseIp(slash < 0 ? s : s.slice(0, slash));
  if (!ip) return null;
  if (slash < 0) return { ip, prefix: BITS[ip.version] };
  const p = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(p)) return null;
  const prefix = Number(p);
  if (prefix > BITS[ip.version]) return null;
  return { ip, prefix };
}

const mask = (version: IpVersion, prefix: number) => {
  const bits = BigInt(BITS[version]);
  return ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(prefix))) - 1n);
};

export function toCidr(ip: Ip, prefix: number): Cidr {
  return { version: ip.version, network: ip.value & mask(ip.version, prefix), prefix };
}

export function formatCidr(c: Cidr): string {
  return `${ipText(c.version, c.network)}/${c.prefix}`;
}

export function parseCidr(s: string): Cidr | null {
  const n = parseNetwork(s);
  return n ? toCidr(n.ip, n.prefix) : null;
}

export const cidrFirst = (c: Cidr) => c.network;
export const cidrLast = (c: Cidr) => c.network | ((1n << BigInt(BITS[c.version] - c.prefix)) - 1n);
export const cidrSize = (c: Cidr) => 1n << BigInt(BITS[c.version] - c.prefix);
export const cidrContains = (c: Cidr, ip: Ip) =>
  ip.version === c.version && ip.value >= cidrFirst(c) && ip.value <= cidrLast(c);
export const cidrsOverlap = (a: Cidr, b: Cidr) =>
  a.version === b.version && cidrFirst(a) <= cidrLast(b) && cidrFirst(b) <= cidrLast(a);
export const cidrWithin = (inner: Cidr, outer: Cidr) =>
  inner.version === outer.version && cidrFirst(inner) >= cidrFirst(outer) && cidrLast(inner) <= cidrLast(outer);

/** netaddr.IPRange str(): "first-last". */
export const formatRange = (r: IpRange) => `${ipText(r.version, r.first)}-${ipText(r.version, r.last)}`;

// ---- validators: each returns null when valid, else neutron-lib's reason text ------------------------------

/** neutron_lib validate_ip_address */
export function validateIpAddress(data: unknown): string | null {
  if (typeof data !== 'string') return `'${pyStr(data)}' is not a valid IP address`;
  const ip = parseIp(data);
  if (!ip) return `'${data}' is not a valid IP address`;
  if (!data.includes(':') && data.split('.').length !== 4) return `'${data}' is not a valid IP address`;
  if (ip.version === 4 && formatIp(ip) !== data)
    return `'${data}' is not an accepted IP address, '${formatIp(ip)}' is recommended`;
  return null;
}

/** neutron_lib validate_subnet: needs a '/', and an IPv4 CIDR must be written canonically. */
export function validateSubnet(data: unknown): string | null {
  if (typeof data !== 'string') return `'${pyStr(data)}' is not a valid IP subnet`;
  const n = parseNetwork(data);
  if (!n) return `'${data}' is not a valid IP subnet`;
  const asGiven = `${formatIp(n.ip)}/${n.prefix}`;
  // netaddr keeps host bits in str(IPNetwork): '10.0.0.5/24' passes here and the plugin stores the network
  // ('10.0.0.0/24', db_base_plugin_v2 create_subnet); only a missing '/' or non-canonical IPv4 text fails.
  if (!data.includes('/') || (n.ip.version === 4 && asGiven !== data)) {
    return `'${data}' isn't a recognized IP subnet cidr, '${formatCidr(toCidr(n.ip, n.prefix))}' is recommended`;
  }
  return null;
}

/** neutron_lib validate_mac_address (plus netaddr's accepted forms: we accept xx:xx:xx:xx:xx:xx and xx-xx-…). */
export function validateMacAddress(data: unknown): string | null {
  const ok =
    typeof data === 'string' &&
    /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/.test(data) &&
    !['00:00:00:00:00:00', 'ff:ff:ff:ff:ff:ff'].includes(data.toLowerCase().replace(/-/g, ':'));
  return ok ? null : `'${pyStr(data)}' is not a valid MAC address`;
}

export const normalizeMac = (mac: string) => mac.toLowerCase().replace(/-/g, ':');

/** Python's str() of a JSON value, for messages that echo bad input. */
export function pyStr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (typeof v === 'object')
    return `{${Object.entries(v)
      .map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`)
      .join(', ')}}`;
  return String(v);
}
export function pyRepr(v: unknown): string {
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return pyStr(v);
}

/** Docker's generated MAC for an endpoint: 02:42 + the four IPv4 bytes. */
export function dockerMacFor(ipv4: string): string {
  const ip = parseIp(ipv4);
  if (!ip || ip.version !== 4) throw new Error(`not an IPv4 address: ${ipv4}`);
  const b = [24n, 16n, 8n, 0n].map((s) =>
    Number((ip.value >> s) & 255n)
      .toString(16)
      .padStart(2, '0'),
  );
  return `02:42:${b.join(':')}`;
}
