// Keystone v3 subset under /identity/v3.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services';
import { tokenRoutes } from './tokens';

export async function identityRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  await app.register(tokenRoutes, opts);
}
