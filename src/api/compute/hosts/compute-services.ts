// /os-services (admin): list, enable/disable (with a reason), force down, delete.
// nova/api/openstack/compute/services.py.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../../composition/services.js';
import { authorize } from '../../../identity/policy.js';
import { BadRequest, NotFound, ServiceNotFound } from '../../../errors.js';
import type { ServiceRecord } from '../../../compute/hosts/compute-services.js';
import { COMPUTE_PREFIX } from '../../urls.js';
import { legacyUpdateBodies, updateBodies } from './compute-services-schemas.js';
import { renderService } from './compute-services-views.js';
import { assertKnownQuery, lastParam } from '../paging-params.js';
import { isTrueSpelling, isUuidLike } from '../../../contract/parameter-types.js';

interface LegacyBody {
  host: string;
  binary: string;
  disabled_reason?: string;
  forced_down?: unknown;
}
interface UpdateBody {
  status?: 'enabled' | 'disabled';
  disabled_reason?: string;
  forced_down?: unknown;
}

export async function computeServiceRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { hostOverview: computeServices } = opts.services;
  const base = `${COMPUTE_PREFIX}/os-services`;

  app.get(base, async (req) => {
    assertKnownQuery(req, ['host', 'binary']);
    authorize(req.auth, 'admin', 'os_compute_api:os-services:list');
    const q = req.query as Record<string, unknown>;
    const list = await computeServices.list({ host: lastParam(q.host), binary: lastParam(q.binary) });
    return { services: list.map((s) => renderService(req.apiVersion, s)) };
  });

  /** Before 2.53 the last path segment names the action; from 2.53 it is the service's UUID. */
  app.put<{ Params: { id: string } }>(
    `${base}/:id`,
    {
      config: { bodies: [...legacyUpdateBodies, ...updateBodies] },
    },
    async (req, reply) => {
      authorize(req.auth, 'admin', 'os_compute_api:os-services:update');
      if (req.apiVersion.gte('2.53')) return updateByUuid(req, reply, req.params.id);
      return legacyAction(req, req.params.id);
    },
  );

  async function legacyAction(req: FastifyRequest, action: string) {
    const body = req.body as LegacyBody;
    const service = await computeServices.findByHostBinary(body.host, body.binary);
    switch (action) {
      case 'enable':
        await computeServices.update(service, { disabled: false });
        return { service: { host: body.host, binary: body.binary, status: 'enabled' } };
      case 'disable':
        await computeServices.update(service, { disabled: true });
        return { service: { host: body.host, binary: body.binary, status: 'disabled' } };
      case 'disable-log-reason': {
        if (body.disabled_reason === undefined) throw new BadRequest('Missing disabled reason field');
        await computeServices.update(service, { disabled: true, disabledReason: body.disabled_reason });
        return {
          service: { host: body.host, binary: body.binary, status: 'disabled', disabled_reason: body.disabled_reason },
        };
      }
      case 'force-down': {
        if (req.apiVersion.lt('2.11')) throw new NotFound('Unknown action');
        if (body.forced_down === undefined) throw new BadRequest('Missing forced_down field');
        const forced = isTrueSpelling(body.forced_down);
        await computeServices.update(service, { forcedDown: forced });
        return { service: { host: body.host, binary: body.binary, forced_down: forced } };
      }
      default:
        throw new NotFound('Unknown action');
    }
  }

  async function updateByUuid(req: FastifyRequest, reply: FastifyReply, id: string) {
    const body = req.body as UpdateBody;
    const service = await byUuid(id);
    if (body.status === undefined && body.forced_down === undefined) {
      throw new BadRequest("At least one of 'status' or 'forced_down' must be specified in the request body.");
    }
    if (body.disabled_reason !== undefined && body.status !== 'disabled') {
      throw new BadRequest("Specifying 'disabled_reason' with status 'enabled' is invalid.");
    }
    const updated = await computeServices.update(service, {
      ...(body.status !== undefined
        ? { disabled: body.status === 'disabled', disabledReason: body.disabled_reason ?? null }
        : {}),
      ...(body.forced_down !== undefined ? { forcedDown: isTrueSpelling(body.forced_down) } : {}),
    });
    reply.code(200);
    return { service: renderService(req.apiVersion, updated) };
  }

  async function byUuid(id: string): Promise<ServiceRecord> {
    if (!isUuidLike(id)) throw new BadRequest(`Invalid uuid ${id}`);
    const s = await computeServices.findByUuid(id);
    if (!s) throw ServiceNotFound(id);
    return s;
  }

  app.delete<{ Params: { id: string } }>(`${base}/:id`, async (req, reply) => {
    authorize(req.auth, 'admin', 'os_compute_api:os-services:delete');
    let service: ServiceRecord | undefined;
    if (req.apiVersion.gte('2.53')) service = await byUuid(req.params.id);
    else {
      if (!/^\d+$/.test(req.params.id)) throw new BadRequest('Invalid input received: id must be an integer.');
      service = await computeServices.findById(Number(req.params.id));
      if (!service) throw ServiceNotFound(req.params.id);
    }
    await computeServices.delete(service);
    return reply.code(204).send();
  });
}
