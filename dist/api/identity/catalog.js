import { enforce } from '../../identity/policy.js';
import { Forbidden, NotFound } from '../../errors.js';
import { baseUrl } from '../urls.js';
import { params, queryString, selfUrl, v3Url } from './common.js';
import { listBody } from './views/resources.js';
import { catalogEntities } from './views/catalog.js';
const FIXED = "The service catalog of novadock is fixed: it lists novadock's own identity, compute and image endpoints.";
/** The query parameters a list honours, each compared exactly; an absent one does not filter. */
function filtered(items, req, keys) {
    const q = req.query;
    const wanted = keys.map((k) => [k, queryString(q[k])]).filter(([, v]) => v !== undefined);
    return items.filter((item) => wanted.every(([k, v]) => String(item[k]) === v));
}
export async function catalogRoutes(app, opts) {
    const { config } = opts.services;
    const entities = (req) => catalogEntities(baseUrl(req, config.publicUrl), v3Url(req, config.publicUrl));
    // Documented in the OpenAPI document (so the bad-input fuzzer covers Keystone's routes too).
    const keystone = { tags: ['identity'] };
    const kinds = [
        { plural: 'services', singular: 'service', filters: ['type', 'name'] },
        { plural: 'endpoints', singular: 'endpoint', filters: ['interface', 'service_id', 'region_id'] },
        { plural: 'regions', singular: 'region', filters: ['parent_region_id'] },
    ];
    for (const kind of kinds) {
        app.get(`/identity/v3/${kind.plural}`, { schema: keystone }, async (req) => {
            enforce(req.auth, `identity:list_${kind.plural}`);
            return listBody(kind.plural, filtered(entities(req)[kind.plural], req, [...kind.filters]), selfUrl(req, config.publicUrl));
        });
        app.get(`/identity/v3/${kind.plural}/:id`, { schema: { ...keystone, params: params('id') } }, async (req) => {
            enforce(req.auth, `identity:get_${kind.singular}`);
            const found = entities(req)[kind.plural].find((e) => e.id === req.params.id);
            if (!found)
                throw new NotFound(`Could not find ${kind.singular}: ${req.params.id}.`);
            return { [kind.singular]: found };
        });
        const refuse = (verb) => async (req) => {
            enforce(req.auth, `identity:${verb}_${kind.singular}`);
            throw new Forbidden(FIXED);
        };
        app.post(`/identity/v3/${kind.plural}`, { schema: keystone }, refuse('create'));
        app.patch(`/identity/v3/${kind.plural}/:id`, { schema: { ...keystone, params: params('id') } }, refuse('update'));
        app.delete(`/identity/v3/${kind.plural}/:id`, { schema: { ...keystone, params: params('id') } }, refuse('delete'));
    }
}
//# sourceMappingURL=catalog.js.map