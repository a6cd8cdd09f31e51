// The durable task runner: runs a task as soon as its transaction commits, claims by
// compare-and-swap (two runners never run one task), resumes a task whose lease ran out (a crashed
// process), keeps one server's tasks in order, and parks on stop.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { createKnex } from '../../src/db/connect.js';
import { migrateLatest } from '../../src/db/migrate.js';
import { ComputeTasksRepo } from '../../src/db/repositories/compute-tasks-repo.js';
import { TaskRunner, type TaskContext } from '../../src/worker/task-runner.js';
import { systemClock } from '../../src/db/time.js';

let db: Knex;
let repo: ComputeTasksRepo;
beforeEach(async () => {
  db = createKnex('sqlite://:memory:');
  await migrateLatest(db);
  repo = new ComputeTasksRepo(db);
});
afterEach(async () => {
  await db.destroy();
});

describe('TaskRunner', () => {
  it('runs a task once its transaction commits, then deletes the row', async () => {
    const runner = new TaskRunner(repo, systemClock);
    const seen: TaskContext[] = [];
    runner.registerHandler('k', async (ctx) => {
      seen.push(ctx);
    });
    await db.transaction(async (trx) => {
      await runner.enqueue(trx, { instanceUuid: 'i1', kind: 'k', payload: { a: 1 }, requestId: 'req-1' });
      await new Promise((r) => setTimeout(r, 20));
      expect(seen).toEqual([]); // not before commit
    });
    await runner.drain();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ instanceUuid: 'i1', kind: 'k', payload: { a: 1 }, requestId: 'req-1', attempt: 1 });
    expect(await repo.count()).toBe(0);
  });

  it('a rolled-back transaction leaves no task', async () => {
    const runner = new TaskRunner(repo, systemClock);
    let ran = 0;
    runner.registerHandler('k', async () => {
      ran++;
    });
    await db
      .transaction(async (trx) => {
        await runner.enqueue(trx, { instanceUuid: 'i1', kind: 'k' });
        throw new Error('abort');
      })
      .catch(() => undefined);
    await runner.drain();
    expect(ran).toBe(0);
    expect(await repo.count()).toBe(0);
  });

  it('the claim is a compare-and-swap: of two claimers exactly one wins, and a runner skips a held task', async () => {
    const id = await repo.insert({
      instance_uuid: 'i1',
      kind: 'k',
      payload: '{}',
      request_id: null,
      created_at: new Date().toISOString(),
    });
    const row = (await repo.findById(id))!;
    const now = new Date().toISOString();
    const until = new Date(Date.now() + 60_000).toISOString();
    const [x, y] = await Promise.all([repo.claim(row, 'x', until, now), repo.claim(row, 'y', until, now)]);
    expect([x, y].filter(Boolean)).toHaveLength(1);
    const runner = new TaskRunner(repo, systemClock, { pollMs: 20 });
    let runs = 0;
    runner.registerHandler('k', async () => {
      runs++;
    });
    runner.start();
    await new Promise((r) => setTimeout(r, 100));
    await runner.stop();
    expect(runs).toBe(0);
    expect(await repo.count()).toBe(1);
  });

  it('resumes a task whose lease ran out (the process that held it died)', async () => {
    const id = await repo.insert({
      instance_uuid: 'i1',
      kind: 'k',
      payload: '{}',
      request_id: null,
      created_at: new Date().toISOString(),
    });
    const row = (await repo.findById(id))!;
    const past = new Date(Date.now() - 1000).toISOString();
    expect(await repo.claim(row, 'dead-worker', past, new Date(Date.now() - 5000).toISOString())).toBe(true);
    const runner = new TaskRunner(repo, systemClock, { pollMs: 20 });
    const attempts: number[] = [];
    runner.registerHandler('k', async (ctx) => {
      attempts.push(ctx.attempt);
    });
    runner.start();
    const deadline = Date.now() + 3000;
    while (attempts.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await runner.stop();
    expect(attempts).toEqual([2]);
    expect(await repo.count()).toBe(0);
  });

  it("one server's tasks run one at a time, in order; other servers run alongside", async () => {
    const runner = new TaskRunner(repo, systemClock);
    const log: string[] = [];
    runner.registerHandler('slow', async (ctx) => {
      log.push(`start ${ctx.instanceUuid} ${ctx.payload.n}`);
      await new Promise((r) => setTimeout(r, 30));
      log.push(`end ${ctx.instanceUuid} ${ctx.payload.n}`);
    });
    await runner.enqueue(db, { instanceUuid: 'A', kind: 'slow', payload: { n: 1 } });
    await runner.enqueue(db, { instanceUuid: 'A', kind: 'slow', payload: { n: 2 } });
    await runner.enqueue(db, { instanceUuid: 'B', kind: 'slow', payload: { n: 1 } });
    await runner.drain();
    expect(log.indexOf('end A 1')).toBeLessThan(log.indexOf('start A 2'));
    expect(log.indexOf('start B 1')).toBeLessThan(log.indexOf('end A 1'));
  });

  it('a handler that throws does not stop the runner; stop() parks it', async () => {
    const runner = new TaskRunner(repo, systemClock);
    let ok = 0;
    runner.registerHandler('bad', async () => {
      throw new Error('x');
    });
    runner.registerHandler('good', async () => {
      ok++;
    });
    await runner.enqueue(db, { instanceUuid: 'i', kind: 'bad' });
    await runner.enqueue(db, { instanceUuid: 'i', kind: 'good' });
    await runner.drain();
    expect(ok).toBe(1);
    await runner.stop();
    await runner.enqueue(db, { instanceUuid: 'i', kind: 'good' });
    await runner.drain();
    expect(ok).toBe(1);
    expect(await repo.count()).toBe(1); // kept for the next start
    runner.start();
    await new Promise((r) => setTimeout(r, 50));
    await runner.drain();
    expect(ok).toBe(2);
    await runner.stop();
  });

  it('refuses unknown kinds and double registration', async () => {
    const runner = new TaskRunner(repo, systemClock);
    runner.registerHandler('k', async () => undefined);
    expect(() => runner.registerHandler('k', async () => undefined)).toThrow(/already registered/);
    await expect(runner.enqueue(db, { instanceUuid: 'i', kind: 'nope' })).rejects.toThrow(/no handler/);
  });
});
