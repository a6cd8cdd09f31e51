// GET /limits: the caller's project limits and usage (admin: tenant_id for another project).
// nova/api/openstack/compute/limits.py.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../composition/services.js';
import { authorize, isAdmin, projectOf } from '../../../identity/policy.js';
import { COMPUTE_PREFIX } from '../../urls.js';
import { renderLimits } from './limits-views.js';
import { assertKnownQuery, lastParam } from '../paging-params.js';

export async function limitsRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { quotas } = opts.services;
  app.get(`${COMPUTE_PREFIX}/limits`, async (req) => {
    assertKnownQuery(req, ['tenant_id']);
    authorize(req.auth, 'read', 'os_compute_api:limits');
    const own = projectOf(req.auth);
    const requested = lastParam((req.query as Record<string, unknown>).tenant_id);
    const projectId = requested ?? own;
    if (projectId !== own && !isAdmin(req.auth)) authorize(req.auth, 'admin', 'os_compute_api:limits:other_project');
    const [limits, used] = await Promise.all([quotas.limitsFor(projectId), quotas.usage(projectId)]);
    return renderLimits(req.apiVersion, limits, used);
  });
}
