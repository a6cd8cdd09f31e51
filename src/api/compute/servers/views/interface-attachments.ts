// interfaceAttachment views (nova attach_interfaces.py _translate_interface_attachment_view).
// novadock has no Neutron: a server's "port" on a network is its container's endpoint on that
// Docker network, known from the addresses the driver reported (the same data as /ips). Its ids
// are derived from the server and network, so they are stable across restarts and reads.
import { addressesOf, type InstanceRow } from '../../../../db/repositories/instances-repo.js';
import { PRIVATE_NETWORK, PRIVATE_NETWORK_ID } from '../../../../compute/servers/networks.js';
import { stableId } from '../../../../compute/stable-id.js';
import { PowerState } from '../../../../virt/power-state.js';
import type { ApiVersion } from '../../../../compute/api-version.js';

export interface InterfaceAttachment {
  port_id: string;
  net_id: string;
  mac_addr: string;
  port_state: string;
  fixed_ips: { ip_address: string; subnet_id: string }[];
}

/** The id a network is known by (the private bridge has its fixed id). */
function networkIdOf(network: string): string {
  return network === PRIVATE_NETWORK ? PRIVATE_NETWORK_ID : stableId(`novadock-network-${network}`);
}

/** One port per network the server has addresses on; none before the driver reported any. */
export function interfacesOf(row: InstanceRow): InterfaceAttachment[] {
  const byNetwork = new Map<string, InterfaceAttachment>();
  for (const a of addressesOf(row)) {
    let port = byNetwork.get(a.network);
    if (!port) {
      if (!a.mac) continue; // Nova's view requires a MAC; an endpoint without one is not a port we can describe
      port = {
        port_id: stableId(`novadock-port-${row.uuid}-${a.network}`),
        net_id: networkIdOf(a.network),
        mac_addr: a.mac,
        // Neutron reports a port ACTIVE while its device is up (a paused guest's too); a stopped
        // container's endpoint is down.
        port_state: row.power_state === PowerState.RUNNING || row.power_state === PowerState.PAUSED ? 'ACTIVE' : 'DOWN',
        fixed_ips: [],
      };
      byNetwork.set(a.network, port);
    }
    port.fixed_ips.push({ ip_address: a.addr, subnet_id: stableId(`novadock-subnet-${a.network}-v${a.version}`) });
  }
  return [...byNetwork.values()];
}

/** Field order as Nova's view; `tag` (always null: novadock keeps no device tags) from 2.70. */
export function renderInterfaceAttachment(v: ApiVersion, port: InterfaceAttachment): Record<string, unknown> {
  const out: Record<string, unknown> = {
    net_id: port.net_id,
    port_id: port.port_id,
    mac_addr: port.mac_addr,
    port_state: port.port_state,
    fixed_ips: port.fixed_ips,
  };
  if (v.gte('2.70')) out.tag = null;
  return out;
}
