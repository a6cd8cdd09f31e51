// Glance v2 subset under /image/v2.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../composition/services.js';
import { glanceImageRoutes } from './images.js';
import { metadefRoutes } from './metadefs.js';

export async function imageRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  // Uploads a crash cut short leave temporary files in the store; clear the old ones at boot.
  await opts.services.imageStore.removeStaleUploads();
  await app.register(glanceImageRoutes, opts);
  await app.register(metadefRoutes);
}
