// /os-aggregates (admin; nova/api/openstack/compute/aggregates.py): list, show, create, update
// (name / zone), delete, and the add_host, remove_host and set_metadata actions. The rules live in
// compute/hosts/aggregates.ts; the zones configured in NOVADOCK_COMPUTE_HOSTS appear as read-only
// aggregates there. From 2.81 an admin may ask for images to be pre-cached on an aggregate's
// hosts (nova aggregates.py images). Nova answers 200 to every write, body-less for delete.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../composition/services.js';
import { authorize } from '../../../identity/policy.js';
import { AggregateNotFound, BadRequest, MalformedBody, NoSuchAction } from '../../../errors.js';
import { assertValid } from '../../../plugins/validation.js';
import { COMPUTE_PREFIX } from '../../urls.js';
import { parsePyInt } from '../flavors/flavor-params.js';
import { renderAggregate as render } from './aggregates-views.js';
import {
  AGGREGATE_ACTION_SCHEMAS,
  AGGREGATE_IMAGES_BODY,
  CREATE_AGGREGATE_BODIES,
  UPDATE_AGGREGATE_BODIES,
} from './aggregates-schemas.js';

const doc = (summary: string) => ({ tags: ['compute aggregates'], summary });
const POLICY = (name: string) => `os_compute_api:os-aggregates:${name}`;

/** nova utils.validate_integer (oslo strutils: int(str(value)) must succeed), as InvalidInput. */
function integerId(id: string): number {
  const n = parsePyInt(id);
  if (n === null) throw new BadRequest('Invalid input received: id must be an integer');
  return n;
}

/** nova common.normalize_name: surrounding whitespace dropped. */
const normalize = (s: string) => s.trim();

export async function aggregateRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { aggregates, aggregateImageCache } = opts.services;
  const base = `${COMPUTE_PREFIX}/os-aggregates`;

  app.get(base, { schema: doc('List aggregates') }, async (req) => {
    authorize(req.auth, 'admin', POLICY('index'));
    return { aggregates: (await aggregates.list()).map((a) => render(a, req.apiVersion)) };
  });

  // Nova answers 200 (not 201) for backwards compatibility.
  app.post(base, { schema: doc('Create an aggregate'), config: { bodies: CREATE_AGGREGATE_BODIES } }, async (req) => {
    authorize(req.auth, 'admin', POLICY('create'));
    const body = (req.body as { aggregate: { name: string; availability_zone?: string | null } }).aggregate;
    const created = await aggregates.create(
      normalize(body.name),
      body.availability_zone ? normalize(body.availability_zone) : null,
    );
    return { aggregate: render(created, req.apiVersion, { brief: true }) };
  });

  app.get<{ Params: { id: string } }>(`${base}/:id`, { schema: doc('Show an aggregate') }, async (req) => {
    authorize(req.auth, 'admin', POLICY('show'));
    const id = integerId(req.params.id);
    const found = await aggregates.find(id);
    if (!found) throw AggregateNotFound(id);
    return { aggregate: render(found, req.apiVersion) };
  });

  app.put<{ Params: { id: string } }>(
    `${base}/:id`,
    {
      schema: doc('Update the name or availability zone of an aggregate'),
      config: { bodies: UPDATE_AGGREGATE_BODIES },
    },
    async (req) => {
      authorize(req.auth, 'admin', POLICY('update'));
      const body = (req.body as { aggregate: { name?: string; availability_zone?: string | null } }).aggregate;
      const id = integerId(req.params.id);
      const updated = await aggregates.update(id, {
        name: body.name === undefined ? undefined : normalize(body.name),
        availabilityZone: 'availability_zone' in body ? body.availability_zone : undefined,
      });
      return { aggregate: render(updated, req.apiVersion) };
    },
  );

  app.delete<{ Params: { id: string } }>(
    `${base}/:id`,
    { schema: doc('Delete an empty aggregate') },
    async (req, reply) => {
      authorize(req.auth, 'admin', POLICY('delete'));
      await aggregates.delete(integerId(req.params.id));
      return reply.code(200).send();
    },
  );

  // The action route dispatches on the body's single key (nova wsgi action_peek), then checks
  // that action's schema and policy.
  app.post<{ Params: { id: string } }>(
    `${base}/:id/action`,
    { schema: doc('Add or remove a host, or set metadata (aggregate actions)') },
    async (req) => {
      const body = req.body;
      const keys = body && typeof body === 'object' && !Array.isArray(body) ? Object.keys(body) : [];
      if (keys.length !== 1) throw MalformedBody();
      const action = keys[0];
      const schema = AGGREGATE_ACTION_SCHEMAS[action];
      if (!schema) throw NoSuchAction(action);
      assertValid(schema, body, 'body');
      authorize(req.auth, 'admin', POLICY(action));
      const id = integerId(req.params.id);
      const arg = (body as Record<string, { host?: string; metadata?: Record<string, string | null> }>)[action];
      const result =
        action === 'add_host'
          ? await aggregates.addHost(id, arg.host!)
          : action === 'remove_host'
            ? await aggregates.removeHost(id, arg.host!)
            : await aggregates.setMetadata(id, arg.metadata!);
      return { aggregate: render(result, req.apiVersion) };
    },
  );

  // 202 without a body; the worker then loads the images host by host (compute/hosts/image-cache.ts).
  app.post<{ Params: { id: string } }>(
    `${base}/:id/images`,
    {
      schema: doc('Pre-cache images on the hosts of an aggregate (2.81)'),
      config: { bodies: [{ min: '2.81', schema: AGGREGATE_IMAGES_BODY }] },
    },
    async (req, reply) => {
      authorize(req.auth, 'admin', 'compute:aggregates:images');
      const id = integerId(req.params.id);
      const imageIds = (req.body as { cache: { id: string }[] }).cache.map((c) => c.id);
      await aggregateImageCache.request(req.auth, req.id, id, imageIds);
      return reply.code(202).send();
    },
  );
}
