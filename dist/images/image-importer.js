import { DriverError } from '../errors.js';
import { imageProperties, } from '../db/repositories/images-repo.js';
import { NotATarArchive, peekTarFile } from './tar-peek.js';
export const IMPORT_REPO = 'novadock/image';
/** The repository server snapshots are committed to (the compute snapshot task uses the same). */
export const SNAPSHOT_REPO = 'novadock/snapshot';
export class ImageImporter {
    repo;
    store;
    clock;
    inFlight = new Map();
    constructor(repo, store, clock) {
        this.repo = repo;
        this.store = store;
        this.clock = clock;
    }
    /** The Docker image id of `image` on host `hostId`, loading or importing it first when needed. */
    ensureLoaded(image, hostId, driver) {
        const key = `${image.id}@${hostId}`;
        const running = this.inFlight.get(key);
        if (running)
            return running;
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
    async unloadEverywhere(imageId, loads, driverFor) {
        for (const load of loads) {
            const driver = await driverFor(load.host_id).catch(() => null);
            if (!driver)
                continue;
            for (const ref of [`${IMPORT_REPO}:${imageId}`, `${SNAPSHOT_REPO}:${imageId}`]) {
                if (await driver.imageExists(ref).catch(() => false))
                    await driver.removeImage(ref).catch(() => undefined);
            }
        }
    }
    /** How the image file would be brought into Docker (exposed for tests and diagnostics). */
    async classify(image) {
        try {
            return (await peekTarFile(this.store.pathOf(image.id))).kind;
        }
        catch (err) {
            if (err.code === 'ENOENT')
                throw new DriverError(`Image ${image.id} has no data in the image store.`, 'not-found');
            if (err instanceof NotATarArchive) {
                throw new DriverError(`Image ${image.id} is not a valid Docker image: expected a docker save archive or a root filesystem tarball, but ${err.message}.`);
            }
            throw err;
        }
    }
    async load(image, hostId, driver) {
        const known = await this.repo.findHostLoad(image.id, hostId);
        if (known && (await driver.imageExists(known.docker_image_id)))
            return known.docker_image_id;
        if (image.status !== 'active' && image.status !== 'deactivated') {
            throw new DriverError(`Image ${image.id} is not active (status ${image.status}); it has no data to load.`);
        }
        const kind = await this.classify(image);
        const { stream } = await this.store.open(image.id);
        let dockerImageId;
        try {
            dockerImageId =
                kind === 'docker-archive'
                    ? await this.loadArchive(image, stream, driver)
                    : await driver.importImage(stream, { repo: IMPORT_REPO, tag: image.id, changes: importChanges(image) });
        }
        catch (err) {
            stream.destroy();
            if (err instanceof DriverError) {
                throw new DriverError(`Image ${image.id} could not be ${kind === 'docker-archive' ? 'loaded' : 'imported'} into Docker: ${err.message}`, err.kind);
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
    async loadArchive(image, stream, driver) {
        const ids = await driver.loadImage(stream);
        if (ids.length === 0)
            throw new DriverError(`Image ${image.id} is a docker save archive that contains no image.`);
        // An archive may hold several images; the first is the one it was saved for.
        return ids[0];
    }
}
/**
 * Dockerfile-style changes for an imported root filesystem, which carries no config of its own.
 * `os_command_line` (nova-docker's convention) becomes the CMD; otherwise a shell, as a VM boots
 * to a login prompt.
 */
export function importChanges(image) {
    const props = imageProperties(image);
    const cmd = props.os_command_line ? ['/bin/sh', '-c', props.os_command_line] : ['/bin/sh'];
    // A rootfs has no ENV either: give it the PATH every distribution expects.
    return [`CMD ${JSON.stringify(cmd)}`, 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];
}
//# sourceMappingURL=image-importer.js.map