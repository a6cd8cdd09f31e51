// /v2.0/quotas: a project's limits (own project, or admin), defaults, details (limit/used/reserved),
// admin updates (check_limit refuses a limit below usage) and resets.
import type { FastifyInstance } from 'fastify';
import type { NetworkServices } from '../../composition/network.js';
import { HTTPBadRequest, PolicyNotAuthorized } from '../../network/errors.js';
import { NEUTRON_RESOURCES, type NeutronResource } from '../../network/quotas.js';
import type { Caller } from '../../network/network-service.js';
import { prepareBody } from './attrs.js';
import { bodySchema } from './body-schemas.js';
import { callerOf, V2 } from './crud.js';
import { QUOTA_ATTRS } from './resource-attrs.js';

export function quotaRoutes(app: FastifyInstance, s: NetworkServices) {
  const tags = ['network'];
  type QP = { Params: { pid: string } };
  const mayRead = (c: Caller, pid: string) => {
    if (!c.isAdmin && pid !== c.projectId) throw PolicyNotAuthorized('rule:get_quota');
  };
  app.get(`${V2}/quotas`, { schema: { tags, summary: 'List projects with quotas of their own' } }, async (req) => {
    const c = callerOf(req);
    if (!c.isAdmin) throw PolicyNotAuthorized('rule:get_quota');
    const out = [];
    for (const pid of await s.quotas.projectsWithLimits())
      out.push({ ...(await s.quotas.limits(pid)), project_id: pid, tenant_id: pid });
    return { quotas: out };
  });
  app.get(`${V2}/quotas/tenant`, { schema: { tags, summary: "The caller's project" } }, async (req) => ({
    tenant: { tenant_id: callerOf(req).projectId },
  }));
  app.get(`${V2}/quotas/project`, { schema: { tags, summary: "The caller's project" } }, async (req) => ({
    project: { project_id: callerOf(req).projectId },
  }));
  app.get<QP>(`${V2}/quotas/:pid`, { schema: { tags, summary: "A project's quotas" } }, async (req) => {
    mayRead(callerOf(req), req.params.pid);
    return { quota: await s.quotas.limits(req.params.pid) };
  });
  app.get<QP>(`${V2}/quotas/:pid/default`, { schema: { tags, summary: 'Default quotas' } }, async (req) => {
    mayRead(callerOf(req), req.params.pid);
    return { quota: s.quotas.defaults() };
  });
  app.get<QP>(
    `${V2}/quotas/:pid/details`,
    { schema: { tags, summary: "A project's quotas and usage" } },
    async (req) => {
      mayRead(callerOf(req), req.params.pid);
      const [limits, used] = [await s.quotas.limits(req.params.pid), await s.quotas.usage(req.params.pid)];
      return {
        quota: Object.fromEntries(NEUTRON_RESOURCES.map((r) => [r, { limit: limits[r], used: used[r], reserved: 0 }])),
      };
    },
  );
  const putSchema = bodySchema(
    'quota',
    { ...QUOTA_ATTRS, force: { post: false, put: true }, check_limit: { post: false, put: true } },
    false,
    [],
  );
  app.put<QP>(
    `${V2}/quotas/:pid`,
    { schema: { tags, summary: "Set a project's quotas" }, config: { docBody: putSchema } },
    async (req) => {
      const c = callerOf(req);
      if (!c.isAdmin) throw PolicyNotAuthorized('rule:update_quota');
      const raw = req.body;
      const quota =
        raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as { quota?: unknown }).quota : undefined;
      const {
        force,
        check_limit: checkLimit,
        ...rest
      } = quota && typeof quota === 'object' ? (quota as Record<string, unknown>) : {};
      const body = prepareBody('quota', quota === undefined ? raw : { quota: rest }, QUOTA_ATTRS, false) as Partial<
        Record<NeutronResource, number>
      >;
      if (checkLimit !== undefined && String(checkLimit).toLowerCase() === 'true' && force !== true) {
        const used = await s.quotas.usage(req.params.pid);
        for (const [k, v] of Object.entries(body) as [NeutronResource, number][]) {
          if (v >= 0 && used[k] > v) {
            throw HTTPBadRequest(`Quota limit ${v} for ${k} must be greater than or equal to already used ${used[k]}`);
          }
        }
      }
      await s.quotas.set(req.params.pid, body);
      return { quota: await s.quotas.limits(req.params.pid) };
    },
  );
  app.delete<QP>(`${V2}/quotas/:pid`, { schema: { tags, summary: "Reset a project's quotas" } }, async (req, reply) => {
    if (!callerOf(req).isAdmin) throw PolicyNotAuthorized('rule:delete_quota');
    await s.quotas.reset(req.params.pid);
    return reply.code(204).send();
  });
}
