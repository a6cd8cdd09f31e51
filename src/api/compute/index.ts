// Nova v2.1 routes under /compute/v2.1. Each resource registers its own file here.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services';
import { keypairRoutes } from './keypairs';

export async function computeRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  // Resources register here: servers, flavors, keypairs, limits, …
  await app.register(keypairRoutes, opts);
}
