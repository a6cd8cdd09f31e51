// Glance v2 subset under /image/v2.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services';

export async function imageRoutes(_app: FastifyInstance, _opts: { services: Services }): Promise<void> {
  // Routes are registered here by the image service work (issue 4).
}
