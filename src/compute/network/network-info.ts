// Nova's network info cache for one server, built from the network service's records: each of its
// ports in interface order, the port's fixed addresses, then the floating addresses associated with
// it, under the network's name (Nova's `addresses` and /ips read this; the ip filters of the server
// list too). Rebuilt whenever a port of the server, or a floating IP on one, changes.
import type { Database, Db } from '../../db/knex.js';
import type { NetworksRepo, PortRow } from '../../db/repositories/neutron-networks-repo.js';
import type { FloatingIpsRepo } from '../../db/repositories/neutron-l3-repo.js';
import type { InstanceInterfacesRepo } from '../../db/repositories/instance-interfaces-repo.js';
import { addressesOf, type InstancesRepo, type StoredAddress } from '../../db/repositories/instances-repo.js';

export interface NetworkInfoDeps {
  db: Database;
  repo: NetworksRepo;
  fipsRepo: FloatingIpsRepo;
  interfaces: InstanceInterfacesRepo;
  instances: InstancesRepo;
}

const isV6 = (ip: string) => ip.includes(':');

/** The server's ports in Nova's order: its interfaces by position, then ports bound to it otherwise (compute owners). */
export async function serverPorts(d: NetworkInfoDeps, uuid: string, trx: Db = d.db): Promise<PortRow[]> {
  const [ifaces, ports] = await Promise.all([d.interfaces.list(uuid, trx), d.repo.ports({ device_id: [uuid] }, trx)]);
  const rank = new Map(ifaces.map((i) => [i.port_id, i.position]));
  return ports
    .filter((p) => rank.has(p.id) || p.device_owner.startsWith('compute:'))
    .sort(
      (a, b) => (rank.get(a.id) ?? Infinity) - (rank.get(b.id) ?? Infinity) || a.created_at.localeCompare(b.created_at),
    );
}

export async function buildNetworkInfo(d: NetworkInfoDeps, uuid: string, trx: Db = d.db): Promise<StoredAddress[]> {
  const ports = await serverPorts(d, uuid, trx);
  if (!ports.length) return [];
  const names = new Map((await d.repo.networks(trx)).map((n) => [n.id, n.name]));
  const groups = new Map<string, { fixed: StoredAddress[]; floating: StoredAddress[] }>();
  for (const p of ports) {
    const network = names.get(p.network_id) ?? p.network_id;
    let g = groups.get(network);
    if (!g) groups.set(network, (g = { fixed: [], floating: [] }));
    const fixed = [...p.fixed_ips].sort((a, b) => Number(isV6(a.ip_address)) - Number(isV6(b.ip_address)));
    for (const f of fixed) {
      g.fixed.push({
        network,
        version: isV6(f.ip_address) ? 6 : 4,
        addr: f.ip_address,
        mac: p.mac_address,
        type: 'fixed',
      });
    }
    for (const f of await d.fipsRepo.fips({ fixed_port_id: p.id }, trx)) {
      g.floating.push({ network, version: 4, addr: f.floating_ip_address, mac: p.mac_address, type: 'floating' });
    }
  }
  return [...groups.values()].flatMap((g) => [...g.fixed, ...g.floating]);
}

/**
 * Rebuilds and stores the cache (one writer per server at a time: PostgreSQL locks the row, SQLite
 * has one writer). A deleted server keeps an empty cache.
 */
export async function refreshNetworkInfo(d: NetworkInfoDeps, uuid: string): Promise<void> {
  await d.db.transaction(async (trx) => {
    await d.interfaces.lockInstance(uuid, trx);
    const row = await d.instances.findByUuid(uuid, trx);
    if (!row || row.deleted) return;
    // a server from before the network service keeps its legacy address (written by Docker inspect, untyped)
    const legacy = row.network ? addressesOf(row).filter((a) => a.type === undefined) : [];
    const info = [...legacy, ...(await buildNetworkInfo(d, uuid, trx))];
    const json = info.length ? JSON.stringify(info) : null;
    if (json !== row.addresses_json) await d.instances.update(uuid, { addresses_json: json }, trx);
  });
}
