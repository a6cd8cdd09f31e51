// /os-aggregates (admin): the non-default availability zones shown as host aggregates
// (compute/aggregates.ts; clients such as `openstack hypervisor show` read them). Aggregates
// cannot be created or changed: the zone of a host comes from NOVADOCK_COMPUTE_HOSTS. From 2.81
// an admin may ask for images to be pre-cached on an aggregate's hosts (nova aggregates.py images).
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services';
import { authorize } from '../../identity/policy';
import { BadRequest, NotFound } from '../../errors';
import type { Aggregate } from '../../compute/aggregates';
import { COMPUTE_PREFIX } from '../urls';
import { naiveMicros } from './views/compute-services';

const doc = (summary: string) => ({ tags: ['compute aggregates'], summary });

/** nova schemas/aggregate_images.py aggregate_images_v2_81 */
const AGGREGATE_IMAGES_BODY = {
  type: 'object',
  properties: {
    cache: {
      type: 'array',
      minItems: 1,
      items: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } }, required: ['id'], additionalProperties: false },
    },
  },
  required: ['cache'],
  additionalProperties: false,
};

function render(a: Aggregate, v: { gte(x: string): boolean }) {
  return {
    availability_zone: a.availabilityZone,
    created_at: naiveMicros(a.createdAt),
    deleted: false,
    deleted_at: null,
    hosts: a.hosts,
    id: a.id,
    metadata: { availability_zone: a.availabilityZone },
    name: a.name,
    updated_at: null,
    ...(v.gte('2.41') ? { uuid: a.uuid } : {}),
  };
}

/** nova utils.validate_integer (oslo strutils: int(str(value)) must succeed), as InvalidInput. */
function integerId(id: string): number {
  if (!/^\s*[+-]?\d+\s*$/.test(id)) throw new BadRequest('Invalid input received: id must be an integer');
  return Number(id.trim());
}

export async function aggregateRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { aggregates, aggregateImageCache } = opts.services;
  const base = `${COMPUTE_PREFIX}/os-aggregates`;

  app.get(base, { schema: doc('List aggregates (the non-default availability zones)') }, async (req) => {
    authorize(req.auth, 'admin', 'os_compute_api:os-aggregates:index');
    return { aggregates: (await aggregates.list()).map((a) => render(a, req.apiVersion)) };
  });

  app.get<{ Params: { id: string } }>(`${base}/:id`, { schema: doc('Show an aggregate') }, async (req) => {
    authorize(req.auth, 'admin', 'os_compute_api:os-aggregates:show');
    const found = (await aggregates.list()).find((a) => String(a.id) === req.params.id);
    if (!found) throw new NotFound(`Aggregate ${req.params.id} could not be found.`);
    return { aggregate: render(found, req.apiVersion) };
  });

  // 202 without a body; the worker then loads the images host by host (compute/image-cache.ts).
  app.post<{ Params: { id: string } }>(`${base}/:id/images`, {
    schema: doc('Pre-cache images on the hosts of an aggregate (2.81)'),
    config: { bodies: [{ min: '2.81', schema: AGGREGATE_IMAGES_BODY }] },
  }, async (req, reply) => {
    authorize(req.auth, 'admin', 'compute:aggregates:images');
    const id = integerId(req.params.id);
    const imageIds = (req.body as { cache: { id: string }[] }).cache.map((c) => c.id);
    await aggregateImageCache.request(req.auth, req.id, id, imageIds);
    return reply.code(202).send();
  });
}
