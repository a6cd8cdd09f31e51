// /servers/{id}/os-server-password (nova server_password.py). Nova returns the encrypted password a
// guest posted to its metadata service; novadock has no metadata service, so no guest ever posts
// one: the password is "" and clearing it (204) has nothing to remove.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../composition/services.js';
import { authorize } from '../../../identity/policy.js';
import { COMPUTE_PREFIX } from '../../urls.js';

export async function serverPasswordRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { compute } = opts.services;
  const path = `${COMPUTE_PREFIX}/servers/:id/os-server-password`;
  type P = { Params: { id: string } };

  app.get<P>(path, async (req) => {
    await compute.get(req.auth, req.params.id);
    authorize(req.auth, 'read', 'os_compute_api:os-server-password:show');
    return { password: '' };
  });

  app.delete<P>(path, async (req, reply) => {
    await compute.get(req.auth, req.params.id);
    authorize(req.auth, 'write', 'os_compute_api:os-server-password:clear');
    return reply.code(204).send();
  });
}
