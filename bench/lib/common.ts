// Shared helpers of the benchmarks: statistics, the one result-line format, ports, process-tree
// memory, and an optional CPU profile of the measured window.
//
// Every figure a bench reports is printed as ONE line of this form (run.ts collects them):
//   RESULT <name>: <value> <unit> vs <baseline name> <value> <unit> = <ratio>x (target <op> <n>) [<notes>]
// The ratio is value / baseline in the value's own unit: for a throughput (req/s, MiB/s) more is
// better, for a time (ms, s) less is better; the target says which way it must go.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Session } from 'node:inspector/promises';

export const median = (xs: number[]): number => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export const percentile = (xs: number[], p: number): number => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};

/** Milliseconds since `t0` (process.hrtime.bigint()). */
export const msSince = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function fmt(v: number): string {
  if (!Number.isFinite(v) || Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toFixed(3);
}

export interface Result {
  name: string;
  value: number;
  unit: string;
  baselineName?: string;
  baseline?: number;
  /** e.g. '>= 0.3' or '<= 1.15' (applied to the ratio), or '<= 30 ms' (applied to the value) */
  target?: string;
  notes?: string;
}

/** Prints one result line; returns the ratio (NaN without a baseline). */
export function report(r: Result): number {
  const ratio = r.baseline !== undefined && r.baseline !== 0 ? r.value / r.baseline : NaN;
  let line = `RESULT ${r.name}: ${fmt(r.value)} ${r.unit}`;
  if (r.baselineName !== undefined && r.baseline !== undefined)
    line += ` vs ${r.baselineName} ${fmt(r.baseline)} ${r.unit} = ${ratio.toFixed(3)}x`;
  if (r.target) line += ` (target ${r.target}${met(r, ratio)})`;
  if (r.notes) line += ` [${r.notes}]`;
  console.log(line);
  return ratio;
}

function met(r: Result, ratio: number): string {
  const m = /^(>=|<=)\s*([\d.]+)\s*(\S+)?$/.exec(r.target ?? '');
  if (!m) return '';
  const subject = m[3] ? r.value : ratio;
  if (!Number.isFinite(subject)) return '';
  const ok = m[1] === '>=' ? subject >= Number(m[2]) : subject <= Number(m[2]);
  return ok ? ': met' : ': NOT met';
}

/**
 * A free loopback port. BENCH_PORT_BASE=<n> takes them from n upwards (on a shared machine each
 * user has a range); without it the kernel picks one.
 */
let nextPort = Number(process.env.BENCH_PORT_BASE ?? 0);
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 200; tries++) {
    const want = nextPort ? nextPort++ : 0;
    const got = await new Promise<number | null>((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(null));
      srv.listen(want, '127.0.0.1', () => {
        const port = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(port));
      });
    });
    if (got) return got;
  }
  throw new Error('no free port');
}

/** VmRSS (or VmHWM) of one process, in KiB; 0 when it is gone. */
export function memKb(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** `pid` and all its descendants, with their command names (from /proc). */
/** CPU time (user + system, ms) of each thread of `pid`, by thread id, from /proc. */
export function threadCpuMs(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  const tick = 1000 / 100; // USER_HZ
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const raw = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
      out.set(tid, (Number(f[11]) + Number(f[12])) * tick);
    } catch {
      // the thread ended
    }
  }
  return out;
}

/** CPU time (ms) of this process's waited-for children so far (/proc/self/stat cutime + cstime). */
export function childrenCpuMs(): number {
  const raw = fs.readFileSync('/proc/self/stat', 'utf8');
  const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) * 10;
}

export function processTree(pid: number): { pid: number; comm: string; cmd: string }[] {
  const parent = new Map<number, number>();
  const comm = new Map<number, string>();
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      comm.set(Number(e), stat.slice(stat.indexOf('(') + 1, close));
      parent.set(Number(e), Number(stat.slice(close + 2).split(' ')[1]));
    } catch {
      /* gone */
    }
  }
  const out: { pid: number; comm: string; cmd: string }[] = [];
  const walk = (p: number) => {
    let cmd = '';
    try {
      cmd = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    } catch {
      /* gone */
    }
    out.push({ pid: p, comm: comm.get(p) ?? '?', cmd });
    for (const [child, par] of parent) if (par === p) walk(child);
  };
  walk(pid);
  return out;
}

/** Sum of VmRSS over a process tree, in KiB (shared pages counted in each process, as `ps` does). */
export function treeRssKb(pid: number): {
  totalKb: number;
  members: { pid: number; comm: string; cmd: string; rssKb: number }[];
} {
  const members = processTree(pid).map((p) => ({ ...p, rssKb: memKb(p.pid) }));
  return { totalKb: members.reduce((s, m) => s + m.rssKb, 0), members };
}

export const mib = (kb: number) => kb / 1024;

/**
 * BENCH_CPU_PROF=<dir>: a V8 CPU profile of this process over the measured window only (not the
 * set-up), written as <dir>/<label>.cpuprofile; summarise with `npx tsx scripts/cpuprofile-summary.ts`.
 */
export async function profiled<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_CPU_PROF;
  if (!dir) return fn();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${label}.cpuprofile`);
    fs.writeFileSync(file, JSON.stringify(profile));
    console.log(`  cpu profile: ${file}`);
    session.disconnect();
  }
}

/** The machine's state, printed once per bench: ratios are only comparable at similar load. */
export function machineLine(): string {
  return `machine: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load average ${os
    .loadavg()
    .map((l: number) => l.toFixed(1))
    .join(' ')}, node ${process.version}`;
}

/** CPU time (user and system, ms) and minor page faults of each thread of `pid`, by thread id, from /proc. */
export function threadStats(pid: number): Map<string, { user: number; sys: number; faults: number }> {
  const out = new Map<string, { user: number; sys: number; faults: number }>();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const raw = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
      out.set(tid, { user: Number(f[11]) * 10, sys: Number(f[12]) * 10, faults: Number(f[7]) }); // USER_HZ 100
    } catch {
      // the thread ended
    }
  }
  return out;
}
