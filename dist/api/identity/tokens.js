import { NotFound } from '../../errors.js';
import { enforce, isAdmin } from '../../identity/policy.js';
import { baseUrl } from '../urls.js';
import { renderToken } from './views/tokens.js';
const domainRef = {
    type: 'object',
    properties: { id: { type: 'string', maxLength: 255 }, name: { type: 'string', maxLength: 255 } },
};
const authBody = {
    type: 'object',
    required: ['auth'],
    properties: {
        auth: {
            type: 'object',
            required: ['identity'],
            properties: {
                identity: {
                    type: 'object',
                    required: ['methods'],
                    properties: {
                        methods: { type: 'array', items: { type: 'string' }, minItems: 1 },
                        password: {
                            type: 'object',
                            properties: {
                                user: {
                                    type: 'object',
                                    properties: {
                                        id: { type: 'string', maxLength: 255 },
                                        name: { type: 'string', maxLength: 255 },
                                        password: { type: 'string' },
                                        domain: domainRef,
                                    },
                                },
                            },
                        },
                        token: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 1024 } } },
                        // Length of the secret is checked in the service (its message does not quote it).
                        application_credential: {
                            type: 'object',
                            properties: {
                                id: { type: 'string', maxLength: 255 },
                                name: { type: 'string', maxLength: 255 },
                                secret: { type: 'string' },
                                user: {
                                    type: 'object',
                                    properties: {
                                        id: { type: 'string', maxLength: 255 },
                                        name: { type: 'string', maxLength: 255 },
                                        domain: domainRef,
                                    },
                                },
                            },
                        },
                    },
                },
                scope: {
                    anyOf: [
                        { type: 'string', enum: ['unscoped'] },
                        {
                            type: 'object',
                            properties: {
                                project: {
                                    type: 'object',
                                    properties: {
                                        id: { type: 'string', maxLength: 255 },
                                        name: { type: 'string', maxLength: 255 },
                                        domain: domainRef,
                                    },
                                },
                                domain: domainRef,
                                system: { type: 'object' },
                            },
                        },
                    ],
                },
            },
        },
    },
};
export async function tokenRoutes(app, opts) {
    const { identity, identityRepo, applicationCredentials, config } = opts.services;
    async function render(req, ctx, withCatalog = true) {
        const domains = Object.fromEntries((await identityRepo.listDomains()).map((d) => [d.id, d.name]));
        const roles = Object.fromEntries((await identityRepo.listRoles()).map((r) => [r.name, r.id]));
        return renderToken(ctx, baseUrl(req, config.publicUrl), domains, roles, withCatalog);
    }
    /** ?nocatalog (any value) leaves the catalog out, as Keystone does. */
    const wantsCatalog = (req) => req.query.nocatalog === undefined;
    app.post('/identity/v3/auth/tokens', { config: { public: true }, schema: { body: authBody, tags: ['identity'] } }, async (req, reply) => {
        const auth = req.body.auth;
        const client = { address: req.ip ?? null };
        const { token, ctx } = auth.identity.methods.includes('application_credential')
            ? await applicationCredentials.authenticate(auth.identity.application_credential, auth.scope !== undefined, client)
            : await identity.authenticate(auth, client);
        reply.header('X-Subject-Token', token);
        return reply.code(201).send(await render(req, ctx, wantsCatalog(req)));
    });
    /**
     * The token named by X-Subject-Token, validated. A user may look at its own tokens, an admin at
     * anyone's; for anyone else an unknown and a foreign token look the same (404).
     */
    async function subject(req, rule) {
        enforce(req.auth, rule);
        const token = req.headers['x-subject-token'];
        if (typeof token !== 'string' || !token || token.length > 1024)
            throw new NotFound('Could not find token.');
        const ctx = await identity.tokens.validate(token);
        if (!ctx || (ctx.userId !== req.auth.userId && !isAdmin(req.auth)))
            throw new NotFound(`Could not find token: ${token.slice(0, 8)}…`);
        return { token, ctx };
    }
    app.get('/identity/v3/auth/tokens', { schema: { tags: ['identity'] } }, async (req, reply) => {
        const { token, ctx } = await subject(req, 'identity:validate_token');
        reply.header('X-Subject-Token', token);
        return render(req, ctx, wantsCatalog(req));
    });
    // HEAD is fastify's automatic twin of the GET above (same checks, no body).
    app.delete('/identity/v3/auth/tokens', { schema: { tags: ['identity'] } }, async (req, reply) => {
        const { token } = await subject(req, 'identity:revoke_token');
        if (!(await identity.tokens.revoke(token)))
            throw new NotFound('Could not find token.');
        return reply.code(204).send();
    });
}
//# sourceMappingURL=tokens.js.map