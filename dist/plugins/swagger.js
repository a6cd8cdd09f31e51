import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import { MAX_VERSION } from '../compute/api-version.js';
async function swaggerPlugin(app) {
    await app.register(swagger, {
        openapi: {
            openapi: '3.0.3',
            info: {
                title: 'novadock',
                description: `Nova v2.1 (microversions 2.1–${MAX_VERSION}), Glance v2 and Keystone v3 subsets served by novadock.`,
                version: '0.1.0',
            },
            servers: [{ url: 'http://127.0.0.1:8774' }],
            components: { securitySchemes: { keystoneToken: { type: 'apiKey', in: 'header', name: 'X-Auth-Token' } } },
            security: [{ keystoneToken: [] }],
        },
        transform: ({ schema, url, route }) => {
            const bodies = route.config?.bodies;
            const s = { ...(schema ?? {}) };
            if (bodies && bodies.length && !s.body)
                s.body = bodies[bodies.length - 1].schema;
            return { schema: s, url };
        },
    });
}
export default fp(swaggerPlugin, { name: 'swagger' });
//# sourceMappingURL=swagger.js.map