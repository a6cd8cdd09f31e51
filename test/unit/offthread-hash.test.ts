// The worker-thread hash behind image uploads: the digest of everything added, whatever the chunk
// sizes and however far the worker falls behind or catches up; at most BATCHES batches in flight
// (update() then asks the caller to wait); workers reused after a digest, replaced after an abort.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BATCH_BYTES, BATCHES, OffThreadHash } from '../../src/images/offthread-hash.js';

/**
 * Adds `data` in chunks of random sizes (or all of `size`), sometimes letting the worker's acks
 * arrive in between.
 */
async function feed(h: OffThreadHash, data: Buffer, seed: number, size?: number, pauseMs = 1): Promise<void> {
  let x = seed;
  const rnd = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let at = 0; at < data.length;) {
    const n = Math.min(data.length - at, size ?? 1 + Math.floor(rnd() * 300_000));
    const behind = h.update(data.subarray(at, at + n));
    if (behind) await behind;
    if (rnd() < 0.2) await new Promise((r) => setTimeout(r, pauseMs)); // acks come in while nobody waits
    at += n;
  }
}

describe('OffThreadHash', () => {
  it('gives the same digest as the main thread, for md5 and sha512, across many batches', async () => {
    const data = randomBytes(BATCH_BYTES * BATCHES * 5 + 12345);
    for (const [algorithm, seed] of [
      ['sha512', 1],
      ['md5', 2],
      ['sha512', 3],
    ] as const) {
      const h = new OffThreadHash(algorithm);
      await feed(h, data, seed);
      expect(await h.digest()).toBe(createHash(algorithm).update(data).digest('hex'));
    }
  });

  it("chunks that end exactly on a batch's end (a socket's 64 KiB), the worker catching up in between", async () => {
    const data = randomBytes(BATCH_BYTES * BATCHES * 4);
    const h = new OffThreadHash('sha512');
    await feed(h, data, 6, 64 * 1024, 30);
    expect(await h.digest()).toBe(createHash('sha512').update(data).digest('hex'));
  });

  it('holds the caller once BATCHES batches are with the worker (memory stays bounded)', async () => {
    const data = randomBytes(BATCHES * BATCH_BYTES + 1);
    const h = new OffThreadHash('sha512');
    // No ack can arrive within one synchronous call: the byte after the last batch must wait.
    expect(h.update(data.subarray(0, BATCHES * BATCH_BYTES - 1))).toBeUndefined();
    const behind = h.update(data.subarray(BATCHES * BATCH_BYTES - 1));
    expect(behind).toBeInstanceOf(Promise);
    await behind;
    expect(await h.digest()).toBe(createHash('sha512').update(data).digest('hex'));
  });

  it('goes on when every batch came back while nobody waited (a slow socket)', async () => {
    const data = randomBytes(BATCHES * BATCH_BYTES + 1);
    const h = new OffThreadHash('md5');
    // Fills every batch exactly, then the worker catches up before the next byte arrives.
    expect(h.update(data.subarray(0, BATCHES * BATCH_BYTES))).toBeUndefined();
    await new Promise((r) => setTimeout(r, 300));
    await h.update(data.subarray(BATCHES * BATCH_BYTES));
    expect(await h.digest()).toBe(createHash('md5').update(data).digest('hex'));
  });

  it('empty input, and two hashes at once on two workers', async () => {
    const empty = new OffThreadHash('sha512');
    const a = new OffThreadHash('md5');
    const b = new OffThreadHash('md5');
    const da = randomBytes(3 * BATCH_BYTES);
    const db = randomBytes(2 * BATCH_BYTES + 1);
    await Promise.all([feed(a, da, 7), feed(b, db, 8)]);
    expect(await Promise.all([empty.digest(), a.digest(), b.digest()])).toEqual([
      createHash('sha512').digest('hex'),
      createHash('md5').update(da).digest('hex'),
      createHash('md5').update(db).digest('hex'),
    ]);
  });

  it('after an abort mid-stream the next hash is still right', async () => {
    const h = new OffThreadHash('sha512');
    await feed(h, randomBytes(2 * BATCH_BYTES), 4);
    h.abort();
    h.abort(); // twice is harmless
    const data = randomBytes(BATCH_BYTES + 99);
    const next = new OffThreadHash('sha512');
    await feed(next, data, 5);
    expect(await next.digest()).toBe(createHash('sha512').update(data).digest('hex'));
  });
});
