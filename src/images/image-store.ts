// The image file store: one file per image under <dataDir>/images/<id>. Data is streamed in and
// out, never held whole in memory. The checksums Glance reports (md5 `checksum`, sha512
// `os_hash_value`) are computed while the bytes pass. An upload is written to a temporary file in the
// same directory and renamed into place only when complete, so a failed or aborted upload leaves
// no partial image behind.
import fs from 'node:fs';
import os from 'node:os';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { Transform, finished, type Readable, type TransformCallback, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ApiError, RequestEntityTooLarge } from '../errors.js';
import { UUID_DASHED } from '../contract/parameter-types.js';
import { OffThreadHash } from './offthread-hash.js';

export interface StoredImage {
  size: number;
  /** md5, hex (Glance `checksum`) */
  checksum: string;
  /** sha512, hex (Glance `os_hash_value` with `os_hash_algo` sha512) */
  sha512: string;
}

/** The upload was larger than the configured maximum (Glance answers 413). */
export class ImageTooLarge extends RequestEntityTooLarge {
  constructor(readonly maxBytes: number) {
    super(`The incoming image is too large: The provided image is too large (the limit is ${maxBytes} bytes).`);
  }
}

/** The disk filled up during an upload (Glance: StorageFull → 413). */
export class ImageStorageFull extends ApiError {
  constructor() {
    super(413, 'Image storage media is full: There is not enough disk space on the image storage media.');
  }
}

/** The client went away or the body stream broke in the middle of an upload. */
export class ImageUploadAborted extends ApiError {
  constructor(detail: string) {
    super(400, `Error in store configuration or upload aborted: ${detail}`);
  }
}

/** A hash on this thread, with OffThreadHash's interface. */
class LocalHash {
  private readonly hash;
  constructor(algorithm: string) {
    this.hash = createHash(algorithm);
  }
  update(chunk: Uint8Array): undefined {
    this.hash.update(chunk);
    return undefined;
  }
  async digest(): Promise<string> {
    return this.hash.digest('hex');
  }
  abort(): void {}
}

/**
 * md5 (the costlier of the two: 1.6 s/GiB against sha512's 1.2 s/GiB here) goes to a worker
 * thread; sha512 too when there are more than two cores, else it stays with the receiving thread
 * (measured on 2 cores with the client on the same machine: the upload is bound by the CPU time of
 * all threads over two cores, and a second worker adds copying and messaging).
 */
const SHA512_OFF_THREAD = os.availableParallelism() > 2;

/**
 * Counts and hashes the bytes passing through; fails once more than `maxBytes` went past. The
 * off-thread hashes (offthread-hash.ts) hold the stream, and with it the socket, when their worker
 * is behind.
 */
class HashingCounter extends Transform {
  readonly md5 = new OffThreadHash('md5');
  readonly sha512 = SHA512_OFF_THREAD ? new OffThreadHash('sha512') : new LocalHash('sha512');
  size = 0;
  constructor(private readonly maxBytes: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) return done(new ImageTooLarge(this.maxBytes));
    let behind: (Promise<void> | undefined)[];
    try {
      // the worker's copy first: it hashes while this thread does the other
      behind = [this.md5.update(chunk), this.sha512.update(chunk)];
    } catch (err) {
      return done(err as Error);
    }
    const pending = behind.filter((p): p is Promise<void> => p !== undefined);
    if (pending.length) Promise.all(pending).then(() => done(null, chunk), done);
    else done(null, chunk);
  }
  override _destroy(err: Error | null, done: (err: Error | null) => void): void {
    if (err) {
      this.sha512.abort();
      this.md5.abort();
    }
    done(err);
  }
}

// The temporary file's write buffer: while one write is with the disk, the socket's 64 KiB chunks
// gather and go down as one writev. With the default 16 KiB every chunk was its own write; measured
// on this machine a 200 MiB body then took about 25% longer to receive and store.
const WRITE_BUFFER_BYTES = 4 * 1024 * 1024;

export class ImageStore {
  readonly dir: string;

  constructor(
    dataDir: string,
    readonly maxBytes: number,
    /** Opens the temporary file of an upload (tests inject a disk that fills up). */
    private readonly openTemp: (file: string) => Writable = (file) =>
      fs.createWriteStream(file, { flags: 'wx', highWaterMark: WRITE_BUFFER_BYTES }),
  ) {
    this.dir = path.join(dataDir, 'images');
  }

