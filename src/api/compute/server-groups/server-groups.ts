// /os-server-groups: a project's server groups (create, list, show, delete).
// nova/api/openstack/compute/server_groups.py.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../composition/services.js';
import { authorize, projectOf } from '../../../identity/policy.js';
import { BadRequest } from '../../../errors.js';
import type { GroupPolicy } from '../../../compute/server-groups/server-groups.js';
import { COMPUTE_PREFIX } from '../../urls.js';
import { createServerGroupBodies } from './schemas.js';
import { renderServerGroup } from './views.js';
import { assertKnownQuery, lastParam, MAX_LIMIT } from '../paging-params.js';

interface CreateBody {
  server_group: {
    name: string;
    policies?: GroupPolicy[];
    policy?: GroupPolicy;
    rules?: { max_server_per_host?: number | string };
  };
}

function nonNegative(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^[0-9]+$/.test(raw))
    throw new BadRequest(
      `Invalid input for query parameters ${name}. Value: ${raw}. '${raw}' does not match '^[0-9]*$'`,
    );
  return Number(raw);
}

export async function serverGroupRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { serverGroups } = opts.services;
  const base = `${COMPUTE_PREFIX}/os-server-groups`;

  app.post(base, { config: { bodies: createServerGroupBodies } }, async (req) => {
    authorize(req.auth, 'write', 'os_compute_api:os-server-groups:create');
    const body = (req.body as CreateBody).server_group;
    const rules =
      body.rules?.max_server_per_host !== undefined
        ? { max_server_per_host: Number(body.rules.max_server_per_host) }
        : {};
    const group = await serverGroups.create(req.auth, projectOf(req.auth), {
      name: body.name,
      policy: body.policy ?? body.policies![0],
      rules,
    });
    return { server_group: renderServerGroup(req.apiVersion, group) };
  });

  app.get(base, async (req) => {
    assertKnownQuery(req, ['all_projects', 'limit', 'offset']);
    authorize(req.auth, 'read', 'os_compute_api:os-server-groups:index');
    const q = req.query as Record<string, unknown>;
    const all = q.all_projects !== undefined;
    if (all) authorize(req.auth, 'admin', 'os_compute_api:os-server-groups:index:all_projects');
    const limit = nonNegative('limit', lastParam(q.limit));
    const offset = nonNegative('offset', lastParam(q.offset));
    const groups = await serverGroups.list({
      projectId: all ? undefined : projectOf(req.auth),
      limit: Math.min(limit ?? MAX_LIMIT, MAX_LIMIT),
      offset,
    });
    return { server_groups: groups.map((g) => renderServerGroup(req.apiVersion, g)) };
  });

  app.get<{ Params: { id: string } }>(`${base}/:id`, async (req) => {
    authorize(req.auth, 'read', 'os_compute_api:os-server-groups:show');
    return { server_group: renderServerGroup(req.apiVersion, await serverGroups.get(req.auth, req.params.id)) };
  });

  app.delete<{ Params: { id: string } }>(`${base}/:id`, async (req, reply) => {
    authorize(req.auth, 'write', 'os_compute_api:os-server-groups:delete');
    await serverGroups.delete(req.auth, req.params.id);
    return reply.code(204).send();
  });
}
