// /os-quota-sets/{project} (show, detail, defaults, admin update and reset; each but defaults also
// for one user of the project with ?user_id=, Nova's per-user quotas) and
// /os-quota-class-sets/{class} (the defaults, admin update). nova/api/openstack/compute/quota_sets.py.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../../composition/services.js';
import { authorize, isAdmin } from '../../../identity/policy.js';
import { BadRequest } from '../../../errors.js';
import { QUOTA_RESOURCES, type QuotaResource } from '../../../compute/quotas/quotas.js';
import { COMPUTE_PREFIX } from '../../urls.js';
import { updateQuotaClassBodies, updateQuotaSetBodies } from './schemas.js';
import { renderQuotaClassSet, renderQuotaSet, renderQuotaSetDetail } from './quota-sets-views.js';
import { assertKnownQuery } from '../paging-params.js';
import { isTrueSpelling } from '../../../contract/parameter-types.js';

type Params = { Params: { id: string } };

export async function quotaSetRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { quotas, identityRepo } = opts.services;
  const base = `${COMPUTE_PREFIX}/os-quota-sets/:id`;

  /** Nova asks Keystone whether the project exists (identity.verify_project_id). */
  async function verifyProject(id: string): Promise<void> {
    if (!(await identityRepo.findProjectById(id))) throw new BadRequest(`Project ID ${id} is not a valid project.`);
  }

  /** Readers of their own project, or admin for any. */
  function authorizeRead(req: FastifyRequest, id: string, rule: string): void {
    authorize(req.auth, 'read', rule);
    if (!isAdmin(req.auth) && req.auth.projectId !== id) authorize(req.auth, 'admin', rule);
  }

  app.get<Params>(base, async (req) => {
    assertKnownQuery(req, ['user_id']);
    authorizeRead(req, req.params.id, 'os_compute_api:os-quota-sets:show');
    await verifyProject(req.params.id);
    const userId = userIdOf(req);
    const limits =
      userId === undefined ? await quotas.limitsFor(req.params.id) : await quotas.limitsForUser(req.params.id, userId);
    return renderQuotaSet(req.apiVersion, req.params.id, limits);
  });

  app.get<Params>(`${base}/detail`, async (req) => {
    assertKnownQuery(req, ['user_id']);
    authorizeRead(req, req.params.id, 'os_compute_api:os-quota-sets:detail');
    await verifyProject(req.params.id);
    const userId = userIdOf(req);
    const [limits, used] = await Promise.all([
      userId === undefined ? quotas.limitsFor(req.params.id) : quotas.limitsForUser(req.params.id, userId),
      quotas.usage(req.params.id, undefined, userId),
    ]);
    return renderQuotaSetDetail(req.apiVersion, req.params.id, limits, used);
  });

  app.get<Params>(`${base}/defaults`, async (req) => {
    authorize(req.auth, 'read', 'os_compute_api:os-quota-sets:defaults');
    await verifyProject(req.params.id);
    return renderQuotaSet(req.apiVersion, req.params.id, await quotas.defaults());
  });

  app.put<Params>(base, { config: { bodies: updateQuotaSetBodies } }, async (req) => {
    assertKnownQuery(req, ['user_id']);
    authorize(req.auth, 'admin', 'os_compute_api:os-quota-sets:update');
    await verifyProject(req.params.id);
    const { force, ...values } = (req.body as { quota_set: Record<string, unknown> }).quota_set;
    const limits = await quotas.update(req.params.id, toLimits(values), isTrueSpelling(force), userIdOf(req));
    // Nova's update answer has no id.
    return renderQuotaSet(req.apiVersion, null, limits);
  });

  app.delete<Params>(base, async (req, reply) => {
    assertKnownQuery(req, ['user_id']);
    authorize(req.auth, 'admin', 'os_compute_api:os-quota-sets:delete');
    await verifyProject(req.params.id);
    await quotas.reset(req.params.id, userIdOf(req));
    return reply.code(202).send();
  });

  // Quota classes: only 'default' means anything (the defaults of every project); another
  // class name shows the defaults too and may be set, as Nova allows.
  const classBase = `${COMPUTE_PREFIX}/os-quota-class-sets/:id`;
  app.get<Params>(classBase, async (req) => {
    authorize(req.auth, 'read', 'os_compute_api:os-quota-class-sets:show');
    if (!isAdmin(req.auth) && req.params.id !== 'default')
      authorize(req.auth, 'admin', 'os_compute_api:os-quota-class-sets:show');
    return renderQuotaClassSet(req.apiVersion, req.params.id, await quotas.defaults());
  });

  app.put<Params>(classBase, { config: { bodies: updateQuotaClassBodies } }, async (req) => {
    authorize(req.auth, 'admin', 'os_compute_api:os-quota-class-sets:update');
    if (req.params.id !== 'default') throw new BadRequest('Only the default quota class can be updated.');
    const values = (req.body as { quota_class_set: Record<string, unknown> }).quota_class_set;
    return renderQuotaClassSet(req.apiVersion, null, await quotas.updateDefaults(toLimits(values)));
  });
}

/**
 * ?user_id= as Nova reads it (urlparse.parse_qs(...)['user_id'][0]): the first value; an empty one
 * means the project. Nova does not ask Keystone whether the user exists, nor does novadock.
 */
function userIdOf(req: FastifyRequest): string | undefined {
  const raw = (req.query as Record<string, unknown>).user_id;
  const first = Array.isArray(raw) ? raw.find((v) => v !== '') : raw;
  if (first === undefined || first === '') return undefined;
  if (typeof first !== 'string' || first.length > 255)
    throw new BadRequest('Invalid user_id: it must be a string of at most 255 characters.');
  return first;
}

function toLimits(values: Record<string, unknown>): Partial<Record<QuotaResource, number>> {
  const out: Partial<Record<QuotaResource, number>> = {};
  for (const [k, v] of Object.entries(values)) {
    if ((QUOTA_RESOURCES as string[]).includes(k)) out[k as QuotaResource] = Number(v);
  }
  return out;
}
