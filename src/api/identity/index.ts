// Keystone v3 subset under /identity/v3.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services';
import { tokenRoutes } from './tokens';
import { authScopeRoutes } from './auth-scopes';
import { projectRoutes } from './projects';
import { userRoutes } from './users';
import { roleRoutes } from './roles';
import { domainRoutes } from './domains';
import { applicationCredentialRoutes } from './application-credentials';
import { catalogRoutes } from './catalog';

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
