// GET /extensions and /extensions/{alias} (nova extension_info.py): the legacy extension list,
// open to any project member, unchanged by microversions. An unknown alias is Nova's bare 404.
import type { FastifyInstance } from 'fastify';
import { NotFound } from '../../../errors.js';
import { authorize } from '../../../identity/policy.js';
import { COMPUTE_PREFIX } from '../../urls.js';
import { findExtension, renderExtensions } from './views.js';

export async function extensionRoutes(app: FastifyInstance): Promise<void> {
  app.get(`${COMPUTE_PREFIX}/extensions`, async (req) => {
    authorize(req.auth, 'read', 'os_compute_api:extensions');
    return renderExtensions();
  });

  app.get<{ Params: { alias: string } }>(`${COMPUTE_PREFIX}/extensions/:alias`, async (req) => {
    authorize(req.auth, 'read', 'os_compute_api:extensions');
    const extension = findExtension(req.params.alias);
    if (!extension) throw new NotFound();
    return { extension };
  });
}