  /** The file that holds an image's data (ids are UUIDs; anything else never reaches the disk). */
  pathOf(imageId: string): string {
    if (!UUID_DASHED.test(imageId)) throw new Error(`not an image id: ${imageId}`);
    return path.join(this.dir, imageId.toLowerCase());
  }

  /**
   * Streams `source` into the store as the data of `imageId`, replacing any earlier data only
   * when the whole stream arrived. Throws ImageTooLarge (413), ImageStorageFull (413) or
   * ImageUploadAborted (400) and leaves nothing behind on failure.
   */
  async write(imageId: string, source: Readable, maxBytes = this.maxBytes): Promise<StoredImage> {
    await fsp.mkdir(this.dir, { recursive: true });
    const final = this.pathOf(imageId);
    const temp = `${final}.upload-${randomBytes(6).toString('hex')}`;
    const counter = new HashingCounter(maxBytes);
    // The source is piped rather than put in the pipeline: a pipeline would destroy it on a
    // store-side failure (too large, disk full), and with it the client's socket, so the client
    // would never see the 413. A failure of the source itself still ends the write at once.
    const sourceFailed = new Promise<never>((_, reject) => {
      finished(source, { writable: false }, (err) => {
        if (err) reject(err);
      });
    });
    sourceFailed.catch(() => undefined);
    counter.on('error', () => undefined); // reported through the pipeline; late writes must not crash
    source.pipe(counter);
    let sha512: string, md5: string;
    try {
      await Promise.race([pipeline(counter, this.openTemp(temp)), sourceFailed]);
      [sha512, md5] = await Promise.all([counter.sha512.digest(), counter.md5.digest()]);
      await fsp.rename(temp, final);
    } catch (err) {
      source.unpipe(counter);
      counter.destroy();
      counter.sha512.abort();
      counter.md5.abort();
      await fsp.rm(temp, { force: true });
      throw classifyWriteError(err);
    }
    return { size: counter.size, checksum: md5, sha512 };
  }

  /**
   * A stream of the image's data, or of the part that `rangeOf(size)` picks (inclusive byte
   * positions, read straight from that offset of the file); fails with ENOENT when the image has
   * none. `rangeOf` may throw (an unsatisfiable range): the file is closed again.
   */
  async open<R extends { start: number; end: number } | null = null>(
    imageId: string,
    rangeOf: (size: number) => R = () => null as R,
  ): Promise<{ stream: Readable; size: number; range: R }> {
    const file = this.pathOf(imageId);
    const handle = await fsp.open(file, 'r');
    try {
      const { size } = await handle.stat();
      const range = rangeOf(size);
      const stream = handle.createReadStream(
        range ? { autoClose: true, start: range.start, end: range.end } : { autoClose: true },
      );
      return { stream, size, range };
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  async exists(imageId: string): Promise<boolean> {
    try {
      await fsp.access(this.pathOf(imageId));
      return true;
    } catch {
      return false;
    }
  }

  async remove(imageId: string): Promise<void> {
    await fsp.rm(this.pathOf(imageId), { force: true });
  }

  /**
   * Removes temporary files of uploads that a crash interrupted (called at start-up). Only files
   * untouched for `olderThanMs`: another process sharing the directory may be writing one now.
   */
  async removeStaleUploads(olderThanMs = 10 * 60_000, now = Date.now()): Promise<number> {
    let names: string[];
    try {
      names = await fsp.readdir(this.dir);
    } catch {
      return 0;
    }
    let removed = 0;
    for (const name of names.filter((n) => n.includes('.upload-'))) {
      const file = path.join(this.dir, name);
      const stat = await fsp.stat(file).catch(() => null);
      if (stat && now - stat.mtimeMs >= olderThanMs) {
        await fsp.rm(file, { force: true });
        removed++;
      }
    }
    return removed;
  }
}

function classifyWriteError(err: unknown): Error {
  if (err instanceof ApiError) return err;
  const code = (err as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new ImageStorageFull();
  if (code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET' || code === 'ECONNABORTED') {
    return new ImageUploadAborted('the client closed the connection before the image data was complete');
  }
  return err instanceof Error ? err : new Error(String(err));
}
