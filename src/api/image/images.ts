// Glance v2 routes under /image/v2: schemas, images CRUD, JSON-patch update, upload/download,
// tags, deactivate/reactivate and members. Thin: parse, call the image service, render.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import type { Services } from '../../composition/services.js';
import { baseUrl } from '../urls.js';
import { BadRequest, BodyExpected, UnsupportedMediaType } from '../../errors.js';
import { IMAGE_SCHEMA, IMAGES_SCHEMA, MEMBER_SCHEMA, MEMBERS_SCHEMA } from './schemas/image-schema.js';
import { renderImage, renderMember } from './views/images.js';
import { parseListQuery, listLinks } from './list-query.js';
import { discardBody, isStream, jsonBody } from './request-body.js';

/** curl --data-binary sends form-urlencoded when told nothing; both arrive as an unparsed stream. */
const UPLOAD_TYPES = ['application/octet-stream', 'application/x-www-form-urlencoded'];
const PATCH_TYPES = ['application/openstack-images-v2.1-json-patch', 'application/json-patch+json'];

type IdParams = { id: string };

export async function glanceImageRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { images } = opts.services;
  const publicUrl = opts.services.config.publicUrl;
  /** Documented in the OpenAPI output without request/response schemas: bodies carry free-form
   * custom properties, which a serializer schema would strip. */
  const doc = (summary: string) => ({ tags: ['image'], summary });

  const show = async (row: Awaited<ReturnType<typeof images.get>>) => renderImage(row, await images.tags(row.id));

  // ---- schemas ---------------------------------------------------------------------------------
  app.get(
    '/image/v2/schemas/image',
    { schema: doc('The image JSON schema (no `stores`: it clashes with a glance CLI option)') },
    async () => IMAGE_SCHEMA,
  );
  app.get('/image/v2/schemas/images', { schema: doc('The image list JSON schema') }, async () => IMAGES_SCHEMA);
  app.get('/image/v2/schemas/member', { schema: doc('The image member JSON schema') }, async () => MEMBER_SCHEMA);
  app.get(
    '/image/v2/schemas/members',
    { schema: doc('The image member list JSON schema') },
    async () => MEMBERS_SCHEMA,
  );

  // ---- images ----------------------------------------------------------------------------------
  app.get(
    '/image/v2/images',
    { schema: doc('List images (filters, sort, marker; relative next link)') },
    async (req) => {
      const input = parseListQuery(req.query as Record<string, string | string[]>);
      const { images: rows, more } = await images.list(req.auth, input);
      const tags = await images.tagsFor(rows.map((r) => r.id));
      const rawQuery = req.url.includes('?') ? req.url.slice(req.url.indexOf('?') + 1) : '';
      const links = listLinks(rawQuery, more && rows.length > 0 ? rows[rows.length - 1].id : null);
      return {
        images: rows.map((r) => renderImage(r, tags.get(r.id) ?? [])),
        first: links.first,
        schema: '/v2/schemas/images',
        ...(links.next ? { next: links.next } : {}),
      };
    },
  );

  app.post('/image/v2/images', { schema: doc('Create an image record (queued)') }, async (req, reply) => {
    const body = await jsonBody(req.body);
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw BodyExpected();
    const row = await images.create(req.auth, body as Record<string, unknown>);
    reply.code(201).header('Location', `${baseUrl(req, publicUrl)}/image/v2/images/${row.id}`);
    return show(row);
  });

  app.get<{ Params: IdParams }>('/image/v2/images/:id', { schema: doc('Show an image') }, async (req) =>
    show(await images.get(req.auth, req.params.id)),
  );

  app.patch<{ Params: IdParams }>(
    '/image/v2/images/:id',
    { schema: doc('Update an image (application/openstack-images-v2.1-json-patch)') },
    async (req) => {
      const type = String(req.headers['content-type'] ?? '')
        .split(';')[0]
        .trim()
        .toLowerCase();
      if (!PATCH_TYPES.includes(type)) {
        discardBody(req.body);
        throw new UnsupportedMediaType(`Unsupported Content-Type`);
      }
      return show(await images.update(req.auth, req.params.id, req.body));
    },
  );

  app.delete<{ Params: IdParams }>('/image/v2/images/:id', { schema: doc('Delete an image') }, async (req, reply) => {
    discardBody(req.body);
    await images.delete(req.auth, req.params.id);
    return reply.code(204).send();
  });

  // ---- data ------------------------------------------------------------------------------------
  app.put<{ Params: IdParams }>(
    '/image/v2/images/:id/file',
    {
      schema: doc('Upload image data (raw stream; 204 with no body)'),
      // Refuse media types a body parser would buffer (JSON, text) before any byte is read.
      onRequest: async (req, reply) => {
        const type = String(req.headers['content-type'] ?? '')
          .split(';')[0]
          .trim()
          .toLowerCase();
        if (type !== '' && !UPLOAD_TYPES.includes(type)) {
          reply.header('Connection', 'close');
          throw new UnsupportedMediaType(
            `Content-Type ${type} is not supported for image data: send application/octet-stream`,
          );
        }
      },
    },
    async (req, reply) => {
      const stream = uploadStream(req);
      const length = req.headers['content-length'] !== undefined ? Number(req.headers['content-length']) : null;
      try {
        await images.upload(req.auth, req.params.id, stream, Number.isFinite(length) ? length : null);
      } catch (err) {
        // The rest of a refused body is not worth reading: answer, then close the connection.
        if (!stream.readableEnded) reply.header('Connection', 'close');
        throw err;
      }
      // glanceclient fails on any body here ("Expecting value"): 204, nothing else.
      return reply.code(204).send();
    },
  );

  app.get<{ Params: IdParams }>(
    '/image/v2/images/:id/file',
    { schema: doc('Download image data (Content-MD5, Content-Length; Range: bytes=a-b gives 206 with Content-Range)') },
    async (req, reply) => {
      const data = await images.download(req.auth, req.params.id, req.headers);
      if (!data) return reply.code(204).send();
      reply.header('Content-Type', 'application/octet-stream');
      if (data.range) {
        const { start, end } = data.range;
        reply.code(206).header('Content-Range', `bytes ${start}-${end}/${data.size}`);
        reply.header('Content-Length', String(end - start + 1));
      } else {
        reply.header('Content-Length', String(data.size));
      }
      // Glance sends the whole image's checksum on partial downloads too.
      if (data.image.checksum) reply.header('Content-MD5', data.image.checksum);
      return reply.send(data.stream);
    },
  );

  // ---- tags ------------------------------------------------------------------------------------
  app.put<{ Params: IdParams & { tag: string } }>(
    '/image/v2/images/:id/tags/:tag',
    { schema: doc('Add a tag') },
    async (req, reply) => {
      discardBody(req.body);
      await images.addTag(req.auth, req.params.id, req.params.tag);
      return reply.code(204).send();
    },
  );
  app.delete<{ Params: IdParams & { tag: string } }>(
    '/image/v2/images/:id/tags/:tag',
    { schema: doc('Remove a tag') },
    async (req, reply) => {
      discardBody(req.body);
      await images.removeTag(req.auth, req.params.id, req.params.tag);
      return reply.code(204).send();
    },
  );

  // ---- actions ---------------------------------------------------------------------------------
  app.post<{ Params: IdParams }>(
    '/image/v2/images/:id/actions/deactivate',
    { schema: doc('Deactivate an image (admin)') },
    async (req, reply) => {
      discardBody(req.body);
      await images.deactivate(req.auth, req.params.id);
      return reply.code(204).send();
    },
  );
  app.post<{ Params: IdParams }>(
    '/image/v2/images/:id/actions/reactivate',
    { schema: doc('Reactivate an image (admin)') },
    async (req, reply) => {
      discardBody(req.body);
      await images.reactivate(req.auth, req.params.id);
      return reply.code(204).send();
    },
  );

  // ---- members ---------------------------------------------------------------------------------
  app.get<{ Params: IdParams }>(
    '/image/v2/images/:id/members',
    { schema: doc('List the members of a shared image') },
    async (req) => ({
      members: (await images.members.list(req.auth, req.params.id)).map(renderMember),
      schema: '/v2/schemas/members',
    }),
  );
  app.post<{ Params: IdParams }>(
    '/image/v2/images/:id/members',
    { schema: doc('Share an image with a project') },
    async (req) => {
      const body = (await jsonBody(req.body)) as { member?: unknown } | null;
      if (!body || typeof body !== 'object') throw BodyExpected();
      return renderMember(await images.members.add(req.auth, req.params.id, body.member));
    },
  );
  app.get<{ Params: IdParams & { member: string } }>(
    '/image/v2/images/:id/members/:member',
    { schema: doc('Show an image member') },
    async (req) => renderMember(await images.members.get(req.auth, req.params.id, req.params.member)),
  );
  app.put<{ Params: IdParams & { member: string } }>(
    '/image/v2/images/:id/members/:member',
    { schema: doc('Accept or reject a shared image (the member)') },
    async (req) => {
      const body = (await jsonBody(req.body)) as { status?: unknown } | null;
      if (!body || typeof body !== 'object') throw BodyExpected();
      return renderMember(await images.members.setStatus(req.auth, req.params.id, req.params.member, body.status));
    },
  );
  app.delete<{ Params: IdParams & { member: string } }>(
    '/image/v2/images/:id/members/:member',
    { schema: doc('Stop sharing an image with a project') },
    async (req, reply) => {
      discardBody(req.body);
      await images.members.remove(req.auth, req.params.id, req.params.member);
      return reply.code(204).send();
    },
  );
}

/** The raw upload body. The content-type parsers hand PUT …/file bodies over unread. */
function uploadStream(req: FastifyRequest): Readable {
  if (isStream(req.body)) return req.body;
  // No body at all (Content-Length: 0 without a parser run): the request itself is the stream.
  if (req.body === undefined || req.body === null) return req.raw;
  throw new BadRequest('Image data must be sent as the raw request body (Content-Type: application/octet-stream).');
}
