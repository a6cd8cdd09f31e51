// /servers/{id}/tags (2.26, nova server_tags.py).
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../composition/services.js';
import { BadRequest } from '../../../errors.js';
import { COMPUTE_PREFIX } from '../../urls.js';
import { tagsBodies, TAG_PATTERN } from './schemas/servers.js';

export async function serverTagRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { compute } = opts.services;
  const base = `${COMPUTE_PREFIX}/servers/:id/tags`;
  const cfg = { minVersion: '2.26' };
  type P = { Params: { id: string; tag: string } };

  app.get<P>(base, { config: cfg }, async (req) => ({ tags: await compute.getTags(req.auth, req.params.id) }));

  app.put<P>(base, { config: { ...cfg, bodies: tagsBodies } }, async (req) => {
    const tags = (req.body as { tags: string[] }).tags;
    return { tags: await compute.replaceTags(req.auth, req.params.id, tags) };
  });

  app.delete<P>(base, { config: cfg }, async (req, reply) => {
    await compute.deleteAllTags(req.auth, req.params.id);
    return reply.code(204).send();
  });

  app.get<P>(`${base}/:tag`, { config: cfg }, async (req, reply) => {
    await compute.hasTag(req.auth, req.params.id, req.params.tag);
    return reply.code(204).send();
  });

  app.put<P>(`${base}/:tag`, { config: cfg }, async (req, reply) => {
    const tag = req.params.tag;
    if (!TAG_PATTERN.test(tag)) {
      throw new BadRequest(`Invalid input for field/attribute tag. Value: ${tag}. '${tag}' does not match '^[^,/]*$'`);
    }
    const created = await compute.addTag(req.auth, req.params.id, tag);
    if (created) reply.header('Location', `${req.protocol}://${req.headers.host}${req.url}`);
    return reply.code(created ? 201 : 204).send();
  });

  app.delete<P>(`${base}/:tag`, { config: cfg }, async (req, reply) => {
    await compute.deleteTag(req.auth, req.params.id, req.params.tag);
    return reply.code(204).send();
  });
}
