// A hash computed on a worker thread while the main thread receives and writes an upload, so that
// an upload's digests (md5 and sha512, one worker each) use both cores (issue 16: an upload did
// md5 then sha512 on the main thread, about a third of sha512sum's speed).
// The bytes are copied into batches of BATCH_BYTES that are transferred to the worker (not cloned)
// and come back with its acknowledgement. Each worker has at most BATCHES of them: when all are
// with the worker, update() returns a promise (the upload's stream waits, and with it the socket),
// so memory stays flat whatever the size, and the batches, kept with the worker for the next
// upload, are never allocated (and zero-filled) again. At most IDLE_KEPT workers wait idle,
// unref'd: an idle one never keeps the process alive.
import { Worker } from 'node:worker_threads';

export const BATCH_BYTES = 1024 * 1024;
export const BATCHES = 4;
const IDLE_KEPT = 4;

// Plain JavaScript (eval'd), so that it runs the same from src/ under tsx and vitest and from dist/.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
let hash = null;
parentPort.on('message', (m) => {
  if (m.type === 'start') hash = createHash(m.algorithm);
  else if (m.type === 'data') {
    hash.update(new Uint8Array(m.data, 0, m.length));
    parentPort.postMessage({ type: 'ack', data: m.data }, [m.data]);
  } else if (m.type === 'end') {
    parentPort.postMessage({ type: 'digest', hex: hash.digest('hex') });
    hash = null;
  }
});
`;

interface Message {
  type: 'ack' | 'digest';
  /** the batch's memory, back for the next batch */
  data?: ArrayBuffer;
  hex?: string;
}

/** A worker with the batches that go back and forth with it. */
interface HashWorker {
  worker: Worker;
  free: ArrayBuffer[];
  allocated: number;
}

const idle: HashWorker[] = [];

function takeWorker(): HashWorker {
  const w = idle.pop() ?? { worker: new Worker(WORKER_SOURCE, { eval: true }), free: [], allocated: 0 };
  w.worker.removeAllListeners();
  w.worker.ref(); // a job in progress keeps the process alive
  return w;
}

function giveBack(w: HashWorker): void {
  w.worker.removeAllListeners();
  w.worker.unref();
  if (idle.length >= IDLE_KEPT) {
    void w.worker.terminate();
    return;
  }
  // An idle worker that fails or exits is dropped (and never crashes the process).
  const drop = () => {
    const i = idle.indexOf(w);
    if (i >= 0) idle.splice(i, 1);
  };
  w.worker.on('error', drop);
  w.worker.on('exit', drop);
  idle.push(w);
}

export class OffThreadHash {
  private readonly w: HashWorker;
  private batch: ArrayBuffer | null;
  private used = 0;
  private waiting: (() => void) | null = null;
  private failed: Error | null = null;
  private onDigest: ((hex: string) => void) | null = null;
  private onFail: ((err: Error) => void) | null = null;
  private done = false;

  constructor(algorithm: string) {
    this.w = takeWorker();
    this.batch = this.nextBatch();
    this.w.worker.on('message', (m: Message) => {
      if (m.type === 'ack') {
        this.w.free.push(m.data!);
        const resume = this.waiting;
        this.waiting = null;
        resume?.();
      } else this.onDigest?.(m.hex!);
    });
    const fail = (err: Error) => {
      if (this.done) return;
      this.failed ??= err;
      this.done = true;
      this.waiting?.();
      this.waiting = null;
      this.onFail?.(this.failed);
    };
    this.w.worker.on('error', fail);
    this.w.worker.on('exit', (code) => fail(new Error(`the hash worker exited (${code})`)));
    this.w.worker.postMessage({ type: 'start', algorithm });
  }

  /** Adds `chunk`; a promise when the worker is behind (wait for it before the next chunk). */
  update(chunk: Uint8Array): Promise<void> | undefined {
    if (this.failed) throw this.failed;
    let at = 0;
    while (at < chunk.length) {
      this.batch ??= this.nextBatch();
      if (!this.batch) {
        const rest = chunk.subarray(at);
        return new Promise<void>((resolve) => {
          this.waiting = resolve;
        }).then(() => this.update(rest));
      }
      const n = Math.min(chunk.length - at, BATCH_BYTES - this.used);
      new Uint8Array(this.batch, this.used, n).set(chunk.subarray(at, at + n));
      this.used += n;
      at += n;
      if (this.used === BATCH_BYTES) this.flush();
    }
    return undefined;
  }

  /** The hex digest of everything added; the worker goes back to the pool. */
  digest(): Promise<string> {
    if (this.failed) return Promise.reject(this.failed);
    this.flush();
    return new Promise<string>((resolve, reject) => {
      this.onDigest = (hex) => {
        this.done = true;
        if (this.batch) this.w.free.push(this.batch);
        giveBack(this.w);
        resolve(hex);
      };
      this.onFail = reject;
      this.w.worker.postMessage({ type: 'end' });
    });
  }

  /** Drops the hash (a failed upload): the worker, with batches still on their way, is ended. */
  abort(): void {
    if (this.done) return;
    this.done = true;
    this.w.worker.removeAllListeners();
    this.w.worker.on('error', () => undefined);
    void this.w.worker.terminate();
  }

  private nextBatch(): ArrayBuffer | null {
    const free = this.w.free.pop();
    if (free) return free;
    if (this.w.allocated >= BATCHES) return null;
    this.w.allocated += 1;
    return new ArrayBuffer(BATCH_BYTES);
  }

  private flush(): void {
    if (this.used === 0 || !this.batch) return;
    const data = this.batch;
    const length = this.used;
    this.used = 0;
    this.w.worker.postMessage({ type: 'data', data, length }, [data]);
    this.batch = this.nextBatch();
  }
}
