// Image pre-caching on an aggregate's hosts (Nova 2.81, POST /os-aggregates/{id}/images). The
// request checks what Nova's images action checks before it answers 202, in its order: no
// duplicate images (400), the aggregate exists (404), every image exists for the caller (else
// ImageNotFound as a 400: conductor's cache_images lets it through to the API), then queues one durable worker task that loads the images host by host
// (worker/manager/image-cache.ts). The task is keyed by the aggregate's uuid, so requests for one
// aggregate run one after another.
import type { Db } from '../../db/knex.js';
import type { AuthContext } from '../../identity/auth-context.js';
import { ApiError, BadRequest, AggregateNotFound } from '../../errors.js';
import type { Aggregates } from './aggregates.js';
import type { ImagePort } from '../ports.js';
import { IMAGE_CACHE_TASK, type ImageCachePayload, type TaskQueue } from '../tasks.js';

export class AggregateImageCache {
  constructor(
    private readonly db: Db,
    private readonly worker: TaskQueue,
    private readonly images: ImagePort,
    private readonly aggregates: Aggregates,
  ) {}

  /** Policy and the integer id are the caller's (the route's) checks, as in Nova they come first. */
  async request(auth: AuthContext, requestId: string | null, aggregateId: number, imageIds: string[]): Promise<void> {
    // Nova compares the list with list(set(list)), which (by set order) can also refuse distinct
    // ids; the intent, and what is kept here, is to refuse a repeated id.
    if (new Set(imageIds).size !== imageIds.length) throw new BadRequest('Duplicate images in request');
    const target = await this.aggregates.find(aggregateId);
    if (!target) throw AggregateNotFound(aggregateId);
    for (const id of imageIds) {
      try {
        await this.images.getForBoot(auth, id);
      } catch (err) {
        // nova: ImageNotFound is a NovaException, which the images action turns into a 400.
        if (err instanceof ApiError && err.status === 404) throw new BadRequest(err.message);
        throw err;
      }
    }
    const payload: ImageCachePayload = { aggregate: target.name, hosts: target.hosts, imageIds };
    await this.worker.enqueue(this.db, { instanceUuid: target.uuid, kind: IMAGE_CACHE_TASK, payload, requestId });
  }
}
