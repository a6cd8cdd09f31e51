// /os-keypairs: a user's key pairs (nova/api/openstack/compute/keypairs.py). Admins may act on
// another user's key pairs with user_id (2.10).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../../composition/services.js';
import type { AuthContext } from '../../../identity/auth-context.js';
import { authorize, isAdmin } from '../../../identity/policy.js';
import { COMPUTE_PREFIX } from '../../urls.js';
import { createKeypairBodies } from './schemas.js';
import { renderKeypairCreate, renderKeypairList, renderKeypairShow } from './views.js';
import { lastParam, nextLink, readPaging } from '../paging-params.js';
import type { KeypairType } from '../../../compute/keypairs/keypair-service.js';

interface CreateBody {
  keypair: { name: string; public_key?: string; type?: KeypairType; user_id?: string };
}

/** The user whose key pairs are meant: the caller, or (admin, 2.10+) the one in user_id. */
function targetUser(req: FastifyRequest, auth: AuthContext, rule: string, requested: string | undefined): string {
  authorize(auth, 'read', rule);
  if (requested === undefined || !req.apiVersion.gte('2.10') || requested === auth.userId) return auth.userId;
  if (!isAdmin(auth)) authorize(auth, 'admin', rule);
  return requested;
}

export async function keypairRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { keypairs, config } = opts.services;
  const base = `${COMPUTE_PREFIX}/os-keypairs`;

  app.get(base, async (req) => {
    const q = req.query as Record<string, unknown>;
    const userId = targetUser(req, req.auth, 'os_compute_api:os-keypairs:index', lastParam(q.user_id));
    const paging = req.apiVersion.gte('2.35') ? readPaging(q) : {};
    const rows = await keypairs.listPage(userId, paging);
    const next = req.apiVersion.gte('2.35')
      ? nextLink(req, config.publicUrl, 'os-keypairs', paging, rows, () => rows[rows.length - 1].name)
      : null;
    return renderKeypairList(req.apiVersion, rows, next);
  });

  app.get<{ Params: { name: string } }>(`${base}/:name`, async (req) => {
    const userId = targetUser(
      req,
      req.auth,
      'os_compute_api:os-keypairs:show',
      lastParam((req.query as Record<string, unknown>).user_id),
    );
    return renderKeypairShow(req.apiVersion, await keypairs.get(userId, req.params.name));
  });

  app.post(base, { config: { bodies: createKeypairBodies } }, async (req, reply) => {
    const body = (req.body as CreateBody).keypair;
    const userId = targetUser(req, req.auth, 'os_compute_api:os-keypairs:create', body.user_id);
    const { row, privateKey } = await keypairs.create({
      userId,
      projectId: req.auth.projectId,
      name: body.name,
      type: body.type ?? 'ssh',
      publicKey: body.public_key,
      allowSpecialChars: req.apiVersion.gte('2.92'),
    });
    reply.code(req.apiVersion.gte('2.2') ? 201 : 200);
    return renderKeypairCreate(req.apiVersion, row, privateKey);
  });

  app.delete<{ Params: { name: string } }>(`${base}/:name`, async (req, reply) => {
    const userId = targetUser(
      req,
      req.auth,
      'os_compute_api:os-keypairs:delete',
      lastParam((req.query as Record<string, unknown>).user_id),
    );
    await keypairs.delete(userId, req.params.name);
    reply.code(req.apiVersion.gte('2.2') ? 204 : 202);
    return reply.send();
  });
}
