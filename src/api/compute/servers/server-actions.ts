// POST /servers/{id}/action — dispatches on exactly one body key (nova wsgi.action_peek and
// Resource._process_stack): zero or several keys → 400 "Malformed request body"; an unknown key
// → 400 "There is no such action: X"; an action outside its microversion range → 404. Then the
// body is validated for the request's version, the server loaded (404) and the action's handler
// called; it returns the code (202, or 200 with a body) and nothing else happens here.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../composition/services.js';
import { MalformedBody, NoSuchAction, NotFound } from '../../../errors.js';
import { assertValid } from '../../../plugins/validation.js';
import { COMPUTE_PREFIX } from '../../urls.js';
import { ActionRegistry } from './actions/registry.js';
import { ACTION_GROUPS } from './actions/index.js';

/** nova wsgi.action_peek: the single key of a JSON object body. */
export function actionPeek(body: unknown): string {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw MalformedBody();
  const keys = Object.keys(body);
  if (keys.length !== 1) throw MalformedBody();
  return keys[0];
}

export function buildActionRegistry(services: Services): ActionRegistry {
  const registry = new ActionRegistry();
  for (const group of ACTION_GROUPS) registry.registerGroup(services, group);
  return registry;
}

export async function serverActionRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { compute } = opts.services;
  const registry = buildActionRegistry(opts.services);

  app.post<{ Params: { id: string } }>(`${COMPUTE_PREFIX}/servers/:id/action`, async (req, reply) => {
    const name = actionPeek(req.body);
    const action = registry.get(name);
    if (!action) throw NoSuchAction(name);
    if (action.minVersion && req.apiVersion.lt(action.minVersion)) throw new NotFound();
    if (action.maxVersion && req.apiVersion.cmp(action.maxVersion) > 0) throw new NotFound();
    if (action.bodies) {
      const match = action.bodies.find((b) => req.apiVersion.within(b.min, b.max));
      if (!match) throw new NotFound();
      assertValid(match.schema, req.body, 'body');
    }
    const instance = await compute.get(req.auth, req.params.id);
    const result = await action.handler(req, instance, (req.body as Record<string, unknown>)[name]);
    for (const [k, v] of Object.entries(result.headers ?? {})) reply.header(k, v);
    reply.code(result.status);
    return result.body === undefined ? reply.send() : result.body;
  });
}
