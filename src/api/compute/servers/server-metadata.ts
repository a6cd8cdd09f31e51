// /servers/{id}/metadata and /metadata/{key} (nova server_metadata.py).
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../composition/services.js';
import { BodyUriMismatch, MetadataItemNotFound } from '../../../errors.js';
import { COMPUTE_PREFIX } from '../../urls.js';
import { metadataBodies, metadataItemBodies } from './schemas/servers.js';

export async function serverMetadataRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { compute } = opts.services;
  const base = `${COMPUTE_PREFIX}/servers/:id/metadata`;
  type P = { Params: { id: string; key: string } };

  app.get<P>(base, async (req) => ({ metadata: await compute.getMetadata(req.auth, req.params.id) }));

  app.post<P>(base, { config: { bodies: metadataBodies } }, async (req) => {
    const items = (req.body as { metadata: Record<string, string> }).metadata;
    return { metadata: await compute.setMetadata(req.auth, req.params.id, items, false) };
  });

  app.put<P>(base, { config: { bodies: metadataBodies } }, async (req) => {
    const items = (req.body as { metadata: Record<string, string> }).metadata;
    return { metadata: await compute.setMetadata(req.auth, req.params.id, items, true) };
  });

  app.get<P>(`${base}/:key`, async (req) => {
    const meta = await compute.getMetadata(req.auth, req.params.id);
    if (!(req.params.key in meta)) throw MetadataItemNotFound();
    return { meta: { [req.params.key]: meta[req.params.key] } };
  });

  app.put<P>(`${base}/:key`, { config: { bodies: metadataItemBodies } }, async (req) => {
    const meta = (req.body as { meta: Record<string, string> }).meta;
    if (!(req.params.key in meta)) throw BodyUriMismatch();
    await compute.setMetadata(req.auth, req.params.id, meta, false);
    return { meta };
  });

  app.delete<P>(`${base}/:key`, async (req, reply) => {
    await compute.deleteMetadataItem(req.auth, req.params.id, req.params.key);
    return reply.code(204).send();
  });
}
