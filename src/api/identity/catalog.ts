// Keystone's catalog administration, read side: GET /v3/services, /v3/endpoints and /v3/regions
// (with the filters openstackclient sends: `endpoint list --service/--interface/--region`,
// `service list`, `region list`). novadock's catalog is its own three services at fixed paths
// under the address clients reach it by, so it cannot be edited: the writes are refused with a
// 403 that says so, rather than a 404 that would read as a missing API.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../composition/services.js';
import { enforce } from '../../identity/policy.js';
import { Forbidden, IdentityNotFound } from '../../errors.js';
import { baseUrl } from '../urls.js';
import { params, queryString, selfUrl, v3Url } from './common.js';
import { listBody } from './views/resources.js';
import { catalogEntities } from './views/catalog.js';

const FIXED =
  "The service catalog of novadock is fixed: it lists novadock's own identity, compute and image endpoints.";

/** The query parameters a list honours, each compared exactly; an absent one does not filter. */
function filtered(items: Record<string, unknown>[], req: FastifyRequest, keys: string[]): Record<string, unknown>[] {
  const q = req.query as Record<string, unknown>;
  const wanted = keys.map((k) => [k, queryString(q[k])] as const).filter(([, v]) => v !== undefined);
  return items.filter((item) => wanted.every(([k, v]) => String(item[k]) === v));
}

export async function catalogRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { config } = opts.services;
  const entities = (req: FastifyRequest) =>
    catalogEntities(baseUrl(req, config.publicUrl), v3Url(req, config.publicUrl));
  // Documented in the OpenAPI document (so the bad-input fuzzer covers Keystone's routes too).
  const keystone = { tags: ['identity'] };
  const kinds = [
    { plural: 'services', singular: 'service', filters: ['type', 'name'] },
    { plural: 'endpoints', singular: 'endpoint', filters: ['interface', 'service_id', 'region_id'] },
    { plural: 'regions', singular: 'region', filters: ['parent_region_id'] },
  ] as const;

  for (const kind of kinds) {
    app.get(`/identity/v3/${kind.plural}`, { schema: keystone }, async (req) => {
      enforce(req.auth, `identity:list_${kind.plural}`);
      return listBody(
        kind.plural,
        filtered(entities(req)[kind.plural], req, [...kind.filters]),
        selfUrl(req, config.publicUrl),
      );
    });
    app.get<{ Params: { id: string } }>(
      `/identity/v3/${kind.plural}/:id`,
      { schema: { ...keystone, params: params('id') } },
      async (req) => {
        enforce(req.auth, `identity:get_${kind.singular}`);
        const found = entities(req)[kind.plural].find((e) => e.id === req.params.id);
        if (!found) throw IdentityNotFound(kind.singular, req.params.id);
        return { [kind.singular]: found };
      },
    );
    const refuse = (verb: 'create' | 'update' | 'delete') => async (req: FastifyRequest) => {
      enforce(req.auth, `identity:${verb}_${kind.singular}`);
      throw new Forbidden(FIXED);
    };
    app.post(`/identity/v3/${kind.plural}`, { schema: keystone }, refuse('create'));
    app.patch(`/identity/v3/${kind.plural}/:id`, { schema: { ...keystone, params: params('id') } }, refuse('update'));
    app.delete(`/identity/v3/${kind.plural}/:id`, { schema: { ...keystone, params: params('id') } }, refuse('delete'));
  }
}
