// Hashes computed on worker threads, one worker per algorithm, all reading the same bytes from one
// shared ring, so that a digest runs beside the thread that receives the bytes (issue 16: an
// upload's md5 runs here, its sha512 on the receiving thread: image-store.ts). The receiving thread
// copies each chunk once, into the ring's current batch of BATCH_BYTES; a full batch is announced to
// every worker by its index (nothing is copied or transferred again) and handed to `onBatch` (the
// image store writes it to disk from the same memory). A batch is reused once every worker
// acknowledged it and `onBatch` released it. When no batch is free, update() returns a promise (the
// upload's stream waits, and with it the socket), so memory stays flat whatever the size. A team
// (its workers and ring) goes back to a small pool after a digest, unref'd: an idle one never keeps
// the process alive; an aborted one is ended.
import { Worker } from 'node:worker_threads';

export const BATCH_BYTES = 2 * 1024 * 1024;
// 8 batches (16 MiB per upload in progress): on 2 busy cores a worker or the disk write may wait
// for a core for a few milliseconds, and the receiving thread keeps filling the ring meanwhile
export const BATCHES = 8;
const IDLE_KEPT = 2;

// Plain JavaScript (eval'd), so that it runs the same from src/ under tsx and vitest and from dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { ring, batchBytes } = workerData;
let hash = null;
parentPort.on('message', (m) => {
  if (typeof m === 'number') {
    const i = Math.floor(m / (batchBytes + 1));
    hash.update(new Uint8Array(ring, i * batchBytes, m % (batchBytes + 1)));
    parentPort.postMessage(i);
  } else if (m.type === 'start') hash = createHash(m.algorithm);
  else if (m.type === 'end') {
    parentPort.postMessage({ hex: hash.digest('hex') });
    hash = null;
  }
});
`;

/** Workers (one per algorithm) and the ring they read. */
interface Team {
  key: string;
  workers: Worker[];
  ring: SharedArrayBuffer;
  /** the ring as a Buffer */
  bytes: Buffer;
}

const idle: Team[] = [];

function takeTeam(algorithms: readonly string[]): Team {
  const key = algorithms.join(',');
  const at = idle.findIndex((t) => t.key === key);
  let team: Team;
  if (at >= 0) team = idle.splice(at, 1)[0];
  else {
    const ring = new SharedArrayBuffer(BATCHES * BATCH_BYTES);
    const workerData = { ring, batchBytes: BATCH_BYTES };
    team = {
      key,
      ring,
      bytes: Buffer.from(ring),
      workers: algorithms.map(() => new Worker(WORKER_SOURCE, { eval: true, workerData })),
    };
  }
  for (const w of team.workers) {
    w.removeAllListeners();
    w.ref(); // a job in progress keeps the process alive
  }
  return team;
}

function giveBack(team: Team): void {
  for (const w of team.workers) {
    w.removeAllListeners();
    w.unref();
  }
  if (idle.length >= IDLE_KEPT) {
    for (const w of team.workers) void w.terminate();
    return;
  }
  // An idle team whose worker fails or exits is dropped (and never crashes the process).
  const drop = () => {
    const i = idle.indexOf(team);
    if (i >= 0) idle.splice(i, 1);
    for (const w of team.workers) void w.terminate();
  };
  for (const w of team.workers) {
    w.on('error', drop);
    w.on('exit', drop);
  }
  idle.push(team);
}

/** Receives a full batch (a view of the ring) and calls `release` once done with its memory. */
export type BatchSink = (data: Buffer, release: () => void) => void;

export class OffThreadHashes {
  private readonly team: Team;
  /** per batch: how many of the workers and the sink still hold it */
  private readonly holders = new Array<number>(BATCHES).fill(0);
  private readonly free: number[] = [];
  private current: number | null;
  private used = 0;
  private waiting: (() => void) | null = null;
  private failed: Error | null = null;
  private digests: (string | undefined)[] = [];
  private onDigests: ((hex: string[]) => void) | null = null;
  private onFail: ((err: Error) => void) | null = null;
  /** digested or aborted: the workers have nothing more to do for this upload */
  private done = false;
  private pooled = false;
  private aborted = false;

  constructor(
    readonly algorithms: readonly string[],
    private readonly onBatch: BatchSink = (_data, release) => release(),
  ) {
    this.team = takeTeam(algorithms);
    for (let i = BATCHES - 1; i > 0; i--) this.free.push(i);
    this.current = 0;
    this.team.workers.forEach((w, k) => {
      w.on('message', (m: number | { hex: string }) => {
        if (typeof m === 'number') this.release(m);
        else this.digested(k, m.hex);
      });
      w.on('error', (err) => this.fail(err));
      w.on('exit', (code) => this.fail(new Error(`a hash worker exited (${code})`)));
      w.postMessage({ type: 'start', algorithm: algorithms[k] });
    });
  }

  /** Adds `chunk` (copied once); a promise when no batch is free (wait for it before the next chunk). */
  update(chunk: Uint8Array): Promise<void> | undefined {
    if (this.failed) throw this.failed;
    const source = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let at = 0;
    while (at < chunk.length) {
      this.current ??= this.free.pop() ?? null;
      if (this.current === null) {
        const rest = chunk.subarray(at);
        return new Promise<void>((resolve) => {
          this.waiting = resolve;
        }).then(() => this.update(rest));
      }
      const n = Math.min(chunk.length - at, BATCH_BYTES - this.used);
      // Buffer's copy (TypedArray set in Node 20: byte by byte into shared memory when the offsets'
      // alignments differ); buf.fill(chunk), a native memmove, measured slower in the service
      source.copy(this.team.bytes, this.current * BATCH_BYTES + this.used, at, at + n);
      this.used += n;
      at += n;
      if (this.used === BATCH_BYTES) this.flush();
    }
    return undefined;
  }

  /** Hands the partial batch on (it reaches `onBatch` before this returns). */
  flush(): void {
    if (this.used === 0 || this.current === null || this.failed) return;
    const i = this.current;
    const length = this.used;
    this.current = null;
    this.used = 0;
    this.holders[i] = this.team.workers.length + 1;
    for (const w of this.team.workers) w.postMessage(i * (BATCH_BYTES + 1) + length);
    let released = false;
    this.onBatch(Buffer.from(this.team.ring, i * BATCH_BYTES, length), () => {
      if (!released) {
        released = true;
        this.release(i);
      }
    });
  }

  /** The hex digests (in the order of `algorithms`) of everything added; the team goes back to the pool. */
  digest(): Promise<string[]> {
    if (this.failed) return Promise.reject(this.failed);
    this.flush();
    return new Promise<string[]>((resolve, reject) => {
      this.onDigests = resolve;
      this.onFail = reject;
      for (const w of this.team.workers) w.postMessage({ type: 'end' });
    });
  }

  /**
   * Drops the hashes (a failed upload): the workers, with batches still on their way, are ended;
   * also after the digests while the sink still holds a batch (its write failed at the end).
   */
  abort(): void {
    if (this.aborted || this.pooled) return;
    this.aborted = true;
    this.done = true;
    this.failed ??= new Error('the hashes were aborted');
    for (const w of this.team.workers) {
      w.removeAllListeners();
      w.on('error', () => undefined);
      void w.terminate();
    }
    this.wake();
  }

  private release(i: number): void {
    if (--this.holders[i] > 0) return;
    if (this.done) return this.pool();
    if (this.current === null) this.current = i;
    else this.free.push(i);
    this.wake();
  }

  private wake(): void {
    const resume = this.waiting;
    this.waiting = null;
    resume?.();
  }

  private digested(k: number, hex: string): void {
    this.digests[k] = hex;
    if (this.digests.filter((d) => d !== undefined).length < this.team.workers.length) return;
    this.done = true;
    this.pool();
    this.onDigests?.(this.digests as string[]);
  }

  /** After the digests: the team goes back to the pool once the sink released every batch too. */
  private pool(): void {
    if (this.pooled || this.failed || !this.holders.every((h) => h === 0)) return;
    this.pooled = true;
    giveBack(this.team);
  }

  private fail(err: Error): void {
    if (this.done) return;
    this.failed ??= err;
    this.abort();
    this.onFail?.(this.failed);
  }
}
