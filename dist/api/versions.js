import { baseUrl } from './urls.js';
import { MAX_VERSION, MIN_VERSION } from '../compute/api-version.js';
const NOVA_UPDATED = '2013-07-23T11:33:21Z';
const LEGACY_UPDATED = '2011-01-21T11:33:21Z';
const KEYSTONE_UPDATED = '2020-04-07T00:00:00Z';
export function computeVersionDoc(base) {
    return {
        version: {
            id: 'v2.1',
            status: 'CURRENT',
            version: MAX_VERSION,
            min_version: MIN_VERSION,
            updated: NOVA_UPDATED,
            links: [
                { rel: 'self', href: `${base}/compute/v2.1/` },
                { rel: 'describedby', type: 'text/html', href: 'http://docs.openstack.org/' },
            ],
            'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2.1' }],
        },
    };
}
/**
 * The legacy v2.0 entry of the version list, as Nova serves it at /v2 (SUPPORTED, no
 * microversions; golden version_v2_legacy_GET.json). Nova also serves its API under /v2 in a
 * legacy mode; novadock serves only this document there, so the link the version list gives
 * resolves, while the resources themselves are under /compute/v2.1 (the catalog's endpoint).
 */
export function computeLegacyVersionDoc(base) {
    return {
        version: {
            id: 'v2.0',
            status: 'SUPPORTED',
            version: '',
            min_version: '',
            updated: LEGACY_UPDATED,
            links: [
                { rel: 'self', href: `${base}/compute/v2/` },
                { rel: 'describedby', type: 'text/html', href: 'http://docs.openstack.org/' },
            ],
            'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2' }],
        },
    };
}
export function keystoneVersion(base) {
    return {
        id: 'v3.14',
        status: 'stable',
        updated: KEYSTONE_UPDATED,
        links: [{ rel: 'self', href: `${base}/identity/v3/` }],
        'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }],
    };
}
export function glanceVersions(base) {
    const v = (id, status) => ({ id, status, links: [{ rel: 'self', href: `${base}/image/v2/` }] });
    return {
        versions: [
            v('v2.16', 'CURRENT'),
            v('v2.15', 'SUPPORTED'),
            v('v2.9', 'SUPPORTED'),
            v('v2.7', 'SUPPORTED'),
            v('v2.6', 'SUPPORTED'),
            v('v2.5', 'SUPPORTED'),
            v('v2.4', 'SUPPORTED'),
            v('v2.3', 'SUPPORTED'),
            v('v2.2', 'SUPPORTED'),
            v('v2.1', 'SUPPORTED'),
            v('v2.0', 'SUPPORTED'),
        ],
    };
}
export async function versionRoutes(app, opts) {
    const pub = { public: true };
    const base = (req) => baseUrl(req, opts.publicUrl);
    app.get('/', { config: pub, schema: { hide: true } }, async (req) => {
        const b = base(req);
        return {
            service: 'novadock',
            description: 'Nova-compatible compute service that runs every server as a Docker container',
            links: [
                { rel: 'identity', href: `${b}/identity/v3` },
                { rel: 'compute', href: `${b}/compute/v2.1` },
                { rel: 'image', href: `${b}/image` },
            ],
        };
    });
    // ---- compute ----
    const computeVersionsList = (b) => ({
        versions: [
            {
                id: 'v2.0',
                status: 'SUPPORTED',
                version: '',
                min_version: '',
                updated: LEGACY_UPDATED,
                links: [{ rel: 'self', href: `${b}/compute/v2/` }],
            },
            {
                id: 'v2.1',
                status: 'CURRENT',
                version: MAX_VERSION,
                min_version: MIN_VERSION,
                updated: NOVA_UPDATED,
                links: [{ rel: 'self', href: `${b}/compute/v2.1/` }],
            },
        ],
    });
    app.get('/compute', { config: pub, schema: { hide: true } }, async (req) => computeVersionsList(base(req)));
    app.get('/compute/', { config: pub, schema: { hide: true } }, async (req) => computeVersionsList(base(req)));
    app.get('/compute/v2', { config: pub, schema: { hide: true } }, async (req) => computeLegacyVersionDoc(base(req)));
    app.get('/compute/v2/', { config: pub, schema: { hide: true } }, async (req) => computeLegacyVersionDoc(base(req)));
    app.get('/compute/v2.1', { config: pub, schema: { hide: true } }, async (req) => computeVersionDoc(base(req)));
    app.get('/compute/v2.1/', { config: pub, schema: { hide: true } }, async (req) => computeVersionDoc(base(req)));
    // openstacksdk/novaclient with a project id in the catalog URL discover there.
    app.get('/compute/v2.1/:projectId', { config: pub, schema: { hide: true } }, async (req, reply) => {
        if (!/^[0-9a-f]{32}$/.test(req.params.projectId))
            return reply.callNotFound();
        return computeVersionDoc(base(req));
    });
    // ---- identity ----
    app.get('/identity', { config: pub, schema: { hide: true } }, async (req, reply) => reply.code(300).send({ versions: { values: [keystoneVersion(base(req))] } }));
    app.get('/identity/', { config: pub, schema: { hide: true } }, async (req, reply) => reply.code(300).send({ versions: { values: [keystoneVersion(base(req))] } }));
    app.get('/identity/v3', { config: pub, schema: { hide: true } }, async (req) => ({
        version: keystoneVersion(base(req)),
    }));
    app.get('/identity/v3/', { config: pub, schema: { hide: true } }, async (req) => ({
        version: keystoneVersion(base(req)),
    }));
    // ---- image ----
    app.get('/image', { config: pub, schema: { hide: true } }, async (req, reply) => reply.code(300).send(glanceVersions(base(req))));
    app.get('/image/', { config: pub, schema: { hide: true } }, async (req, reply) => reply.code(300).send(glanceVersions(base(req))));
    app.get('/image/versions', { config: pub, schema: { hide: true } }, async (req) => glanceVersions(base(req)));
    app.get('/image/v2', { config: pub, schema: { hide: true } }, async (req, reply) => reply.code(300).send(glanceVersions(base(req))));
    app.get('/image/v2/', { config: pub, schema: { hide: true } }, async (req, reply) => reply.code(300).send(glanceVersions(base(req))));
}
//# sourceMappingURL=versions.js.map