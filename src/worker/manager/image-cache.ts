// The worker side of an aggregate's image cache request (Nova 2.81: conductor cache_images →
// compute cache_images on each host). Each image is loaded into the Docker Engine of each host of
// the aggregate through the image importer, which loads an image once per host and remembers it,
// so a later boot there finds it ready. Nova reports the outcome through notifications only; here
// it is logged. Nothing fails the request afterwards: a host that is down is skipped, an image
// that cannot be loaded on a host is logged and the others go on (Nova: 'skipped' / 'error').
import type { HostsRepo } from '../../db/repositories/hosts-repo.js';
import type { ImageRow } from '../../db/repositories/images-repo.js';
import type { HostRegistry } from '../../compute/hosts/host-registry.js';
import type { HostHealthPort, ImageLoaderPort } from '../../compute/ports.js';
import type { TaskHandler } from '../task-runner.js';
import type { ManagerLog } from './deps.js';
import type { ImageCachePayload } from '../../compute/tasks.js';

export interface ImageCacheManagerDeps {
  hostsRepo: HostsRepo;
  hosts: HostRegistry;
  hostHealth: HostHealthPort;
  imagesRepo: { find(id: string): Promise<ImageRow | undefined> };
  imageLoader: ImageLoaderPort;
  log: ManagerLog;
}

export interface ImageCacheOutcome {
  cached: number;
  errors: number;
  skippedHosts: number;
}

export async function cacheImagesOnHosts(d: ImageCacheManagerDeps, p: ImageCachePayload): Promise<ImageCacheOutcome> {
  const outcome: ImageCacheOutcome = { cached: 0, errors: 0, skippedHosts: 0 };
  // One host at a time, images in order: Nova's default precache_concurrency is 1, and the
  // loads share the machine's disk and CPU with running servers.
  for (const hostName of p.hosts) {
    const host = await d.hostsRepo.findByName(hostName);
    if (!host || !d.hostHealth.isUp(host)) {
      outcome.skippedHosts += 1;
      d.log.warn({ aggregate: p.aggregate, host: hostName }, 'image cache: host is not up; skipped');
      continue;
    }
    for (const imageId of p.imageIds) {
      try {
        const image = await d.imagesRepo.find(imageId);
        if (!image) throw new Error(`Image ${imageId} could not be found.`);
        await d.imageLoader.ensureLoaded(image, host.id, await d.hosts.driverFor(host.id));
        outcome.cached += 1;
      } catch (err) {
        outcome.errors += 1;
        d.log.warn(
          { err, aggregate: p.aggregate, host: hostName, image: imageId },
          'image cache: could not load the image on the host',
        );
      }
    }
  }
  return outcome;
}

export function imageCacheHandler(d: ImageCacheManagerDeps): TaskHandler<ImageCachePayload> {
  return async (ctx) => {
    const started = Date.now();
    const outcome = await cacheImagesOnHosts(d, ctx.payload);
    d.log.info(
      {
        aggregate: ctx.payload.aggregate,
        images: ctx.payload.imageIds,
        ...outcome,
        seconds: (Date.now() - started) / 1000,
      },
      'image pre-cache operation completed',
    );
  };
}
