// Security groups → an iptables-restore "filter" table for one container's own network namespace
// (Neutron's iptables firewall semantics: stateful, default deny both ways, one ACCEPT per rule,
// remote groups expanded to their members' addresses). A container may have several ports: each
// port's rules are scoped to its own addresses (and its floating IPs, which arrive on their own
// interface here instead of through NAT). Only the filter table is written, so Docker's nat rules
// for its embedded DNS in that namespace stay. Pure text generation.
import { IP_PROTOCOL_MAP, type NormalizedRule } from './sg-rules.js';

export interface PortFirewall {
  /** the port's fixed addresses and the floating addresses that reach it */
  addresses: string[];
  /** port_security_enabled false: everything to and from these addresses */
  open: boolean;
  rules: NormalizedRule[];
}
export interface FirewallInput {
  ports: PortFirewall[];
  /** remote group id → member addresses (both families; each table takes its own) */
  groupMembers: Record<string, string[]>;
}

const PORT_PROTOS = new Set([6, 17, 33, 132, 136]);
const NAMES: Record<number, string> = {
  6: 'tcp',
  17: 'udp',
  33: 'dccp',
  132: 'sctp',
  136: 'udplite',
  1: 'icmp',
  58: 'ipv6-icmp',
};
const protoNum = (p: string) => (p in IP_PROTOCOL_MAP ? IP_PROTOCOL_MAP[p] : Number(p));
const host = (a: string) => `${a}/${a.includes(':') ? 128 : 32}`;

function match(rule: NormalizedRule, v6: boolean): string {
  if (rule.protocol === null) return '';
  const n = protoNum(rule.protocol);
  if (n === 0) return ''; // 0 (ip/hopopt) means any protocol in Neutron's drivers
  const name = NAMES[n] ?? String(n);
  const parts = [`-p ${name}`];
  if (PORT_PROTOS.has(n) && rule.port_range_min !== null) {
    parts.push(
      `-m ${name} --dport ${rule.port_range_min === rule.port_range_max ? rule.port_range_min : `${rule.port_range_min}:${rule.port_range_max}`}`,
    );
  } else if ((n === 1 || n === 58) && rule.port_range_min !== null) {
    const t = rule.port_range_max !== null ? `${rule.port_range_min}/${rule.port_range_max}` : `${rule.port_range_min}`;
    parts.push(v6 ? `-m icmp6 --icmpv6-type ${t}` : `-m icmp --icmp-type ${t}`);
  }
  return parts.join(' ');
}

function table(input: FirewallInput, v6: boolean): string {
  const family = v6 ? 'IPv6' : 'IPv4';
  const out = [
    '*filter',
    ':INPUT DROP [0:0]',
    ':FORWARD DROP [0:0]',
    ':OUTPUT DROP [0:0]',
    ':nd-sg-in - [0:0]',
    ':nd-sg-out - [0:0]',
  ];
  for (const [chain, dir, next] of [
    ['INPUT', '-i', 'nd-sg-in'],
    ['OUTPUT', '-o', 'nd-sg-out'],
  ] as const) {
    out.push(`-A ${chain} ${dir} lo -j ACCEPT`, `-A ${chain} -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT`);
    if (v6)
      for (const t of [133, 134, 135, 136]) out.push(`-A ${chain} -p ipv6-icmp -m icmp6 --icmpv6-type ${t} -j ACCEPT`); // neighbour discovery
    out.push(`-A ${chain} -m conntrack --ctstate INVALID -j DROP`, `-A ${chain} -j ${next}`);
  }
  for (const p of input.ports) {
    const own = p.addresses.filter((a) => a.includes(':') === v6).map(host);
    if (!own.length) continue;
    for (const a of own) {
      if (p.open) {
        out.push(`-A nd-sg-in -d ${a} -j ACCEPT`, `-A nd-sg-out -s ${a} -j ACCEPT`);
        continue;
      }
      for (const r of p.rules) {
        if (r.ethertype !== family) continue;
        const [chain, self, peer] = r.direction === 'ingress' ? ['nd-sg-in', '-d', '-s'] : ['nd-sg-out', '-s', '-d'];
        const m = match(r, v6);
        const tail = `${m ? `${m} ` : ''}-j ACCEPT`;
        const peers = r.remote_group_id
          ? (input.groupMembers[r.remote_group_id] ?? []).filter((x) => x.includes(':') === v6).map(host)
          : r.remote_ip_prefix
            ? [r.remote_ip_prefix]
            : [null];
        for (const x of peers) out.push(`-A ${chain} ${self} ${a}${x ? ` ${peer} ${x}` : ''} ${tail}`);
      }
    }
  }
  out.push('COMMIT', '');
  return out.join('\n');
}

/** `null`: nothing to filter (no ports): both tables open. */
export function renderFirewall(input: FirewallInput | null): { v4: string; v6: string } {
  if (!input) {
    const open = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', 'COMMIT', ''].join(
      '\n',
    );
    return { v4: open, v6: open };
  }
  return { v4: table(input, false), v6: table(input, true) };
}
