// /servers/{id}/os-interface (nova attach_interfaces.py). Listing and showing describe the ports
// the server has (views/interface-attachments.ts). Attaching or detaching one would need a
// network service novadock does not have, so those answer as Nova does when it cannot: an unknown
// port or network is 404, the server's own port is "in use", and anything else is
// AttachInterfaceNotSupported (400) / feature not supported (501), never a pretended success.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../composition/services.js';
import { BadRequest, Conflict, NotFound, NotImplemented } from '../../../errors.js';
import { authorize } from '../../../identity/policy.js';
import { PRIVATE_NETWORK_ID } from '../../../compute/servers/networks.js';
import { VmState } from '../../../compute/servers/states.js';
import { COMPUTE_PREFIX } from '../../urls.js';
import { assertActionable } from '../../../compute/servers/guards.js';
import { interfaceAttachBodies } from './schemas/server-attachments.js';
import { interfacesOf, renderInterfaceAttachment } from './views/interface-attachments.js';

const PortNotFound = (id: string) => new NotFound(`Port id ${id} could not be found.`);
/** nova compute/api.py attach_interface / detach_interface: check_instance_state. */
const INTERFACE_VM_STATES = [VmState.ACTIVE, VmState.PAUSED, VmState.STOPPED];

interface AttachBody {
  interfaceAttachment?: { net_id?: string; port_id?: string; fixed_ips?: { ip_address: string }[] };
}

export async function serverInterfaceRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { compute } = opts.services;
  const base = `${COMPUTE_PREFIX}/servers/:id/os-interface`;
  type P = { Params: { id: string; portId: string } };

  app.get<P>(base, async (req) => {
    const row = await compute.get(req.auth, req.params.id);
    authorize(req.auth, 'read', 'os_compute_api:os-attach-interfaces:list');
    return { interfaceAttachments: interfacesOf(row).map((p) => renderInterfaceAttachment(req.apiVersion, p)) };
  });

  app.get<P>(`${base}/:portId`, async (req) => {
    const row = await compute.get(req.auth, req.params.id);
    authorize(req.auth, 'read', 'os_compute_api:os-attach-interfaces:show');
    const port = interfacesOf(row).find((p) => p.port_id === req.params.portId);
    if (!port) throw PortNotFound(req.params.portId);
    return { interfaceAttachment: renderInterfaceAttachment(req.apiVersion, port) };
  });

  app.post<P>(base, { config: { bodies: interfaceAttachBodies } }, async (req) => {
    const row = await compute.get(req.auth, req.params.id);
    authorize(req.auth, 'write', 'os_compute_api:os-attach-interfaces:create');
    const a = (req.body as AttachBody | null)?.interfaceAttachment ?? {};
    if (a.net_id && a.port_id) throw new BadRequest('Must not input both network_id and port_id');
    if (a.fixed_ips?.[0]?.ip_address && !a.net_id)
      throw new BadRequest('Must input network_id when request IP address');
    assertActionable(row, req.auth, { vmState: INTERFACE_VM_STATES, taskState: [null] }, 'attach_interface');
    if (a.port_id) {
      if (interfacesOf(row).some((p) => p.port_id === a.port_id))
        throw new Conflict(`Port ${a.port_id} is still in use.`);
      throw PortNotFound(a.port_id);
    }
    if (a.net_id && a.net_id.toLowerCase() !== PRIVATE_NETWORK_ID)
      throw new NotFound(`Network ${a.net_id} could not be found.`);
    // A container has one endpoint per Docker network and novadock has one network: nothing to add.
    throw new BadRequest(`Attaching interfaces is not supported for instance ${row.uuid}.`);
  });

  app.delete<P>(`${base}/:portId`, async (req) => {
    const row = await compute.get(req.auth, req.params.id);
    authorize(req.auth, 'write', 'os_compute_api:os-attach-interfaces:delete');
    assertActionable(row, req.auth, { vmState: INTERFACE_VM_STATES, taskState: [null] }, 'detach_interface');
    if (!interfacesOf(row).some((p) => p.port_id === req.params.portId)) throw PortNotFound(req.params.portId);
    throw new NotImplemented('The requested functionality is not supported.');
  });
}
