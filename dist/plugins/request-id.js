// Every response carries x-openstack-request-id; compute responses also x-compute-request-id
// (Nova's RequestId middleware). The id is fastify's request id, so it is in every log line too.
import { randomUUID } from 'node:crypto';
import fp from 'fastify-plugin';
export function newRequestId() {
    return `req-${randomUUID()}`;
}
async function requestIdPlugin(app) {
    app.addHook('onRequest', async (req, reply) => {
        reply.header('x-openstack-request-id', req.id);
        if (req.url.startsWith('/compute'))
            reply.header('x-compute-request-id', req.id);
    });
}
export default fp(requestIdPlugin, { name: 'request-id' });
//# sourceMappingURL=request-id.js.map