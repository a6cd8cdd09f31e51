// /servers/{id}/os-interface (nova attach_interfaces.py): the server's ports from the network
// service; attach plugs a port into the container live (200 with the attachment), detach is
// queued and unplugs it live (202). The rules are in compute/network/interface-attachments.ts.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../composition/services.js';
import { authorize } from '../../../identity/policy.js';
import { COMPUTE_PREFIX } from '../../urls.js';
import { interfaceAttachBodies } from './schemas/server-attachments.js';
import { renderInterfaceAttachment } from './views/interface-attachments.js';

interface AttachBody {
  interfaceAttachment?: { net_id?: string; port_id?: string; fixed_ips?: { ip_address: string }[]; tag?: string };
}

export async function serverInterfaceRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { compute, interfaceAttachments: ia } = opts.services;
  const base = `${COMPUTE_PREFIX}/servers/:id/os-interface`;
  type P = { Params: { id: string; portId: string } };

  app.get<P>(base, async (req) => {
    const row = await compute.get(req.auth, req.params.id);
    authorize(req.auth, 'read', 'os_compute_api:os-attach-interfaces:list');
    return { interfaceAttachments: (await ia.list(row)).map((a) => renderInterfaceAttachment(req.apiVersion, a)) };
  });

  app.get<P>(`${base}/:portId`, async (req) => {
    const row = await compute.get(req.auth, req.params.id);
    authorize(req.auth, 'read', 'os_compute_api:os-attach-interfaces:show');
    return { interfaceAttachment: renderInterfaceAttachment(req.apiVersion, await ia.show(row, req.params.portId)) };
  });

  app.post<P>(base, { config: { bodies: interfaceAttachBodies } }, async (req) => {
    const row = await compute.get(req.auth, req.params.id);
    const a = (req.body as AttachBody | null)?.interfaceAttachment ?? {};
    const attached = await ia.attach(req.auth, req.id, row, {
      netId: a.net_id,
      portId: a.port_id,
      fixedIp: a.fixed_ips?.[0]?.ip_address,
      tag: a.tag,
    });
    return { interfaceAttachment: renderInterfaceAttachment(req.apiVersion, attached) };
  });

  app.delete<P>(`${base}/:portId`, async (req, reply) => {
    const row = await compute.get(req.auth, req.params.id);
    await ia.detach(req.auth, req.id, row, req.params.portId);
    return reply.code(202).send();
  });
}
