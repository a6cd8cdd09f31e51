import { listBody } from './views/resources.js';
import { renderApplicationCredential } from './views/application-credentials.js';
import { params, queryString, selfUrl, v3Url } from './common.js';
const nullableString = (max) => ({ type: ['string', 'null'], maxLength: max });
const roleRef = {
    type: 'object',
    properties: {
        id: { type: 'string', minLength: 1, maxLength: 64 },
        name: { type: 'string', minLength: 1, maxLength: 255 },
    },
    minProperties: 1,
    maxProperties: 1,
    additionalProperties: false,
};
const accessRule = {
    type: 'object',
    properties: {
        id: { type: 'string', maxLength: 64 },
        path: { type: 'string', maxLength: 225 },
        service: { type: 'string', maxLength: 64 },
        method: { type: 'string', enum: ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT'] },
    },
    additionalProperties: false,
};
// Keystone's application_credential_create_request_body (id, project_id and system are accepted
// there and then ignored: the id is generated, the project is the token's).
const createBody = {
    type: 'object',
    required: ['application_credential'],
    additionalProperties: false,
    properties: {
        application_credential: {
            type: 'object',
            required: ['name'],
            additionalProperties: false,
            properties: {
                id: { type: 'string', maxLength: 64 },
                name: { type: 'string', minLength: 1, maxLength: 255, pattern: '\\S' },
                description: nullableString(65535),
                // Length is checked in the service, whose message does not quote the secret.
                secret: { type: ['string', 'null'] },
                expires_at: nullableString(64),
                project_id: { type: 'string', maxLength: 64 },
                roles: { type: 'array', items: roleRef, maxItems: 100 },
                unrestricted: { type: ['boolean', 'null'] },
                access_rules: { type: 'array', items: accessRule, maxItems: 100 },
                system: nullableString(64),
            },
        },
    },
};
export async function applicationCredentialRoutes(app, opts) {
    const { applicationCredentials: creds, config } = opts.services;
    const v3 = (req) => v3Url(req, config.publicUrl);
    const tags = ['identity'];
    const collection = { tags, params: params('userId') };
    const member = { tags, params: params('userId', 'credentialId') };
    const path = (req) => req.params;
    app.post('/identity/v3/users/:userId/application_credentials', {
        schema: {
            ...collection,
            summary: 'Create an application credential (its secret is shown only here)',
            body: createBody,
        },
    }, async (req, reply) => {
        const input = req.body.application_credential;
        const created = await creds.create(req.auth, path(req).userId, input);
        return reply.code(201).send({ application_credential: renderApplicationCredential(created, v3(req), 'create') });
    });
    app.get('/identity/v3/users/:userId/application_credentials', {
        schema: { ...collection, summary: "List a user's application credentials" },
    }, async (req) => {
        const name = queryString(req.query.name);
        const rows = await creds.list(req.auth, path(req).userId, { name });
        return listBody('application_credentials', rows.map((c) => renderApplicationCredential(c, v3(req), 'list')), selfUrl(req, config.publicUrl));
    });
    app.get('/identity/v3/users/:userId/application_credentials/:credentialId', {
        schema: { ...member, summary: 'Show an application credential' },
    }, async (req) => ({
        application_credential: renderApplicationCredential(await creds.get(req.auth, path(req).credentialId), v3(req), 'show'),
    }));
    app.delete('/identity/v3/users/:userId/application_credentials/:credentialId', {
        schema: { ...member, summary: 'Delete an application credential (and revoke its tokens)' },
    }, async (req, reply) => {
        await creds.delete(req.auth, path(req).userId, path(req).credentialId);
        return reply.code(204).send();
    });
}
//# sourceMappingURL=application-credentials.js.map