// GET /servers/{id}/os-security-groups (nova security_groups.py ServerSecurityGroupController).
// Unlike the /os-security-groups proxy (gone from 2.36), this exists at every microversion.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services';
import { authorize } from '../../identity/policy';
import { COMPUTE_PREFIX } from '../urls';
import { renderServerSecurityGroups } from './views/security-groups';

export async function serverSecurityGroupRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { compute } = opts.services;
  app.get<{ Params: { id: string } }>(`${COMPUTE_PREFIX}/servers/:id/os-security-groups`, async (req) => {
    const row = await compute.get(req.auth, req.params.id);
    authorize(req.auth, 'read', 'os_compute_api:os-security-groups:list');
    return renderServerSecurityGroups(row);
  });
}
