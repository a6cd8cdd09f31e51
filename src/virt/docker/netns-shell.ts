// Long-lived shells that run `nsenter --net=<ns> sh -c 'iptables-restore <v4 && ip6tables-restore <v6'`
// for the security-group applies of one engine (docker-firewall.ts), so that an apply costs the
// nsenter and iptables processes only, not a fork of this (large) Node process: Node forks the whole
// process for every child, and that cost grows with its heap (a probe here: `nsenter true` 15 ms from
// a bare node, 40 ms from one holding 300 MiB; 10-13 ms from a waiting shell).
// Each lane is one `/bin/sh` reading one job a line (`<id> <ns> <v4 file> <v6 file> <stderr file>`)
// and answering `<id> <exit status>`; the tables go through files in a private temporary directory.
// Up to LANES jobs run at once (a job waits for a free lane). A job that outlives its deadline kills
// its lane's whole process group (shell, nsenter, iptables) and fails; a lane that dies otherwise is
// started again and its job runs once more in the new one (a restore replaces the whole filter table,
// so running it twice is harmless). close() ends every lane; nothing is left running.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DriverError } from '../../errors.js';

const LANES = 4;

const SCRIPT = `while read -r id ns v4 v6 err; do
nsenter --net="$ns" sh -c 'iptables-restore <"$1" && ip6tables-restore <"$2"' nd-sg "$v4" "$v6" </dev/null >/dev/null 2>"$err"
echo "$id $?"
done`;

interface Job {
  id: number;
  ns: string;
  v4: string;
  v6: string;
  retried: boolean;
  timer: NodeJS.Timeout | null;
  resolve(): void;
  reject(e: Error): void;
}

interface Lane {
  child: ChildProcess;
  job: Job | null;
  out: string;
  /** killed on purpose (deadline or close): its job is not run again */
  killed: boolean;
}

export class NetnsShells {
  private lanes: Lane[] = [];
  private waiting: Job[] = [];
  private dir: string | null = null;
  private seq = 0;
  private closed = false;
  /** lanes started so far (tests: a lane that died is replaced) */
  started = 0;

  constructor(private readonly timeoutMs: number) {}

  /** Restores both tables inside the namespace file `ns` (checked by the caller). */
  restore(ns: string, v4: string, v6: string): Promise<void> {
    if (this.closed) return Promise.reject(new DriverError('the firewall helper was closed'));
    if (/\s/.test(ns)) return Promise.reject(new DriverError(`unexpected namespace path ${JSON.stringify(ns)}`));
    return new Promise<void>((resolve, reject) => {
      const job: Job = { id: ++this.seq, ns, v4, v6, retried: false, timer: null, resolve, reject };
      job.timer = setTimeout(() => this.expire(job), this.timeoutMs);
      this.waiting.push(job);
      this.dispatch();
    });
  }

  /** Ends every lane (their jobs fail); later calls fail. */
  async close(): Promise<void> {
    this.closed = true;
    for (const j of this.waiting.splice(0)) this.fail(j, new DriverError('the firewall helper was closed'));
    await Promise.all(this.lanes.map((l) => this.kill(l)));
    this.lanes = [];
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
  }

  /** The pids of the running lanes (tests). */
  pids(): number[] {
    return this.lanes.map((l) => l.child.pid!).filter(Boolean);
  }

  private dispatch(): void {
    while (this.waiting.length) {
      let lane = this.lanes.find((l) => !l.job && !l.killed);
      if (!lane) {
        if (this.lanes.length >= LANES) return;
        try {
          lane = this.startLane();
        } catch (e) {
          for (const j of this.waiting.splice(0))
            this.fail(j, new DriverError(`firewall helper: ${(e as Error).message}`));
          return;
        }
      }
      this.send(lane, this.waiting.shift()!);
    }
  }

  private files(id: number) {
    this.dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'novadock-sg-'));
    if (/\s/.test(this.dir)) throw new Error(`a temporary directory without spaces is needed, not ${this.dir}`);
    const base = path.join(this.dir, String(id));
    return { v4: `${base}.v4`, v6: `${base}.v6`, err: `${base}.err` };
  }

  private send(lane: Lane, job: Job): void {
    lane.job = job;
    let f: { v4: string; v6: string; err: string };
    try {
      f = this.files(job.id);
      fs.writeFileSync(f.v4, job.v4);
      fs.writeFileSync(f.v6, job.v6);
    } catch (e) {
      lane.job = null;
      this.fail(job, new DriverError(`firewall helper: ${(e as Error).message}`));
      return;
    }
    lane.child.stdin!.write(`${job.id} ${job.ns} ${f.v4} ${f.v6} ${f.err}\n`);
  }

  private startLane(): Lane {
    const child = spawn('sh', ['-c', SCRIPT], { stdio: ['pipe', 'pipe', 'ignore'], detached: true });
    const lane: Lane = { child, job: null, out: '', killed: false };
    this.started += 1;
    child.unref();
    for (const s of [child.stdin, child.stdout] as unknown as { unref?: () => void }[]) s?.unref?.();
    child.stdin.on('error', () => undefined);
    child.stdout.on('data', (d: Buffer) => {
      lane.out += d.toString();
      let nl: number;
      while ((nl = lane.out.indexOf('\n')) >= 0) {
        const line = lane.out.slice(0, nl);
        lane.out = lane.out.slice(nl + 1);
        this.answered(lane, line);
      }
    });
    const gone = (why: string) => {
      if (!this.lanes.includes(lane)) return;
      this.lanes = this.lanes.filter((l) => l !== lane);
      const job = lane.job;
      lane.job = null;
      if (job) {
        if (!lane.killed && !job.retried && !this.closed) {
          job.retried = true;
          this.waiting.unshift(job);
        } else this.fail(job, new DriverError(`firewall helper ${why}`));
      }
      if (!this.closed) this.dispatch();
    };
    child.on('error', (e) => gone(`failed: ${e.message}`));
    child.on('exit', (code, signal) => gone(`exited (${signal ?? code})`));
    this.lanes.push(lane);
    return lane;
  }

  private answered(lane: Lane, line: string): void {
    const job = lane.job;
    const [id, status] = line.split(' ');
    if (!job || Number(id) !== job.id) return;
    lane.job = null;
    const f = this.files(job.id);
    let err = '';
    if (status !== '0') err = fs.readFileSync(f.err, 'utf8').trim();
    for (const p of [f.v4, f.v6, f.err]) fs.rm(p, { force: true }, () => undefined);
    if (status === '0') this.done(job);
    else this.fail(job, new DriverError(`iptables-restore in ${job.ns}: ${err || `exit ${status}`}`));
    this.dispatch();
  }

  private expire(job: Job): void {
    job.timer = null;
    const lane = this.lanes.find((l) => l.job === job);
    if (lane) {
      lane.killed = true;
      lane.job = null;
      void this.kill(lane);
    } else this.waiting = this.waiting.filter((j) => j !== job);
    this.fail(job, new DriverError(`iptables-restore in ${job.ns}: no answer within ${this.timeoutMs} ms`, 'timeout'));
  }

  /** SIGKILL to the lane's process group: the shell and whatever it runs. */
  private kill(lane: Lane): Promise<void> {
    lane.killed = true;
    const child = lane.child;
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    });
  }

  private done(job: Job): void {
    if (job.timer) clearTimeout(job.timer);
    job.resolve();
  }

  private fail(job: Job, e: Error): void {
    if (job.timer) clearTimeout(job.timer);
    job.reject(e);
  }
}
