// GET /flavors/{id}/os-flavor-access and POST /flavors/{id}/action with addTenantAccess or
// removeTenantAccess (nova flavor_access.py). Admin only. The action route dispatches on exactly
// one body key, as nova's wsgi action_peek.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../../composition/services.js';
import { MalformedBody, NoSuchAction } from '../../../errors.js';
import { authorize } from '../../../identity/policy.js';
import { assertValid } from '../../../plugins/validation.js';
import { flavorActionSchemas } from './schemas.js';

const PREFIX = '/compute/v2.1/flavors/:flavorId';
const RULE = 'os_compute_api:os-flavor-access';

interface IdParams {
  flavorId: string;
}

const render = (flavorId: string, projects: string[]) => ({
  flavor_access: projects.map((p) => ({ flavor_id: flavorId, tenant_id: p })),
});

export async function flavorAccessRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { flavors } = opts.services;

  app.get<{ Params: IdParams }>(`${PREFIX}/os-flavor-access`, async (req) => {
    authorize(req.auth, 'admin', RULE);
    const flavor = await flavors.get(req.params.flavorId, req.auth);
    return render(flavor.id, await flavors.accessList(flavor.id));
  });

  const actions: Record<string, (req: FastifyRequest<{ Params: IdParams }>, tenant: string) => Promise<unknown>> = {
    async addTenantAccess(req, tenant) {
      authorize(req.auth, 'admin', `${RULE}:add_tenant_access`);
      // 2.7 made adding access to a public flavor a 409.
      return render(
        req.params.flavorId,
        await flavors.addAccess(req.params.flavorId, tenant, req.apiVersion.gte('2.7')),
      );
    },
    async removeTenantAccess(req, tenant) {
      authorize(req.auth, 'admin', `${RULE}:remove_tenant_access`);
      return render(req.params.flavorId, await flavors.removeAccess(req.params.flavorId, tenant));
    },
  };

  app.post<{ Params: IdParams }>(`${PREFIX}/action`, async (req) => {
    const body = req.body;
    const keys = body && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body) : [];
    if (keys.length !== 1) throw MalformedBody();
    const action = keys[0];
    const handler = actions[action];
    if (!handler) throw NoSuchAction(action);
    assertValid(flavorActionSchemas[action], body, 'body');
    const tenant = (body as Record<string, { tenant: string }>)[action].tenant;
    return handler(req, tenant);
  });
}
