import fp from 'fastify-plugin';
import { NotAcceptable, NotFound } from '../errors.js';
import { assertValid } from './validation.js';
import { MAX, MAX_VERSION, MIN, MIN_VERSION, ApiVersion } from '../compute/api-version.js';
function requestedVersion(req) {
    const modern = req.headers['openstack-api-version'];
    if (typeof modern === 'string') {
        // "compute 2.60" possibly among other services: "volume 3.0, compute 2.60"
        for (const part of modern.split(',')) {
            const [service, version] = part.trim().split(/\s+/);
            if (service?.toLowerCase() === 'compute' && version)
                return version;
        }
    }
    const legacy = req.headers['x-openstack-nova-api-version'];
    return typeof legacy === 'string' && legacy.trim() ? legacy.trim() : null;
}
export function isComputePath(url) {
    return url.startsWith('/compute/v2.1') || url.startsWith('/compute/v2/') || url === '/compute/v2';
}
async function microversionPlugin(app) {
    app.decorateRequest('apiVersion', null);
    app.addHook('onRequest', async (req, reply) => {
        req.apiVersion = MIN;
        if (!req.url.startsWith('/compute/v2.1'))
            return;
        // Echo the headers even when negotiation fails (Nova does).
        const echo = (v) => {
            reply.header('OpenStack-API-Version', `compute ${v}`);
            reply.header('X-OpenStack-Nova-API-Version', v);
            reply.header('Vary', 'OpenStack-API-Version, X-OpenStack-Nova-API-Version');
        };
        const text = requestedVersion(req);
        if (text === null) {
            echo(MIN_VERSION);
            return;
        }
        if (text.toLowerCase() === 'latest') {
            req.apiVersion = MAX;
            echo(MAX_VERSION);
            return;
        }
        echo(text);
        const v = ApiVersion.parse(text);
        if (v.lt(MIN_VERSION) || v.cmp(MAX) > 0) {
            throw new NotAcceptable(`Version ${text} is not supported by the API. Minimum is ${MIN_VERSION} and maximum is ${MAX_VERSION}.`);
        }
        req.apiVersion = v;
        echo(v.toString());
    });
    app.addHook('preValidation', async (req) => {
        const cfg = req.routeOptions.config;
        if (cfg.minVersion && req.apiVersion.lt(cfg.minVersion))
            throw new NotFound();
        if (cfg.maxVersion && req.apiVersion.cmp(cfg.maxVersion) > 0)
            throw new NotFound();
        const bodies = cfg.bodies;
        if (!bodies)
            return;
        const match = bodies.find((b) => req.apiVersion.within(b.min, b.max));
        if (!match)
            throw new NotFound();
        assertValid(match.schema, req.body ?? null, 'body');
    });
}
export default fp(microversionPlugin, { name: 'microversion' });
//# sourceMappingURL=microversion.js.map