// Bridge networks and endpoints in memory, with the Docker behaviour the network service relies on:
// one network per name, no overlapping ranges, one endpoint per container and network, addresses
// inside the subnet and not taken, Docker's 02:42:<IPv4> MACs, forced disconnects that forgive.
import { noSuchContainer, networkAddressingConflict } from '../driver-errors.js';
import { DriverError } from '../../errors.js';
import type { BridgeNetworkSpec, InstanceAddress, NetworkAttachment, NetworkSummary } from '../driver.js';

interface FakeNetwork {
  id: string;
  spec: BridgeNetworkSpec;
  /** instance uuid → its endpoint */
  endpoints: Map<string, { ipv4?: string; ipv6?: string; mac: string }>;
}

const v4 = (ip: string) => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
function inV4(cidr: string, ip: string): boolean {
  const [net, len] = cidr.split('/');
  const size = 2 ** (32 - Number(len));
  const first = Math.floor(v4(net) / size) * size;
  return v4(ip) >= first && v4(ip) < first + size;
}
function rangeOf(cidr: string): [number, number] {
  const [net, len] = cidr.split('/');
  const size = 2 ** (32 - Number(len));
  const first = Math.floor(v4(net) / size) * size;
  return [first, first + size - 1];
}
const macOf = (ip: string) =>
  `02:42:${ip
    .split('.')
    .map((o) => Number(o).toString(16).padStart(2, '0'))
    .join(':')}`;

export class FakeNetworks {
  readonly networks = new Map<string, FakeNetwork>();
  private seq = 0;

  constructor(private readonly exists: (instanceUuid: string) => boolean) {}

  ensureBridgeNetwork(spec: BridgeNetworkSpec): Promise<string> {
    const existing = this.networks.get(spec.name);
    if (existing) {
      const same = existing.spec.v4.cidr === spec.v4.cidr && existing.spec.v4.gateway === spec.v4.gateway;
      if (same) return Promise.resolve(existing.id);
      if (existing.endpoints.size) {
        return Promise.reject(networkAddressingConflict(spec.name));
      }
      this.networks.delete(spec.name);
    }
    const [a, b] = rangeOf(spec.v4.cidr);
    for (const n of this.networks.values()) {
      const [c, d] = rangeOf(n.spec.v4.cidr);
      if (a <= d && c <= b)
        return Promise.reject(new DriverError('Pool overlaps with other one on this address space', 'conflict'));
    }
    const id = `fakenet${++this.seq}`.padEnd(64, '0');
    this.networks.set(spec.name, { id, spec, endpoints: new Map() });
    return Promise.resolve(id);
  }

  removeNetwork(name: string): Promise<void> {
    const n = this.networks.get(name);
    if (n && n.endpoints.size) {
      return Promise.reject(
        new DriverError(`error while removing network: network ${name} id ${n.id} has active endpoints`, 'conflict'),
      );
    }
    this.networks.delete(name);
    return Promise.resolve();
  }

  listNetworks(label: string): Promise<NetworkSummary[]> {
    const [key, value] = label.split('=');
    return Promise.resolve(
      [...this.networks.entries()]
        .filter(([, n]) => key in n.spec.labels && (value === undefined || n.spec.labels[key] === value))
        .map(([name, n]) => ({
          name,
          id: n.id,
          labels: n.spec.labels,
          subnets: [n.spec.v4.cidr, ...(n.spec.v6 ? [n.spec.v6.cidr] : [])],
          instances: [...n.endpoints.keys()],
        })),
    );
  }

  /** `chosenMac`: a create-time interface's MAC the user chose (Docker's own otherwise). */
  connectNetwork(instanceUuid: string, iface: NetworkAttachment, chosenMac?: string): Promise<{ mac: string | null }> {
    if (!this.exists(instanceUuid)) return Promise.reject(noSuchContainer(`nova-${instanceUuid}`));
    const n = this.networks.get(iface.network);
    if (!n) return Promise.reject(new DriverError(`network ${iface.network} not found`, 'not-found'));
    if (n.endpoints.has(instanceUuid)) {
      return Promise.reject(
        new DriverError(
          `endpoint with name nova-${instanceUuid} already exists in network ${iface.network}`,
          'conflict',
        ),
      );
    }
    if (iface.ipv4 && !inV4(n.spec.v4.cidr, iface.ipv4)) {
      return Promise.reject(
        new DriverError(`Invalid address ${iface.ipv4}: It does not belong to any of this network's subnets`),
      );
    }
    const taken = [...n.endpoints.values()].some((e) => e.ipv4 === iface.ipv4) || iface.ipv4 === n.spec.v4.gateway;
    if (iface.ipv4 && taken) return Promise.reject(new DriverError('Address already in use', 'conflict'));
    const ipv4 = iface.ipv4 ?? this.freeAddress(n);
    const mac = chosenMac ?? macOf(ipv4);
    n.endpoints.set(instanceUuid, { ipv4, ipv6: iface.ipv6, mac });
    return Promise.resolve({ mac });
  }

  private freeAddress(n: FakeNetwork): string {
    const [a, b] = rangeOf(n.spec.v4.cidr);
    const used = new Set([...n.endpoints.values()].map((e) => e.ipv4).concat(n.spec.v4.gateway));
    for (let x = a + 1; x < b; x++) {
      const ip = [24, 16, 8, 0].map((s) => (x >>> s) & 255).join('.');
      if (!used.has(ip)) return ip;
    }
    throw new DriverError('no available IPv4 addresses', 'failed');
  }

  disconnectNetwork(instanceUuid: string, network: string): Promise<void> {
    this.networks.get(network)?.endpoints.delete(instanceUuid);
    return Promise.resolve();
  }

  /** A destroyed container leaves every network (as Docker removes its endpoints). */
  forget(instanceUuid: string): void {
    for (const n of this.networks.values()) n.endpoints.delete(instanceUuid);
  }

  /** The endpoints of one container: network name → addresses (for InstanceInfo.addresses and tests). */
  endpointsOf(instanceUuid: string): { network: string; ipv4?: string; ipv6?: string; mac: string }[] {
    return [...this.networks.entries()].flatMap(([network, n]) => {
      const e = n.endpoints.get(instanceUuid);
      return e ? [{ network, ...e }] : [];
    });
  }

  /** The endpoints as InstanceInfo.addresses reports them. */
  addressesOf(instanceUuid: string): InstanceAddress[] {
    return this.endpointsOf(instanceUuid).flatMap((e) => [
      ...(e.ipv4 ? [{ network: e.network, version: 4 as const, addr: e.ipv4, mac: e.mac }] : []),
      ...(e.ipv6 ? [{ network: e.network, version: 6 as const, addr: e.ipv6, mac: e.mac }] : []),
    ]);
  }

  /** Behind the service's back (as `docker network rm` with the engine's endpoints gone). */
  simulateRemoveNetwork(name: string): void {
    this.networks.delete(name);
  }
}
