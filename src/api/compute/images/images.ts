// Nova's image proxy (GET /images, /images/detail, /images/{id}, DELETE, image metadata): Glance
// images in Nova's shape. Deprecated in Nova: removed from microversion 2.36, so every route here is
// 404 above 2.35, as Nova's.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../../composition/services.js';
import { ApiError, BadRequest, BodyUriMismatch, MalformedBody, NotFound } from '../../../errors.js';
import { type ImageRow, imageProperties } from '../../../db/repositories/images-repo.js';
import { parseTimeFilter } from '../../../images/list-filter-ops.js';
import { baseUrl } from '../../urls.js';
import { readPaging, lastParam } from '../paging-params.js';
import { renderImageBasic, renderImageDetail } from './views.js';

const noMetadataFor = (key: string) => new NotFound(`Image has no metadata for key ${key}`);

const PREFIX = '/compute/v2.1/images';
const config = { maxVersion: '2.35' };
const doc = (summary: string) => ({ tags: ['compute images (deprecated: removed at 2.36)'], summary });
/** Nova's [quota] metadata_items default. */
const MAX_METADATA_ITEMS = 128;

type IdParams = { id: string };
type KeyParams = { id: string; key: string };

export async function imageProxyRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { images } = opts.services;
  const base = (req: FastifyRequest) => baseUrl(req, opts.services.config.publicUrl);

  /** Glance's errors in Nova's words: a missing image is "Image not found." */
  async function load(req: FastifyRequest, id: string): Promise<ImageRow> {
    try {
      return await images.get(req.auth, id);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) throw new NotFound('Image not found.');
      throw err;
    }
  }

  async function list(req: FastifyRequest, detail: boolean) {
    const q = req.query as Record<string, unknown>;
    const { limit, marker } = readPaging(q);
    const properties: Record<string, string> = {};
    const server = lastParam(q.server);
    if (server !== undefined) properties.instance_uuid = server.replace(/\/+$/, '').split('/').pop()!;
    const type = lastParam(q.type);
    if (type !== undefined) properties.image_type = type;
    const filters: Record<string, string> = {};
    const name = lastParam(q.name);
    if (name !== undefined) filters.name = name;
    const status = lastParam(q.status);
    if (status !== undefined) filters.status = status.toLowerCase();
    const minRam = intFilter(q.minRam, 'minRam');
    const minDisk = intFilter(q.minDisk, 'minDisk');
    // nova/image/glance.py _extract_query_params_v2: changes-since is Glance's updated_at=gte:<value>
    // (so a text that is no ISO 8601 time is Glance's 400, passed on)
    const changesSince = lastParam(q['changes-since']);
    const times = changesSince === undefined ? [] : [parseTimeFilter('updated_at', `gte:${changesSince}`)];
    const { images: rows } = await images.list(req.auth, {
      filters,
      times,
      tags: [],
      properties,
      sort: [],
      marker,
      limit: limit ?? 1000,
    });
    const shown = rows.filter(
      (r) => (minRam === undefined || r.min_ram >= minRam) && (minDisk === undefined || r.min_disk >= minDisk),
    );
    const b = base(req);
    const body: Record<string, unknown> = {
      images: shown.map((r) => (detail ? renderImageDetail(b, r) : renderImageBasic(b, r))),
    };
    if (limit !== undefined && rows.length === limit && rows.length > 0) {
      const params = new URLSearchParams(req.url.split('?')[1] ?? '');
      params.delete('marker');
      params.set('marker', rows[rows.length - 1].id);
      body.images_links = [{ rel: 'next', href: `${b}${PREFIX}${detail ? '/detail' : ''}?${params.toString()}` }];
    }
    return body;
  }

  app.get(PREFIX, { config, schema: doc('List images (Nova proxy of Glance)') }, async (req) => list(req, false));
  app.get(`${PREFIX}/detail`, { config, schema: doc('List images with details') }, async (req) => list(req, true));

  app.get<{ Params: IdParams }>(`${PREFIX}/:id`, { config, schema: doc('Show an image') }, async (req) => ({
    image: renderImageDetail(base(req), await load(req, req.params.id)),
  }));

  app.delete<{ Params: IdParams }>(`${PREFIX}/:id`, { config, schema: doc('Delete an image') }, async (req, reply) => {
    await load(req, req.params.id);
    await images.delete(req.auth, req.params.id);
    return reply.code(204).send();
  });

  // ---- metadata ------------------------------------------------------------------------------
  app.get<{ Params: IdParams }>(
    `${PREFIX}/:id/metadata`,
    { config, schema: doc('Show image metadata') },
    async (req) => ({
      metadata: imageProperties(await load(req, req.params.id)),
    }),
  );

  app.post<{ Params: IdParams }>(
    `${PREFIX}/:id/metadata`,
    { config, schema: doc('Update image metadata (merge)') },
    async (req) => {
      const meta = metadataBody(req.body, 'metadata');
      await load(req, req.params.id);
      const row = await images.changeProperties(req.auth, req.params.id, (p) => limited({ ...p, ...meta }));
      return { metadata: imageProperties(row) };
    },
  );

  app.put<{ Params: IdParams }>(
    `${PREFIX}/:id/metadata`,
    { config, schema: doc('Replace image metadata') },
    async (req) => {
      const meta = metadataBody(req.body, 'metadata');
      await load(req, req.params.id);
      const row = await images.changeProperties(req.auth, req.params.id, () => limited({ ...meta }));
      return { metadata: imageProperties(row) };
    },
  );

  app.get<{ Params: KeyParams }>(
    `${PREFIX}/:id/metadata/:key`,
    { config, schema: doc('Show an image metadata item') },
    async (req) => {
      const props = imageProperties(await load(req, req.params.id));
      if (!(req.params.key in props)) throw noMetadataFor(req.params.key);
      return { meta: { [req.params.key]: props[req.params.key] } };
    },
  );

  app.put<{ Params: KeyParams }>(
    `${PREFIX}/:id/metadata/:key`,
    { config, schema: doc('Set an image metadata item') },
    async (req) => {
      const meta = metadataBody(req.body, 'meta');
      const keys = Object.keys(meta);
      if (!keys.includes(req.params.key)) throw BodyUriMismatch();
      if (keys.length > 1) throw new BadRequest('Request body contains too many items');
      await load(req, req.params.id);
      await images.changeProperties(req.auth, req.params.id, (p) => limited({ ...p, ...meta }));
      return { meta };
    },
  );

  app.delete<{ Params: KeyParams }>(
    `${PREFIX}/:id/metadata/:key`,
    { config, schema: doc('Delete an image metadata item') },
    async (req, reply) => {
      const image = await load(req, req.params.id);
      if (!(req.params.key in imageProperties(image))) throw noMetadataFor(req.params.key);
      await images.changeProperties(req.auth, req.params.id, (p) => {
        delete p[req.params.key];
        return p;
      });
      return reply.code(204).send();
    },
  );
}

