// The work the compute API hands to the worker: each task's kind and payload, and the queue it is
// written to (in the caller's transaction, so a task exists exactly when its state change does).
// The worker's manager steps register a handler per kind; the compute API only enqueues.
import type { Db } from '../db/knex.js';
import type { ImageRow } from './ports.js';
import type { PersonalityFile } from './servers/create-options.js';
import type { BuildNetworks } from './network/nova-network.js';

export interface NewTask {
  instanceUuid: string;
  kind: string;
  payload?: object;
  requestId?: string | null;
}

export interface TaskQueue {
  /** writes the task row in `trx`; the worker claims it once the transaction commits */
  enqueue(trx: Db, task: NewTask): Promise<number>;
}

export const BUILD_TASK = 'build';
export interface BuildPayload {
  /** the image row as resolved at create time (visibility was checked then) */
  image: ImageRow;
  /** 2.74 requested destination: only this host may be chosen */
  hostId?: number | null;
  /** personality: files to inject before the container starts (base64 contents, as requested) */
  files?: PersonalityFile[];
  /** the ports to make or bind (resolved at API time); absent in tasks from before the network service */
  networks?: BuildNetworks;
}

export const DELETE_TASK = 'delete';

export const POWER_TASKS = {
  stop: 'power.stop',
  start: 'power.start',
  reboot: 'power.reboot',
  pause: 'power.pause',
  unpause: 'power.unpause',
  suspend: 'power.suspend',
  resume: 'power.resume',
} as const;

export const SOFT_DELETE_TASKS = { softDelete: 'soft-delete', restore: 'restore' } as const;

export const REBUILD_TASK = 'rebuild';
export interface RebuildPayload {
  image: ImageRow;
  oldVmState: string;
  /** personality of the rebuild request (below 2.57): injected into the new container */
  files?: PersonalityFile[];
}

export const RESIZE_TASK = 'resize';
export const REVERT_RESIZE_TASK = 'revert_resize';
/** Nova's migration_type of a move that changes the flavor. */
export const RESIZE_MIGRATION = 'resize';

export const SNAPSHOT_TASK = 'snapshot';
export interface SnapshotPayload {
  imageId: string;
  imageType: 'snapshot' | 'backup';
  backupType?: string;
  rotation?: number;
}

export const SHELVE_TASK = 'shelve';
export const SHELVE_OFFLOAD_TASK = 'shelve_offload';
export const UNSHELVE_TASK = 'unshelve';
export interface ShelvePayload {
  imageId: string;
  offload: boolean;
}
export interface UnshelvePayload {
  hostId?: number;
}

export const IMAGE_CACHE_TASK = 'cache_images';
export interface ImageCachePayload {
  aggregate: string;
  hosts: string[];
  imageIds: string[];
}
