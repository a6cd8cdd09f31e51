// Puts a Glance image into a compute host's Docker Engine, once. The image file is either a
// `docker save` archive (legacy or OCI layout) → `docker load`, or a plain root-filesystem tarball
// (`docker export` layout) → `docker import` tagged novadock/image:<image id>. Which one is found by
// reading the tar headers. The resulting Docker image id is recorded per image and host, so later
// boots reuse it while the engine still has it. Concurrent boots of the same image on the same
// host share one load (a keyed in-process lock).
import type { ComputeDriver } from '../virt/driver.js';
import type { Clock } from '../db/time.js';
import { DriverError } from '../errors.js';
import {
  imageProperties,
  type ImageHostLoadRow,
  type ImageRow,
  type ImagesRepo,
} from '../db/repositories/images-repo.js';
import type { ImageStore } from './image-store.js';
import { NotATarArchive, peekTarFile, type ArchiveKind } from './tar-peek.js';

export const IMPORT_REPO = 'novadock/image';
/** The repository server snapshots are committed to (the compute snapshot task uses the same). */
export const SNAPSHOT_REPO = 'novadock/snapshot';

export class ImageImporter {
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(
    private readonly repo: ImagesRepo,
    private readonly store: ImageStore,
    private readonly clock: Clock,
  ) {}

  /**
   * The Docker image id of `image` on host `hostId`, loading or importing it first when needed.
   * `trustRecord`: an image recorded as loaded on the host is taken without asking Docker whether
   * it still has it (the caller handles "No such image": a boot saves a Docker call, ≈ 5-70 ms).
   */
  async ensureLoaded(
    image: ImageRow,
    hostId: number,
    driver: ComputeDriver,
    opts: { trustRecord?: boolean } = {},
  ): Promise<string> {
    if (opts.trustRecord === true) {
      const known = await this.repo.findHostLoad(image.id, hostId);
      if (known) return known.docker_image_id;
    }
    // One checked load per image and host at a time, whoever asks.
    const key = `${image.id}@${hostId}`;
    const running = this.inFlight.get(key);
    if (running) return running;
    const p = this.load(image, hostId, driver).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }

  /**
   * After an image is deleted: removes the tags this service gave it on each host
   * (novadock/image:<id> for imports, novadock/snapshot:<id> for snapshots), so the engine can
   * reclaim the space once no container uses it. Images that came from a `docker save` archive
   * keep their own tags: they may be shared with images the operator manages.
   */
  async unloadEverywhere(
    imageId: string,
    loads: ImageHostLoadRow[],
    driverFor: (hostId: number) => Promise<ComputeDriver>,
  ): Promise<void> {
    for (const load of loads) {
      const driver = await driverFor(load.host_id).catch(() => null);
      if (!driver) continue;
      for (const ref of [`${IMPORT_REPO}:${imageId}`, `${SNAPSHOT_REPO}:${imageId}`]) {
        if (await driver.imageExists(ref).catch(() => false)) await driver.removeImage(ref).catch(() => undefined);
      }
    }
  }

  /** How the image file would be brought into Docker (exposed for tests and diagnostics). */
  async classify(image: ImageRow): Promise<ArchiveKind> {
    try {
      return (await peekTarFile(this.store.pathOf(image.id))).kind;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        throw new DriverError(`Image ${image.id} has no data in the image store.`, 'not-found');
      if (err instanceof NotATarArchive) {
        throw new DriverError(
          `Image ${image.id} is not a valid Docker image: expected a docker save archive or a root filesystem tarball, but ${err.message}.`,
        );
      }
      throw err;
    }
  }

  private async load(image: ImageRow, hostId: number, driver: ComputeDriver): Promise<string> {
    const known = await this.repo.findHostLoad(image.id, hostId);
    if (known && (await driver.imageExists(known.docker_image_id))) return known.docker_image_id;
    if (image.status !== 'active' && image.status !== 'deactivated') {
      throw new DriverError(`Image ${image.id} is not active (status ${image.status}); it has no data to load.`);
    }
    const kind = await this.classify(image);
    const { stream } = await this.store.open(image.id);
    let dockerImageId: string;
    try {
      dockerImageId =
        kind === 'docker-archive'
          ? await this.loadArchive(image, stream, driver)
          : await driver.importImage(stream, { repo: IMPORT_REPO, tag: image.id, changes: importChanges(image) });
    } catch (err) {
      stream.destroy();
      if (err instanceof DriverError) {
        throw new DriverError(
          `Image ${image.id} could not be ${kind === 'docker-archive' ? 'loaded' : 'imported'} into Docker: ${err.message}`,
          err.kind,
        );
      }
      throw err;
    }
    await this.repo.recordHostLoad({
      image_id: image.id,
      host_id: hostId,
      docker_image_id: dockerImageId,
      loaded_at: this.clock.now().toISOString(),
    });
    return dockerImageId;
  }

  private async loadArchive(image: ImageRow, stream: NodeJS.ReadableStream, driver: ComputeDriver): Promise<string> {
    const ids = await driver.loadImage(stream as never);
    if (ids.length === 0) throw new DriverError(`Image ${image.id} is a docker save archive that contains no image.`);
    // An archive may hold several images; the first is the one it was saved for.
    return ids[0];
  }
}

/**
 * Dockerfile-style changes for an imported root filesystem, which carries no config of its own.
 * `os_command_line` (nova-docker's convention) becomes the CMD; otherwise a shell, as a VM boots
 * to a login prompt.
 */
export function importChanges(image: ImageRow): string[] {
  const props = imageProperties(image);
  const cmd = props.os_command_line ? ['/bin/sh', '-c', props.os_command_line] : ['/bin/sh'];
  // A rootfs has no ENV either: give it the PATH every distribution expects.
  return [`CMD ${JSON.stringify(cmd)}`, 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];
}
