// Keystone's service, endpoint and region documents (/v3/services, /v3/endpoints, /v3/regions),
// derived from the very catalog tokens carry, so that ids and URLs agree with it.
import { REGION, catalog } from './tokens.js';
export function catalogEntities(base, v3) {
    const entries = catalog(base);
    return {
        services: entries.map((s) => ({
            id: s.id,
            name: s.name,
            type: s.type,
            enabled: true,
            description: '',
            links: { self: `${v3}/services/${s.id}` },
        })),
        endpoints: entries.flatMap((s) => s.endpoints.map((e) => ({
            id: e.id,
            interface: e.interface,
            region: e.region,
            region_id: e.region_id,
            service_id: s.id,
            url: e.url,
            enabled: true,
            links: { self: `${v3}/endpoints/${e.id}` },
        }))),
        regions: [{ id: REGION, description: '', parent_region_id: null, links: { self: `${v3}/regions/${REGION}` } }],
    };
}
//# sourceMappingURL=catalog.js.map