import { authorize } from '../../identity/policy.js';
import { createExternalEvents } from '../../compute/external-events.js';
import { COMPUTE_PREFIX } from '../urls.js';
import { externalEventsBodies } from './schemas/server-external-events.js';
export async function serverExternalEventRoutes(app, opts) {
    const externalEvents = createExternalEvents(opts.services);
    const schema = { tags: ['compute'], summary: 'Run server external events (admin; for Neutron, Cinder, Ironic, Cyborg)' };
    app.post(`${COMPUTE_PREFIX}/os-server-external-events`, { schema, config: { bodies: externalEventsBodies } }, async (req, reply) => {
        authorize(req.auth, 'admin', 'os_compute_api:os-server-external-events:create');
        const events = req.body.events;
        const result = await externalEvents.create(req.auth, req.id, events);
        return reply.code(result.status).send({
            events: events.map((e, i) => ({ ...e, ...result.outcomes[i] })),
        });
    });
}
//# sourceMappingURL=server-external-events.js.map