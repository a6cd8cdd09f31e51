// The image file store: one file per image under <dataDir>/images/<id>. Data is streamed in and
// out, never held whole in memory. The checksums Glance reports (md5 `checksum`, sha512
// `os_hash_value`) are computed while the bytes pass. An upload is written to a temporary file in the
// same directory and renamed into place only when complete, so a failed or aborted upload leaves
// no partial image behind.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { Writable, finished, type Readable } from 'node:stream';
import { finished as finishedWriting } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, RequestEntityTooLarge } from '../errors.js';
import { UUID_DASHED } from '../contract/parameter-types.js';
import { OffThreadHashes } from './offthread-hash.js';

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

/**
 * Counts the bytes of an upload, fails once more than `maxBytes` arrived, hashes them with sha512
 * on this thread while the chunk is in the cache, and hands them to the off-thread md5 (a worker:
 * offthread-hash.ts), which gives every full batch of its shared ring to `out`, the temporary file,
 * in one write from the same memory. The ring holds this stream, and with it the socket, while
 * every batch is with the worker or the disk. The split (sha512 here, md5 on one worker, the writes
 * on libuv's pool) keeps both cores busy with the fewest threads: with a worker per digest, the
 * three busy threads and the client took turns on 2 cores and used more CPU per MiB (issue 16).
 */
class UploadSink extends Writable {
  readonly hashes: OffThreadHashes;
  private readonly sha512: Hash = createHash('sha512');
  size = 0;
  result: { md5: string; sha512: string } | null = null;
  /** settles once the temporary file is closed (written, failed or destroyed) */
  readonly outClosed: Promise<void>;

  constructor(
    private readonly maxBytes: number,
    private readonly out: Writable,
  ) {
    // a socket chunk or more may wait here while every batch is busy; then the socket waits
    super({ highWaterMark: 1024 * 1024 });
    this.hashes = new OffThreadHashes(['md5'], (data, release) => {
      out.write(data, (err) => {
        if (err) this.destroy(err);
        else release();
      });
    });
    out.on('error', (err) => this.destroy(err));
    this.outClosed = new Promise((resolve) => finished(out, () => resolve()));
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) return done(new ImageTooLarge(this.maxBytes));
    let behind: Promise<void> | undefined;
    try {
      // the whole chunk, now: a part that waits for a free batch reaches the ring in order later
      this.sha512.update(chunk);
      behind = this.hashes.update(chunk);
    } catch (err) {
      return done(err as Error);
    }
    if (behind) behind.then(() => done(), done);
    else done();
  }

  override _final(done: (err?: Error | null) => void): void {
    try {
      this.hashes.flush();
    } catch (err) {
      return done(err as Error);
    }
    this.out.end();
    Promise.all([finishedWriting(this.out), this.hashes.digest()]).then(([, [md5]]) => {
      this.result = { md5, sha512: this.sha512.digest('hex') };
      done();
    }, done);
  }

  override _destroy(err: Error | null, done: (err: Error | null) => void): void {
    if (!this.result) {
      this.hashes.abort();
      this.out.destroy();
    }
    done(err);
  }
}

export class ImageStore {
  readonly dir: string;

  constructor(
    dataDir: string,
    readonly maxBytes: number,
    /** Opens the temporary file of an upload (tests inject a disk that fills up). */
    private readonly openTemp: (file: string) => Writable = (file) => fs.createWriteStream(file, { flags: 'wx' }),
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
    const sink = new UploadSink(maxBytes, this.openTemp(temp));
    // The source is piped, and left alive on a store-side failure (too large, disk full): were it
    // destroyed, with it the client's socket, the client would never see the 413. A failure of the
    // source itself still ends the write at once.
    const sourceFailed = new Promise<never>((_, reject) => {
      finished(source, { writable: false }, (err) => {
        if (err) reject(err);
      });
    });
    sourceFailed.catch(() => undefined);
    sink.on('error', () => undefined); // reported through finishedWriting; late writes must not crash
    source.pipe(sink);
    try {
      await Promise.race([finishedWriting(sink), sourceFailed]);
      await fsp.rename(temp, final);
    } catch (err) {
      source.unpipe(sink);
      sink.destroy();
      // a write still on its way (or the file still opening) must not outlive the removal
      await Promise.race([sink.outClosed, sleep(2000, undefined, { ref: false })]);
      await fsp.rm(temp, { force: true });
      throw classifyWriteError(err);
    }
    const { md5, sha512 } = sink.result!;
    return { size: sink.size, checksum: md5, sha512 };
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
