import { ApiError, BadRequest, NotFound } from '../errors.js';
import { IMAGE_CACHE_TASK, imageCacheHandler } from './manager/image-cache.js';
export class AggregateImageCache {
    db;
    worker;
    images;
    aggregates;
    constructor(db, worker, images, aggregates) {
        this.db = db;
        this.worker = worker;
        this.images = images;
        this.aggregates = aggregates;
    }
    /** Policy and the integer id are the caller's (the route's) checks, as in Nova they come first. */
    async request(auth, requestId, aggregateId, imageIds) {
        // Nova compares the list with list(set(list)), which (by set order) can also refuse distinct
        // ids; the intent, and what is kept here, is to refuse a repeated id.
        if (new Set(imageIds).size !== imageIds.length)
            throw new BadRequest('Duplicate images in request');
        const target = await this.aggregates.find(aggregateId);
        if (!target)
            throw new NotFound(`Aggregate ${aggregateId} could not be found.`);
        for (const id of imageIds) {
            try {
                await this.images.getForBoot(auth, id);
            }
            catch (err) {
                // nova: ImageNotFound is a NovaException, which the images action turns into a 400.
                if (err instanceof ApiError && err.status === 404)
                    throw new BadRequest(err.message);
                throw err;
            }
        }
        const payload = { aggregate: target.name, hosts: target.hosts, imageIds };
        await this.worker.enqueue(this.db, { instanceUuid: target.uuid, kind: IMAGE_CACHE_TASK, payload, requestId });
    }
}
/** Builds the API object and registers its worker handler (called once from services.ts). */
export function createAggregateImageCache(d) {
    d.worker.registerHandler(IMAGE_CACHE_TASK, imageCacheHandler(d));
    return new AggregateImageCache(d.db, d.worker, d.images, d.aggregates);
}
//# sourceMappingURL=image-cache.js.map