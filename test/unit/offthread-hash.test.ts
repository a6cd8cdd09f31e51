// The worker-thread hashes behind image uploads: the digests of everything added, whatever the chunk
// sizes and however far the workers (or the batch sink) fall behind or catch up; at most BATCHES
// batches in flight (update() then asks the caller to wait); every byte reaches the sink once, in
// order; teams reused after a digest, replaced after an abort.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BATCH_BYTES, BATCHES, OffThreadHashes } from '../../src/images/offthread-hash.js';

/**
 * Adds `data` in chunks of random sizes (or all of `size`), sometimes letting the worker's acks
 * arrive in between.
 */
async function feed(h: OffThreadHashes, data: Buffer, seed: number, size?: number, pauseMs = 1): Promise<void> {
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

describe('OffThreadHashes', () => {
  it('gives the same digest as the main thread, for md5 and sha512, across many batches', async () => {
    const data = randomBytes(BATCH_BYTES * BATCHES * 2 + 12345);
    for (const [algorithm, seed] of [
      ['sha512', 1],
      ['md5', 2],
      ['sha512', 3],
    ] as const) {
      const h = new OffThreadHashes([algorithm]);
      await feed(h, data, seed);
      expect((await h.digest())[0]).toBe(createHash(algorithm).update(data).digest('hex'));
    }
  });

  it("chunks that end exactly on a batch's end (a socket's 64 KiB), the worker catching up in between", async () => {
    const data = randomBytes(BATCH_BYTES * BATCHES);
    const h = new OffThreadHashes(['sha512']);
    await feed(h, data, 6, 64 * 1024, 10);
    expect((await h.digest())[0]).toBe(createHash('sha512').update(data).digest('hex'));
  });

  it('holds the caller once BATCHES batches are with the worker (memory stays bounded)', async () => {
    const data = randomBytes(BATCHES * BATCH_BYTES + 1);
    const h = new OffThreadHashes(['sha512']);
    // No ack can arrive within one synchronous call: the byte after the last batch must wait.
    expect(h.update(data.subarray(0, BATCHES * BATCH_BYTES - 1))).toBeUndefined();
    const behind = h.update(data.subarray(BATCHES * BATCH_BYTES - 1));
    expect(behind).toBeInstanceOf(Promise);
    await behind;
    expect((await h.digest())[0]).toBe(createHash('sha512').update(data).digest('hex'));
  });

  it('goes on when every batch came back while nobody waited (a slow socket)', async () => {
    const data = randomBytes(BATCHES * BATCH_BYTES + 1);
    const h = new OffThreadHashes(['md5']);
    // Fills every batch exactly, then the worker catches up before the next byte arrives.
    expect(h.update(data.subarray(0, BATCHES * BATCH_BYTES))).toBeUndefined();
    await new Promise((r) => setTimeout(r, 300));
    await h.update(data.subarray(BATCHES * BATCH_BYTES));
    expect((await h.digest())[0]).toBe(createHash('md5').update(data).digest('hex'));
  });

  it('empty input, and two hashes at once on two workers', async () => {
    const empty = new OffThreadHashes(['sha512']);
    const a = new OffThreadHashes(['md5']);
    const b = new OffThreadHashes(['md5']);
    const da = randomBytes(3 * BATCH_BYTES);
    const db = randomBytes(2 * BATCH_BYTES + 1);
    await Promise.all([feed(a, da, 7), feed(b, db, 8)]);
    expect((await Promise.all([empty.digest(), a.digest(), b.digest()])).flat()).toEqual([
      createHash('sha512').digest('hex'),
      createHash('md5').update(da).digest('hex'),
      createHash('md5').update(db).digest('hex'),
    ]);
  });

  it('after an abort mid-stream the next hash is still right', async () => {
    const h = new OffThreadHashes(['sha512']);
    await feed(h, randomBytes(2 * BATCH_BYTES), 4);
    h.abort();
    h.abort(); // twice is harmless
    const data = randomBytes(BATCH_BYTES + 99);
    const next = new OffThreadHashes(['sha512']);
    await feed(next, data, 5);
    expect((await next.digest())[0]).toBe(createHash('sha512').update(data).digest('hex'));
  });
});

describe('OffThreadHashes with two algorithms and a batch sink', () => {
  it('both digests from one copy; the sink gets every byte once, in order, and holds batches until released', async () => {
    const data = randomBytes(BATCH_BYTES * BATCHES + 777);
    const written: Buffer[] = [];
    const held: (() => void)[] = [];
    const h = new OffThreadHashes(['md5', 'sha512'], (batch, release) => {
      written.push(Buffer.from(batch)); // a copy: the batch's memory is reused once released
      held.push(release);
      // the "disk" is slow: releases come later, sometimes two at once
      setTimeout(() => held.splice(0).forEach((r) => r()), 2);
    });
    await feed(h, data, 9, 64 * 1024);
    h.flush();
    await new Promise((r) => setTimeout(r, 20));
    expect(await h.digest()).toEqual([
      createHash('md5').update(data).digest('hex'),
      createHash('sha512').update(data).digest('hex'),
    ]);
    expect(Buffer.concat(written).equals(data)).toBe(true);
    expect(written.every((b) => b.length <= BATCH_BYTES)).toBe(true);
  });

  it('holds the caller while the sink keeps every batch, and goes on once it releases one', async () => {
    const held: (() => void)[] = [];
    const h = new OffThreadHashes(['md5', 'sha512'], (_batch, release) => held.push(release));
    const data = randomBytes(BATCHES * BATCH_BYTES + 10);
    expect(h.update(data.subarray(0, BATCHES * BATCH_BYTES))).toBeUndefined();
    const behind = h.update(data.subarray(BATCHES * BATCH_BYTES));
    expect(behind).toBeInstanceOf(Promise);
    let resumed = false;
    void behind!.then(() => (resumed = true));
    await new Promise((r) => setTimeout(r, 200)); // the workers are done with every batch by now
    expect(resumed).toBe(false);
    expect(held).toHaveLength(BATCHES);
    held.shift()!();
    await behind;
    h.flush();
    held.splice(0).forEach((r) => r());
    expect((await h.digest())[1]).toBe(createHash('sha512').update(data).digest('hex'));
  });

  it('an abort while the caller waits lets it go on with an error', async () => {
    const h = new OffThreadHashes(['md5', 'sha512'], () => undefined);
    const behind = h.update(randomBytes(BATCHES * BATCH_BYTES + 1));
    expect(behind).toBeInstanceOf(Promise);
    h.abort();
    await expect(behind).rejects.toThrow('aborted');
  });
});

describe('OffThreadHashes, a sink that fails after the digests', () => {
  it('abort() then still ends the workers (nothing keeps the process alive), and the next team works', async () => {
    const h = new OffThreadHashes(['md5', 'sha512'], () => undefined); // the last write never completes
    expect(h.update(randomBytes(1000))).toBeUndefined();
    await h.digest();
    const workers = (h as unknown as { team: { workers: { threadId: number }[] } }).team.workers;
    h.abort();
    await new Promise((r) => setTimeout(r, 200));
    expect(workers.every((w) => w.threadId === -1)).toBe(true); // terminated workers have no thread id
    const data = randomBytes(BATCH_BYTES + 5);
    const next = new OffThreadHashes(['md5', 'sha512']);
    await feed(next, data, 11);
    expect((await next.digest())[0]).toBe(createHash('md5').update(data).digest('hex'));
  });
});
