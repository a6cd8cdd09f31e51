export const IMAGE_CACHE_TASK = 'cache_images';
export async function cacheImagesOnHosts(d, p) {
    const outcome = { cached: 0, errors: 0, skippedHosts: 0 };
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
                if (!image)
                    throw new Error(`Image ${imageId} could not be found.`);
                await d.imageLoader.ensureLoaded(image, host.id, await d.hosts.driverFor(host.id));
                outcome.cached += 1;
            }
            catch (err) {
                outcome.errors += 1;
                d.log.warn({ err, aggregate: p.aggregate, host: hostName, image: imageId }, 'image cache: could not load the image on the host');
            }
        }
    }
    return outcome;
}
export function imageCacheHandler(d) {
    return async (ctx) => {
        const started = Date.now();
        const outcome = await cacheImagesOnHosts(d, ctx.payload);
        d.log.info({ aggregate: ctx.payload.aggregate, images: ctx.payload.imageIds, ...outcome, seconds: (Date.now() - started) / 1000 }, 'image pre-cache operation completed');
    };
}
//# sourceMappingURL=image-cache.js.map