import { listBody, renderProject, renderRole } from './views/resources.js';
import { params, queryBool, queryString, selfUrl, v3Url } from './common.js';
const nullableString = (max) => ({ type: ['string', 'null'], maxLength: max });
const projectFields = {
    name: { type: 'string', minLength: 1, maxLength: 64 },
    description: nullableString(65535),
    enabled: { type: 'boolean' },
    domain_id: nullableString(64),
    // accepted as Keystone does, but only top-level, non-domain projects exist here
    parent_id: nullableString(64),
    is_domain: { type: 'boolean', enum: [false] },
    tags: { type: 'array', maxItems: 0 },
    options: { type: 'object' },
};
const createBody = {
    type: 'object',
    required: ['project'],
    properties: { project: { type: 'object', required: ['name'], properties: projectFields } },
};
const updateBody = {
    type: 'object',
    required: ['project'],
    properties: { project: { type: 'object', properties: projectFields, minProperties: 1 } },
};
export async function projectRoutes(app, opts) {
    const { identityAdmin: admin, config } = opts.services;
    const v3 = (req) => v3Url(req, config.publicUrl);
    // Documented in the OpenAPI document (so the bad-input fuzzer covers Keystone's routes too).
    const keystone = { tags: ['identity'] };
    app.get('/identity/v3/projects', { schema: keystone }, async (req) => {
        const q = req.query;
        const rows = await admin.listProjects(req.auth, {
            name: queryString(q.name),
            domainId: queryString(q.domain_id),
            enabled: queryBool(q.enabled),
        });
        return listBody('projects', rows.map((p) => renderProject(p, v3(req))), selfUrl(req, config.publicUrl));
    });
    app.post('/identity/v3/projects', { schema: { ...keystone, body: createBody } }, async (req, reply) => {
        const row = await admin.createProject(req.auth, req.body.project);
        return reply.code(201).send({ project: renderProject(row, v3(req)) });
    });
    const one = { ...keystone, params: params('projectId') };
    app.get('/identity/v3/projects/:projectId', { schema: one }, async (req) => {
        const { projectId } = req.params;
        return { project: renderProject(await admin.getProject(req.auth, projectId), v3(req)) };
    });
    app.patch('/identity/v3/projects/:projectId', { schema: { ...one, body: updateBody } }, async (req) => {
        const { projectId } = req.params;
        const row = await admin.updateProject(req.auth, projectId, req.body.project);
        return { project: renderProject(row, v3(req)) };
    });
    app.delete('/identity/v3/projects/:projectId', { schema: one }, async (req, reply) => {
        await admin.deleteProject(req.auth, req.params.projectId);
        return reply.code(204).send();
    });
    // ---- grants ----
    app.get('/identity/v3/projects/:projectId/users/:userId/roles', { schema: { ...keystone, params: params('projectId', 'userId') } }, async (req) => {
        const { projectId, userId } = req.params;
        const roles = await admin.listGrants(req.auth, projectId, userId);
        return listBody('roles', roles.map((r) => renderRole(r, v3(req))), selfUrl(req, config.publicUrl));
    });
    const grant = { ...keystone, params: params('projectId', 'userId', 'roleId') };
    app.put('/identity/v3/projects/:projectId/users/:userId/roles/:roleId', { schema: grant }, async (req, reply) => {
        const { projectId, userId, roleId } = req.params;
        await admin.grant(req.auth, projectId, userId, roleId);
        return reply.code(204).send();
    });
    // GET answers like HEAD (204 when granted); fastify adds the HEAD twin.
    app.get('/identity/v3/projects/:projectId/users/:userId/roles/:roleId', { schema: grant }, async (req, reply) => {
        const { projectId, userId, roleId } = req.params;
        await admin.checkGrant(req.auth, projectId, userId, roleId);
        return reply.code(204).send();
    });
    app.delete('/identity/v3/projects/:projectId/users/:userId/roles/:roleId', { schema: grant }, async (req, reply) => {
        const { projectId, userId, roleId } = req.params;
        await admin.revoke(req.auth, projectId, userId, roleId);
        return reply.code(204).send();
    });
}
//# sourceMappingURL=projects.js.map