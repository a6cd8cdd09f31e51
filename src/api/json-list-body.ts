// Large list responses (GET /servers/detail: 1,000 servers, 1.8 MB) as one Buffer written item by
// item, instead of a document that Fastify serialises with one JSON.stringify.
//
// Why (bench/list.ts with BENCH_CPU_PROF, 1,000 servers): the one 1.8 MB string costs three passes
// over fresh memory after JSON.stringify itself: V8 flattens the string it built in pieces (~7 ms,
// page faults on a new large-object page), Buffer.byteLength reads it for Content-Length, and the
// socket's writev encodes it into another fresh 1.8 MB allocation. A bare Fastify route returning
// the same document spends most of its 19 ms there. Here each item is rendered, stringified (a small
// young string) and encoded straight into a buffer that is reused once the previous response using it
// has been handed to the kernel ('finish'); the rendered objects die young instead of surviving
// the whole request (GC). The text is exactly JSON.stringify's for the same document: the
// same keys, in the same order, nothing dropped.
import type { FastifyReply } from 'fastify';

/** Fastify's own content type for a JSON reply (what the same route returned before). */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/** Idle buffers kept for the next list; bigger ones are left to the collector. */
const POOL_SIZE = 4;
const POOL_MAX_BYTES = 16 * 1024 * 1024;
const FIRST_BYTES = 64 * 1024;
const idle: Buffer[] = [];

/** Buffers handed out and not yet back (tests: a response returns its buffer once it is sent). */
export const bufferStats = { inUse: 0, allocated: 0 };

/** The largest idle buffer (the likeliest to hold the next list whole), or a new small one. */
function take(): Buffer {
  bufferStats.inUse++;
  const b = idle.pop();
  if (b) return b;
  bufferStats.allocated++;
  return Buffer.allocUnsafeSlow(FIRST_BYTES);
}

/** Back to the pool, kept sorted by size; when full, the smallest goes. */
function give(b: Buffer): void {
  bufferStats.inUse--;
  if (b.length > POOL_MAX_BYTES) return;
  let i = idle.length;
  while (i > 0 && idle[i - 1].length > b.length) i--;
  idle.splice(i, 0, b);
  if (idle.length > POOL_SIZE) idle.shift();
}

/** A JSON text written piece by piece into a pooled buffer that grows as needed. */
class BodyWriter {
  buf = take();
  len = 0;

  /** Raw JSON text (the caller's own punctuation, or JSON.stringify output). */
  text(s: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 unit: the common case skips measuring the string.
    if (this.buf.length - this.len < s.length * 3) this.reserve(Buffer.byteLength(s));
    this.len += this.buf.write(s, this.len);
  }

  private reserve(bytes: number): void {
    if (this.buf.length - this.len >= bytes) return;
    let size = this.buf.length * 2;
    while (size - this.len < bytes) size *= 2;
    const bigger = Buffer.allocUnsafeSlow(size);
    this.buf.copy(bigger, 0, 0, this.len);
    bufferStats.allocated++;
    // the smaller one is left to the collector: the pool keeps the sizes lists need
    this.buf = bigger;
  }
}

/**
 * Sends `{"<key>":[render(item), …], …rest}` (rest's fields after the list, as an object literal
 * `{ [key]: items.map(render), ...rest }` would print them). `render`'s result goes through
 * JSON.stringify, so a view is printed exactly as Fastify would print it.
 */
export function sendJsonList<T>(
  reply: FastifyReply,
  key: string,
  items: readonly T[],
  render: (item: T) => unknown,
  rest: Record<string, unknown> = {},
): FastifyReply {
  const w = new BodyWriter();
  try {
    w.text(`{${JSON.stringify(key)}:[`);
    for (let i = 0; i < items.length; i++) {
      if (i) w.text(',');
      w.text(JSON.stringify(render(items[i])));
    }
    w.text(']');
    for (const [k, v] of Object.entries(rest)) {
      if (v === undefined || k === key) continue;
      w.text(`,${JSON.stringify(k)}:${JSON.stringify(v)}`);
    }
    w.text('}');
  } catch (err) {
    give(w.buf);
    throw err;
  }
  const buf = w.buf;
  // Back to the pool only once the kernel has the bytes ('finish'); a response closed before that
  // (the client went away) leaves its buffer to the collector, as a write may still reference it.
  let sent = false;
  reply.raw.once('finish', () => {
    sent = true;
    give(buf);
  });
  reply.raw.once('close', () => {
    if (!sent) bufferStats.inUse--;
  });
  return reply.type(JSON_CONTENT_TYPE).send(buf.subarray(0, w.len));
}
