// A path with an escaped NUL character (%00) names nothing that can exist: ids, names and tags
// never hold one (PostgreSQL cannot even store it, and a lookup with it would fail there instead of
// finding nothing). Such requests get the service's own 404 once authenticated, before routing,
// the same on both database engines. The query string is left to each route's validation.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { RESOURCE_NOT_FOUND } from '../errors.js';
import { sendError } from './error-handler.js';

export function pathHasNul(url: string): boolean {
  const q = url.indexOf('?');
  return /%00/.test(q < 0 ? url : url.slice(0, q));
}

async function nulInPathPlugin(app: FastifyInstance): Promise<void> {
  app.addHook('onRequest', async (req, reply) => {
    if (pathHasNul(req.url)) return sendError(req, reply, 404, RESOURCE_NOT_FOUND);
  });
}

export default fp(nulInPathPlugin, { name: 'nul-in-path' });
