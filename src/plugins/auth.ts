// Token authentication for every route not marked `config: { public: true }`: reads
// X-Auth-Token, validates it with the token service and puts the caller on `request.auth`.
// A missing or invalid token is a 401 carrying WWW-Authenticate, as keystonemiddleware does.
// With NOVADOCK_AUTH_STRATEGY=noauth2 (identity/noauth.ts) a token Keystone issued is still itself;
// any other token names its caller, but only for peers on loopback (the listen guard keeps the
// server there; this holds even when something else starts the app).
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { type AuthContext, canRead } from '../identity/auth-context.js';
import type { TokenService } from '../identity/token-service.js';
import type { NoAuth } from '../identity/noauth.js';
import { isLoopbackHost } from '../identity/listen-guard.js';
import { Forbidden, Unauthorized, AUTHENTICATION_REQUIRED } from '../errors.js';
import { baseUrl } from '../api/urls.js';

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext;
  }
  interface FastifyContextConfig {
    /** No token needed (version documents, token issue). */
    public?: boolean;
  }
}

/** The APIs whose policy a custom role cannot satisfy. */
const WITHOUT_CUSTOM_ROLES = /^\/(compute|image)\//;
const INSIDE_AN_API = /^\/(compute\/v2(\.1)?|image\/v2|identity\/v3)\/[^?]/;

export interface AuthPluginOptions {
  tokens: TokenService;
  publicUrl: string | null;
  /** Set only in noauth2 mode. */
  noauth?: NoAuth | null;
}

async function authPlugin(app: FastifyInstance, opts: AuthPluginOptions): Promise<void> {
  app.decorateRequest('auth', null as unknown as AuthContext);
  const noauth = opts.noauth ?? null;
  app.addHook('onRequest', async (req) => {
    if (req.routeOptions.config?.public) return;
    // Unknown paths inside an API need a token too, as behind keystonemiddleware: without one the
    // caller learns nothing, not even which paths exist.
    if (req.routeOptions.url === undefined && !INSIDE_AN_API.test(req.url)) return;
    const token = req.headers['x-auth-token'];
    const usable = typeof token === 'string' && token.length > 0 && token.length < 1024;
    let ctx = usable ? await opts.tokens.validate(token) : null;
    if (!ctx && usable && noauth && isLoopbackHost(req.socket.remoteAddress ?? ''))
      ctx = await noauth.contextFor(token);
    if (!ctx) {
      throw new Unauthorized(AUTHENTICATION_REQUIRED, {
        'WWW-Authenticate': `Keystone uri="${baseUrl(req, opts.publicUrl)}/identity/v3"`,
      });
    }
    // A project token whose roles are all roles an admin created (none of admin, member, reader)
    // gets nothing from compute or image: their policy names only the built-in roles, as Keystone's
    // default policies do. The identity API still serves the caller's own token, user and projects.
    if (ctx.projectId && !canRead(ctx) && WITHOUT_CUSTOM_ROLES.test(req.url)) {
      throw new Forbidden(
        "Policy doesn't allow this action to be performed: the token's roles include none of admin, member or reader.",
      );
    }
    req.auth = ctx;
  });
}

export default fp(authPlugin, { name: 'auth' });
