// The durable task runner. A compute API call writes a task row in its own transaction
// (`enqueue`); once that commits the runner claims the row (compare-and-swap on claimed_by /
// lease_until) and runs the handler for its kind at once, under the server's mutex. The row is the
// crash-recovery record: a process that dies leaves a row whose lease runs out, and any runner
// (this one after a restart, or another replica) claims and reruns it. Handlers are registered by
// kind, so new server actions add a file and a `registerHandler` call, nothing here.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type Db, afterCommit } from '../db/knex.js';
import type { Clock } from '../db/time.js';
import type { ComputeTasksRepo, ComputeTaskRow } from '../db/repositories/compute-tasks-repo.js';
import { InstanceLocks } from './instance-locks.js';
import type { NewTask } from '../compute/tasks.js';

export interface TaskContext<P = Record<string, unknown>> {
  taskId: number;
  instanceUuid: string;
  kind: string;
  payload: P;
  requestId: string | null;
  /** 1 on the first run; more when the task is resumed after a crash */
  attempt: number;
}
export type TaskHandler<P = Record<string, unknown>> = (ctx: TaskContext<P>) => Promise<void>;

export interface TaskRunnerOptions {
  leaseMs?: number;
  /** how often a started runner looks for tasks left by others (crash recovery) */
  pollMs?: number;
  concurrency?: number;
  workerId?: string;
  log?: { error(obj: unknown, msg?: string): void; warn(obj: unknown, msg?: string): void };
}

export class TaskRunner {
  readonly workerId: string;
  readonly locks = new InstanceLocks();
  private handlers = new Map<string, TaskHandler<never>>();
  private startHooks: (() => Promise<unknown>)[] = [];
  private inflight = new Map<number, Promise<void>>();
  /** task ids this process enqueued and has not yet claimed */
  private pending: number[] = [];
  private pumping: Promise<void> | null = null;
  private pumpAgain = false;
  private parked = false;
  private pollTimer: NodeJS.Timeout | null = null;
  private renewTimer: NodeJS.Timeout | null = null;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly concurrency: number;

  constructor(
    private readonly repo: ComputeTasksRepo,
    private readonly clock: Clock,
    private readonly opts: TaskRunnerOptions = {},
  ) {
    // worker:<host>:<pid>:<random> — start-up reconciliation releases at once the leases of a dead
    // process of this machine (reconcile.ts deadLocalWorker) instead of waiting for them to run out.
    this.workerId = opts.workerId ?? `worker:${hostname()}:${process.pid}:${randomUUID()}`;
    this.leaseMs = opts.leaseMs ?? 60_000;
    this.pollMs = opts.pollMs ?? 5_000;
    this.concurrency = opts.concurrency ?? 32;
  }

  registerHandler<P = Record<string, unknown>>(kind: string, handler: TaskHandler<P>): void {
    if (this.handlers.has(kind)) throw new Error(`a handler for task kind ${kind} is already registered`);
    this.handlers.set(kind, handler);
  }

  /**
   * Writes the task row inside `trx`; the task runs as soon as `trx` commits (or at once when
   * `trx` is not a transaction). Nothing waits on a timer in between.
   */
  async enqueue(trx: Db, task: NewTask): Promise<number> {
    if (!this.handlers.has(task.kind)) throw new Error(`no handler for task kind ${task.kind}`);
    const id = await this.repo.insert(
      {
        instance_uuid: task.instanceUuid,
        kind: task.kind,
        payload: JSON.stringify(task.payload ?? {}),
        request_id: task.requestId ?? null,
        created_at: this.clock.now().toISOString(),
      },
      trx,
    );
    afterCommit(trx, () => {
      this.pending.push(id);
      this.kick();
    });
    return id;
  }

  /** Look for work now. */
  kick(): void {
    if (this.parked) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = this.pump().finally(() => {
      this.pumping = null;
      if (this.pumpAgain) {
        this.pumpAgain = false;
        this.kick();
      }
    });
  }

  /** Work to do once when the runner starts (start-up recovery), before the first scan. */
  onStart(hook: () => Promise<unknown>): void {
    this.startHooks.push(hook);
  }

