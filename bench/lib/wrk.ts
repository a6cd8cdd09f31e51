// HTTP load from a second process: wrk (Debian package `wrk`; scripts/bench.sh installs it).
// Why wrk and not autocannon: on this 2-core machine the load generator shares the CPU with the
// server under test. wrk is C with one thread and an event loop; it needs a fraction of the CPU
// that autocannon (Node.js) needs for the same request rate, so the bare-Fastify baseline reaches
// its real ceiling instead of the client's, and the ratio is not flattered.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface WrkResult {
  requestsPerSec: number;
  requests: number;
  non2xx: number;
  socketErrors: string | null;
  /** latency percentiles in ms (50, 75, 90, 99) */
  latencyMs: Record<'p50' | 'p75' | 'p90' | 'p99', number>;
  /**
   * CPU time (user + system) THIS process spent per request during the run, in µs: meaningful when
   * the server under test runs in this process. Far steadier than req/s on a loaded machine.
   */
  cpuUsPerRequest: number;
}

function toMs(v: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(v.trim());
  if (!m) return NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000;
}

export async function wrk(
  url: string,
  o: { connections: number; seconds: number; headers?: Record<string, string>; threads?: number },
): Promise<WrkResult> {
  const args = [
    '-t',
    String(o.threads ?? 1),
    '-c',
    String(o.connections),
    '-d',
    `${o.seconds}s`,
    '--latency',
    '--timeout',
    '10s',
  ];
  for (const [k, v] of Object.entries(o.headers ?? {})) args.push('-H', `${k}: ${v}`);
  args.push(url);
  let stdout: string;
  const cpu0 = process.cpuUsage();
  try {
    ({ stdout } = await run('wrk', args, { maxBuffer: 1 << 20 }));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error('wrk is not installed: apt-get install wrk (or run `npm run bench`, whose script installs it)');
    throw e;
  }
  const cpu = process.cpuUsage(cpu0);
  const num = (re: RegExp) => {
    const m = re.exec(stdout);
    return m ? Number(m[1]) : NaN;
  };
  const lat = (p: string) => {
    const m = new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(stdout);
    return m ? toMs(m[1]) : NaN;
  };
  const res: WrkResult = {
    requestsPerSec: num(/Requests\/sec:\s+([\d.]+)/),
    requests: num(/(\d+) requests in/),
    non2xx: num(/Non-2xx or 3xx responses:\s+(\d+)/) || 0,
    socketErrors: /Socket errors:.*/.exec(stdout)?.[0] ?? null,
    latencyMs: { p50: lat('50'), p75: lat('75'), p90: lat('90'), p99: lat('99') },
    cpuUsPerRequest: 0,
  };
  res.cpuUsPerRequest = (cpu.user + cpu.system) / res.requests;
  if (!Number.isFinite(res.requestsPerSec)) throw new Error(`could not read wrk's output:\n${stdout}`);
  if (res.non2xx) throw new Error(`${url}: ${res.non2xx} of ${res.requests} responses were not 2xx/3xx`);
  return res;
}
