import { listBody, renderProject, renderUser } from './views/resources.js';
import { params, queryBool, queryString, selfUrl, v3Url } from './common.js';
import { enforce } from '../../identity/policy.js';
const nullableString = (max) => ({ type: ['string', 'null'], maxLength: max });
// Length is checked in the service, whose message does not quote the password.
const password = { type: ['string', 'null'] };
const userFields = {
    name: { type: 'string', minLength: 1, maxLength: 255 },
    password,
    enabled: { type: 'boolean' },
    email: nullableString(255),
    description: nullableString(65535),
    default_project_id: nullableString(64),
    domain_id: nullableString(64),
    options: { type: 'object' },
};
const createBody = {
    type: 'object',
    required: ['user'],
    properties: { user: { type: 'object', required: ['name'], properties: userFields } },
};
const updateBody = {
    type: 'object',
    required: ['user'],
    properties: { user: { type: 'object', properties: userFields, minProperties: 1 } },
};
const passwordBody = {
    type: 'object',
    required: ['user'],
    properties: {
        user: {
            type: 'object',
            required: ['password', 'original_password'],
            properties: { password: { type: 'string' }, original_password: { type: 'string' } },
        },
    },
};
export async function userRoutes(app, opts) {
    const { identityAdmin: admin, config } = opts.services;
    const v3 = (req) => v3Url(req, config.publicUrl);
    // Documented in the OpenAPI document (so the bad-input fuzzer covers Keystone's routes too).
    const keystone = { tags: ['identity'] };
    const one = { ...keystone, params: params('userId') };
    const userId = (req) => req.params.userId;
    app.get('/identity/v3/users', { schema: keystone }, async (req) => {
        const q = req.query;
        const rows = await admin.listUsers(req.auth, {
            name: queryString(q.name),
            domainId: queryString(q.domain_id),
            enabled: queryBool(q.enabled),
        });
        return listBody('users', rows.map((u) => renderUser(u, v3(req))), selfUrl(req, config.publicUrl));
    });
    app.post('/identity/v3/users', { schema: { ...keystone, body: createBody } }, async (req, reply) => {
        const row = await admin.createUser(req.auth, req.body.user);
        return reply.code(201).send({ user: renderUser(row, v3(req)) });
    });
    app.get('/identity/v3/users/:userId', { schema: one }, async (req) => ({
        user: renderUser(await admin.getUser(req.auth, userId(req)), v3(req)),
    }));
    app.patch('/identity/v3/users/:userId', { schema: { ...one, body: updateBody } }, async (req) => {
        const row = await admin.updateUser(req.auth, userId(req), req.body.user);
        return { user: renderUser(row, v3(req)) };
    });
    app.delete('/identity/v3/users/:userId', { schema: one }, async (req, reply) => {
        await admin.deleteUser(req.auth, userId(req));
        return reply.code(204).send();
    });
    app.post('/identity/v3/users/:userId/password', { schema: { ...one, body: passwordBody } }, async (req, reply) => {
        const { password: next, original_password: original } = req.body.user;
        await admin.changeOwnPassword(req.auth, userId(req), original, next, req.ip ?? null);
        return reply.code(204).send();
    });
    // Dashboards call this on every page to fill the project switcher.
    app.get('/identity/v3/users/:userId/projects', { schema: one }, async (req) => {
        const rows = await admin.projectsOfUser(req.auth, userId(req));
        return listBody('projects', rows.map((p) => renderProject(p, v3(req))), selfUrl(req, config.publicUrl));
    });
    // Groups are not modelled: every user belongs to none.
    app.get('/identity/v3/users/:userId/groups', { schema: one }, async (req) => {
        enforce(req.auth, 'identity:list_groups_for_user');
        await admin.getUser(req.auth, userId(req)); // self or admin, and 404 for an unknown user
        return listBody('groups', [], selfUrl(req, config.publicUrl));
    });
}
//# sourceMappingURL=users.js.map