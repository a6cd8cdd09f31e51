// POST/GET/HEAD/DELETE /identity/v3/auth/tokens.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../services';
import { NotFound, Unauthorized } from '../../errors';
import { baseUrl } from '../urls';
import { renderToken } from './views/tokens';
import type { AuthContext } from '../../identity/auth-context';
import type { AuthRequest } from '../../identity/identity-service';

const domainRef = { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } } };
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
                  properties: { id: { type: 'string' }, name: { type: 'string' }, password: { type: 'string' }, domain: domainRef },
                },
              },
            },
            token: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
          },
        },
        scope: {
          anyOf: [
            { type: 'string', enum: ['unscoped'] },
            {
              type: 'object',
              properties: {
                project: { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' }, domain: domainRef } },
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

export async function tokenRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { identity, identityRepo, config } = opts.services;

  async function render(req: FastifyRequest, ctx: AuthContext) {
    const domains = Object.fromEntries((await identityRepo.listDomains()).map((d) => [d.id, d.name]));
    const roles = Object.fromEntries((await identityRepo.listRoles()).map((r) => [r.name, r.id]));
    return renderToken(ctx, baseUrl(req, config.publicUrl), domains, roles);
  }

  app.post('/identity/v3/auth/tokens', { config: { public: true }, schema: { body: authBody, hide: true } }, async (req, reply) => {
    const { token, ctx } = await identity.authenticate((req.body as { auth: AuthRequest }).auth);
    reply.header('X-Subject-Token', token);
    return reply.code(201).send(await render(req, ctx));
  });

  /** The token named by X-Subject-Token, validated. */
  async function subject(req: FastifyRequest): Promise<{ token: string; ctx: AuthContext }> {
    const token = req.headers['x-subject-token'];
    if (typeof token !== 'string' || !token) throw new NotFound('Could not find token.');
    const ctx = await identity.tokens.validate(token);
    if (!ctx) throw new NotFound(`Could not find token: ${token.slice(0, 8)}…`);
    return { token, ctx };
  }

  app.get('/identity/v3/auth/tokens', { schema: { hide: true } }, async (req, reply) => {
    const { token, ctx } = await subject(req);
    reply.header('X-Subject-Token', token);
    return render(req, ctx);
  });

  // HEAD is fastify's automatic twin of the GET above (same checks, no body).

  app.delete('/identity/v3/auth/tokens', { schema: { hide: true } }, async (req, reply) => {
    const token = req.headers['x-subject-token'];
    if (typeof token !== 'string' || !(await identity.tokens.revoke(token))) throw new NotFound('Could not find token.');
    return reply.code(204).send();
  });

  app.get('/identity/v3/auth/catalog', { schema: { hide: true } }, async (req) => {
    if (!req.auth.projectId && !req.auth.domainId) throw new Unauthorized('Unscoped tokens have no catalog.');
    const { catalog } = await import('./views/tokens');
    return { catalog: catalog(baseUrl(req, config.publicUrl)), links: { self: `${baseUrl(req, config.publicUrl)}/identity/v3/auth/catalog`, previous: null, next: null } };
  });
}
