// /flavors/{id}/os-extra_specs[/{key}] (nova flavors_extraspecs.py). Reads for any project role,
// writes for admins. Values given as numbers or booleans are stored as Python's str() of them;
// create and update answer with the request body, as Nova does. From microversion 2.86 the specs
// of known namespaces are validated (flavors.checkExtraSpecs) before the flavor is looked up.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../composition/services.js';
import { BadRequest, BodyUriMismatch } from '../../../errors.js';
import { authorize } from '../../../identity/policy.js';
import { createExtraSpecsBodies, updateExtraSpecBodies } from './schemas.js';

const PREFIX = '/compute/v2.1/flavors/:flavorId/os-extra_specs';
const RULE = 'os_compute_api:os-flavor-extra-specs';
/** The microversion from which Nova validates extra specs of known namespaces. */
const VALIDATED_FROM = '2.86';

type SpecValue = string | number | boolean;
interface IdParams {
  flavorId: string;
}
interface KeyParams extends IdParams {
  key: string;
}

/** Python str() of a JSON scalar. */
function pyStr(v: SpecValue): string {
  if (v === true) return 'True';
  if (v === false) return 'False';
  return String(v);
}

function asStrings(specs: Record<string, SpecValue>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(specs)) {
    const s = pyStr(v);
    if (s.length > 255) throw new BadRequest('Invalid input received: extra_specs value has more than 255 characters.');
    out[k] = s;
  }
  return out;
}

export async function flavorExtraSpecRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { flavors } = opts.services;

  app.get<{ Params: IdParams }>(PREFIX, async (req) => {
    authorize(req.auth, 'read', `${RULE}:index`);
    const flavor = await flavors.get(req.params.flavorId, req.auth);
    return { extra_specs: await flavors.extraSpecs(flavor.id) };
  });

  app.post<{ Params: IdParams }>(PREFIX, { config: { bodies: createExtraSpecsBodies } }, async (req) => {
    authorize(req.auth, 'admin', `${RULE}:create`);
    const body = req.body as { extra_specs: Record<string, SpecValue> };
    const specs = asStrings(body.extra_specs);
    if (req.apiVersion.gte(VALIDATED_FROM)) flavors.checkExtraSpecs(specs);
    const flavor = await flavors.get(req.params.flavorId, req.auth);
    await flavors.setExtraSpecs(flavor.id, specs);
    return body;
  });

  app.get<{ Params: KeyParams }>(`${PREFIX}/:key`, async (req) => {
    authorize(req.auth, 'read', `${RULE}:show`);
    const flavor = await flavors.get(req.params.flavorId, req.auth);
    return { [req.params.key]: await flavors.extraSpec(flavor.id, req.params.key) };
  });

  app.put<{ Params: KeyParams }>(`${PREFIX}/:key`, { config: { bodies: updateExtraSpecBodies } }, async (req) => {
    authorize(req.auth, 'admin', `${RULE}:update`);
    const body = req.body as Record<string, SpecValue>;
    // Nova checks the value before comparing the body's key with the URI's.
    const specs = asStrings(body);
    if (req.apiVersion.gte(VALIDATED_FROM)) flavors.checkExtraSpecs(specs);
    if (!(req.params.key in body)) throw BodyUriMismatch();
    const flavor = await flavors.get(req.params.flavorId, req.auth);
    await flavors.setExtraSpecs(flavor.id, specs);
    return body;
  });

  app.delete<{ Params: KeyParams }>(`${PREFIX}/:key`, async (req, reply) => {
    authorize(req.auth, 'admin', `${RULE}:delete`);
    const flavor = await flavors.get(req.params.flavorId, req.auth);
    await flavors.deleteExtraSpec(flavor.id, req.params.key);
    return reply.code(202).send();
  });
}
