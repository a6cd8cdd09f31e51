import { authorize, projectOf } from '../../identity/policy.js';
import { BadRequest } from '../../errors.js';
import { COMPUTE_PREFIX } from '../urls.js';
import { createServerGroupBodies } from './schemas/server-groups.js';
import { renderServerGroup } from './views/server-groups.js';
import { assertKnownQuery, lastParam, MAX_LIMIT } from './paging-params.js';
function nonNegative(name, raw) {
    if (raw === undefined)
        return undefined;
    if (!/^[0-9]+$/.test(raw))
        throw new BadRequest(`Invalid input for query parameters ${name}. Value: ${raw}. '${raw}' does not match '^[0-9]*$'`);
    return Number(raw);
}
export async function serverGroupRoutes(app, opts) {
    const { serverGroups } = opts.services;
    const base = `${COMPUTE_PREFIX}/os-server-groups`;
    app.post(base, { config: { bodies: createServerGroupBodies } }, async (req) => {
        authorize(req.auth, 'write', 'os_compute_api:os-server-groups:create');
        const body = req.body.server_group;
        const rules = body.rules?.max_server_per_host !== undefined ? { max_server_per_host: Number(body.rules.max_server_per_host) } : {};
        const group = await serverGroups.create(req.auth, projectOf(req.auth), {
            name: body.name, policy: (body.policy ?? body.policies[0]), rules,
        });
        return { server_group: renderServerGroup(req.apiVersion, group) };
    });
    app.get(base, async (req) => {
        assertKnownQuery(req, ['all_projects', 'limit', 'offset']);
        authorize(req.auth, 'read', 'os_compute_api:os-server-groups:index');
        const q = req.query;
        const all = q.all_projects !== undefined;
        if (all)
            authorize(req.auth, 'admin', 'os_compute_api:os-server-groups:index:all_projects');
        const limit = nonNegative('limit', lastParam(q.limit));
        const offset = nonNegative('offset', lastParam(q.offset));
        const groups = await serverGroups.list({
            projectId: all ? undefined : projectOf(req.auth), limit: Math.min(limit ?? MAX_LIMIT, MAX_LIMIT), offset,
        });
        return { server_groups: groups.map((g) => renderServerGroup(req.apiVersion, g)) };
    });
    app.get(`${base}/:id`, async (req) => {
        authorize(req.auth, 'read', 'os_compute_api:os-server-groups:show');
        return { server_group: renderServerGroup(req.apiVersion, await serverGroups.get(req.auth, req.params.id)) };
    });
    app.delete(`${base}/:id`, async (req, reply) => {
        authorize(req.auth, 'write', 'os_compute_api:os-server-groups:delete');
        await serverGroups.delete(req.auth, req.params.id);
        return reply.code(204).send();
    });
}
//# sourceMappingURL=server-groups.js.map