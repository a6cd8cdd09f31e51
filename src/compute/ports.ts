// What the servers code needs from the other areas (flavors, images, quotas, key pairs, host
// health), as narrow interfaces. The composition root (src/composition/services.ts) passes the real services;
// tests could pass fakes. Keeping these narrow keeps the compute code independent of their internals.
import type { Db } from '../db/knex.js';
import type { AuthContext } from '../identity/auth-context.js';
import type { ComputeDriver } from '../virt/driver.js';
import type { FlavorRow } from '../db/repositories/flavors-repo.js';
import type { ImageRow } from '../db/repositories/images-repo.js';
import type { ComputeHostRow } from '../db/repositories/hosts-repo.js';
import type { InjectedFileLimits } from './servers/create-options.js';

export interface FlavorPort {
  find(id: string, auth?: AuthContext): Promise<FlavorRow | undefined>;
  extraSpecs(id: string): Promise<Record<string, string>>;
}

export interface ImagePort {
  /** throws ImageNotFound when missing or invisible */
  getForBoot(auth: AuthContext, imageRef: string): Promise<ImageRow>;
  /** throws a 400 unless the image can boot a container */
  assertBootable?(image: ImageRow): void;
}

export interface ImageLoaderPort {
  /**
   * The Docker image id of `image` on the host, loaded first when needed. `trustRecord`: when the
   * image is recorded as loaded there, take the record without asking Docker (a spawn that then
   * finds no such image asks again without it).
   */
  ensureLoaded(
    image: ImageRow,
    hostId: number,
    driver: ComputeDriver,
    opts?: { trustRecord?: boolean },
  ): Promise<string>;
}

export interface QuotaPort {
  /** how many of min..max instances fit the project's and (with userId) the user's quota; throws QuotaExceeded (403) when not even min fit */
  allowedInstances(
    trx: Db,
    projectId: string,
    req: { min: number; max: number; vcpus: number; memoryMb: number; userId?: string },
  ): Promise<number>;
  /** the project's effective limits (injected_files … for personality) */
  limitsFor(projectId: string): Promise<InjectedFileLimits>;
  /** a user's limits in the project (their own over the project's) */
  limitsForUser(projectId: string, userId: string): Promise<InjectedFileLimits>;
  /** throws QuotaExceeded (403) when a server's `count` metadata items exceed the project's or the user's metadata_items */
  assertMetadataItems(projectId: string, count: number, userId?: string): Promise<void>;
}

export interface KeypairPort {
  findForUser(
    userId: string,
    name: string,
  ): Promise<{ name: string; public_key: string; type: string; fingerprint: string } | undefined>;
}

/** Server groups (the `group` scheduler hint): membership at create, policy at placement. */
export interface ServerGroupPort {
  /** checks the group (visible to the caller, member quota) and records the servers; in the create transaction */
  addMembers(
    trx: Db,
    auth: AuthContext,
    groupUuid: string,
    instanceUuids: string[],
  ): Promise<{ row: { uuid: string } }>;
  /** the hosts the server's group policy allows, best first for the soft policies */
  filterHosts<H extends Pick<ComputeHostRow, 'id'>>(instanceUuid: string, hosts: H[]): Promise<H[]>;
}

export interface HostHealthPort {
  isUp(host: ComputeHostRow): boolean;
}

export type { FlavorRow, ImageRow };
