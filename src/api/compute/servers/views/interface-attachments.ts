// interfaceAttachment views (nova attach_interfaces.py _translate_interface_attachment_view): a
// port of the server as the network service records it; `tag` from 2.70.
import type { PortRow } from '../../../../db/repositories/neutron-networks-repo.js';
import type { ApiVersion } from '../../../../compute/api-version.js';

export function renderInterfaceAttachment(
  v: ApiVersion,
  a: { port: PortRow; tag: string | null },
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    net_id: a.port.network_id,
    port_id: a.port.id,
    mac_addr: a.port.mac_address,
    port_state: a.port.status,
    fixed_ips: a.port.fixed_ips.map((f) => ({ subnet_id: f.subnet_id, ip_address: f.ip_address })),
  };
  if (v.gte('2.70')) out.tag = a.tag;
  return out;
}
