// Keystone v3 subset under /identity/v3.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../composition/services.js';
import { tokenRoutes } from './tokens.js';
import { authScopeRoutes } from './auth-scopes.js';
import { projectRoutes } from './projects.js';
import { userRoutes } from './users.js';
import { roleRoutes } from './roles.js';
import { domainRoutes } from './domains.js';
import { applicationCredentialRoutes } from './application-credentials.js';
import { catalogRoutes } from './catalog.js';

export async function identityRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  await app.register(tokenRoutes, opts);
  await app.register(authScopeRoutes, opts);
  await app.register(projectRoutes, opts);
  await app.register(userRoutes, opts);
  await app.register(roleRoutes, opts);
  await app.register(domainRoutes, opts);
  await app.register(applicationCredentialRoutes, opts);
  await app.register(catalogRoutes, opts);
}
