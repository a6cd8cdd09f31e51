// GET /servers/{id}/diagnostics (admin): free-form below 2.48, Nova's standard shape from 2.48.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../composition/services.js';
import { COMPUTE_PREFIX } from '../../urls.js';
import { renderDiagnostics, renderDiagnosticsLegacy } from './views/diagnostics.js';

export async function serverDiagnosticsRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { compute, serverActions } = opts.services;
  app.get<{ Params: { id: string } }>(`${COMPUTE_PREFIX}/servers/:id/diagnostics`, async (req) => {
    const instance = await compute.get(req.auth, req.params.id);
    const d = await serverActions.diagnostics.get(req.auth, instance);
    return req.apiVersion.gte('2.48') ? renderDiagnostics(d) : renderDiagnosticsLegacy(d);
  });
}