function intFilter(v: unknown, name: string): number | undefined {
  const s = lastParam(v);
  if (s === undefined) return undefined;
  if (!/^\d+$/.test(s)) throw new BadRequest(`Invalid ${name} filter [${s}]`);
  return Number(s);
}

function metadataBody(body: unknown, key: 'metadata' | 'meta'): Record<string, string> {
  const inner = body && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined;
  if (!inner || typeof inner !== 'object' || Array.isArray(inner)) throw MalformedBody();
  for (const [k, v] of Object.entries(inner as Record<string, unknown>)) {
    if (k.length === 0 || k.length > 255) throw new BadRequest('Invalid metadata key');
    if (typeof v !== 'string') throw new BadRequest(`Invalid metadata value for key ${k}: must be a string`);
    if (v.length > 255) throw new BadRequest(`Invalid metadata value for key ${k}: longer than 255 characters`);
  }
  return inner as Record<string, string>;
}

function limited(props: Record<string, string>): Record<string, string> {
  if (Object.keys(props).length > MAX_METADATA_ITEMS) {
    throw new ApiError(
      403,
      `Quota exceeded for metadata_items: Requested ${Object.keys(props).length}, but already used 0 of ${MAX_METADATA_ITEMS} metadata_items`,
    );
  }
  return props;
}