  /** Begin background duties: start-up hooks, then periodic recovery of tasks whose lease ran out. */
  start(): void {
    this.parked = false;
    if (!this.pollTimer) {
      this.pollTimer = setInterval(() => this.scan(), this.pollMs);
      this.pollTimer.unref();
    }
    const hooks = this.startHooks.map((h) =>
      h().catch((err) => this.opts.log?.error({ err }, 'task runner start-up hook failed')),
    );
    void Promise.all(hooks).then(() => this.scan());
  }

  /** Stop claiming; wait for running tasks up to `deadlineMs`; tasks not started stay for later. */
  async stop(deadlineMs = 10_000): Promise<void> {
    this.parked = true;
    if (this.pollTimer) {
      clearInterval(this.pollTimer);
      this.pollTimer = null;
    }
    const all = Promise.allSettled([...this.inflight.values(), this.pumping ?? Promise.resolve()]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      all,
      new Promise((r) => {
        timer = setTimeout(r, deadlineMs);
        timer.unref();
      }),
    ]);
    if (timer) clearTimeout(timer);
    this.stopRenewing();
  }

  /** Resolves when nothing is queued or running in this process (tests: nova's cast_as_call). */
  async drain(): Promise<void> {
    for (;;) {
      if (this.pumping) await this.pumping;
      if (this.inflight.size) {
        await Promise.allSettled([...this.inflight.values()]);
        continue;
      }
      if (this.pending.length && !this.parked) {
        this.kick();
        await this.pumping;
        continue;
      }
      if (this.pumping) continue;
      return;
    }
  }

  get busy(): boolean {
    return this.inflight.size > 0 || this.pending.length > 0 || this.pumping !== null;
  }

  private scan(): void {
    if (this.parked) return;
    this.repo
      .claimable(this.clock.now().toISOString(), this.concurrency)
      .then((rows) => {
        for (const r of rows) if (!this.inflight.has(r.id) && !this.pending.includes(r.id)) this.pending.push(r.id);
        if (this.pending.length) this.kick();
      })
      .catch((err) => this.opts.log?.warn({ err }, 'task scan failed'));
  }

  private async pump(): Promise<void> {
    while (!this.parked && this.pending.length && this.inflight.size < this.concurrency) {
      const id = this.pending.shift()!;
      if (this.inflight.has(id)) continue;
      const row = await this.repo.findById(id);
      if (!row) continue;
      const now = this.clock.now();
      const ok = await this.repo.claim(
        row,
        this.workerId,
        new Date(now.getTime() + this.leaseMs).toISOString(),
        now.toISOString(),
      );
      if (!ok) continue;
      const p = this.execute({ ...row, attempts: row.attempts + 1 }).finally(() => {
        this.inflight.delete(id);
        if (this.inflight.size === 0) this.stopRenewing();
        if (this.pending.length) this.kick();
      });
      this.inflight.set(id, p);
      this.startRenewing();
    }
  }

  private async execute(row: ComputeTaskRow): Promise<void> {
    const handler = this.handlers.get(row.kind);
    try {
      await this.locks.run(row.instance_uuid, async () => {
        if (!handler) throw new Error(`no handler for task kind ${row.kind}`);
        await (handler as TaskHandler)({
          taskId: row.id,
          instanceUuid: row.instance_uuid,
          kind: row.kind,
          requestId: row.request_id,
          payload: row.payload ? JSON.parse(row.payload) : {},
          attempt: row.attempts,
        });
      });
    } catch (err) {
      // Handlers keep their own server state clean; this is the last line: log and drop the task.
      this.opts.log?.error({ err, task: row.id, kind: row.kind, instance: row.instance_uuid }, 'compute task failed');
    }
    try {
      await this.repo.finish(row.id);
    } catch (err) {
      this.opts.log?.warn({ err }, 'could not delete finished task row');
    }
  }

  private startRenewing(): void {
    if (this.renewTimer) return;
    this.renewTimer = setInterval(
      () => {
        const until = new Date(this.clock.now().getTime() + this.leaseMs).toISOString();
        for (const id of this.inflight.keys()) this.repo.renew(id, this.workerId, until).catch(() => undefined);
      },
      Math.max(1000, Math.floor(this.leaseMs / 3)),
    );
    this.renewTimer.unref();
  }

  private stopRenewing(): void {
    if (this.renewTimer) {
      clearInterval(this.renewTimer);
      this.renewTimer = null;
    }
  }
}
