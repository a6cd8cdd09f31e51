// POST /os-server-external-events (nova server_external_events.py): the admin-only API through
// which Neutron, Cinder, Ironic and Cyborg tell Nova about a server. The body is validated for the
// request's microversion before the policy check, as in Nova; the answer echoes each event with
// its `code` and `status` (200 when all were accepted, else 207).
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../composition/services.js';
import { authorize } from '../../../identity/policy.js';
import type { ExternalEvent } from '../../../compute/servers/external-events.js';
import { COMPUTE_PREFIX } from '../../urls.js';
import { externalEventsBodies } from './schemas/server-external-events.js';

export async function serverExternalEventRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { externalEvents } = opts.services;
  const schema = {
    tags: ['compute'],
    summary: 'Run server external events (admin; for Neutron, Cinder, Ironic, Cyborg)',
  };

  app.post(
    `${COMPUTE_PREFIX}/os-server-external-events`,
    { schema, config: { bodies: externalEventsBodies } },
    async (req, reply) => {
      authorize(req.auth, 'admin', 'os_compute_api:os-server-external-events:create');
      const events = (req.body as { events: ExternalEvent[] }).events;
      const result = await externalEvents.create(req.auth, req.id, events);
      return reply.code(result.status).send({
        events: events.map((e, i) => ({ ...e, ...result.outcomes[i] })),
      });
    },
  );
}
