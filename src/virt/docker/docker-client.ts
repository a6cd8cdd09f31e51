// The Docker connection we own: dockerode behind plain options, with a timeout on every call and
// Docker's status codes mapped onto DriverError kinds. No dockerode type leaves src/virt/docker/.
import Docker from 'dockerode';
import { DriverError } from '../../errors';

export function dockerFromUrl(url: string, timeoutMs: number): Docker {
  if (url.startsWith('unix://')) return new Docker({ socketPath: url.slice('unix://'.length), timeout: timeoutMs });
  const u = new URL(url.replace(/^tcp:/, 'http:'));
  return new Docker({ host: u.hostname, port: Number(u.port || 2375), protocol: u.protocol === 'https:' ? 'https' : 'http', timeout: timeoutMs });
}

interface DockerishError { statusCode?: number; code?: string; message?: string; json?: { message?: string }; reason?: string }

const UNREACHABLE = new Set(['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ETIMEDOUT']);

/** Translate a dockerode/modem error into a DriverError with Docker's own message. */
export function mapDockerError(err: unknown, what: string): DriverError {
  if (err instanceof DriverError) return err;
  const e = (err ?? {}) as DockerishError;
  const msg = e.json?.message ?? e.message ?? String(err);
  if (e.code && UNREACHABLE.has(e.code)) return new DriverError(`Docker Engine is unreachable (${e.code}) during ${what}`, 'unavailable');
  if (/timeout|timed out/i.test(msg) || e.code === 'ESOCKETTIMEDOUT' || (e as Error).name === 'AbortError') {
    return new DriverError(`Docker did not answer in time during ${what}`, 'timeout');
  }
  switch (e.statusCode) {
    case 404: return new DriverError(msg, 'not-found');
    case 409: return new DriverError(msg, 'conflict');
    default: return new DriverError(`${what} failed: ${msg}`);
  }
}

/** Run a Docker call; 304 (already in that state) is success, everything else is mapped. */
export async function call<T>(what: string, fn: () => Promise<T>, opts: { okNotModified?: boolean; okNotFound?: boolean } = {}): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    const status = (err as DockerishError)?.statusCode;
    if (opts.okNotModified && status === 304) return undefined;
    if (opts.okNotFound && status === 404) return undefined;
    throw mapDockerError(err, what);
  }
}

/**
 * Consume a newline-delimited JSON progress stream (load, import, build, push) to the end.
 * Docker reports failures in-band with `{"error": …}` under a 200 status: those are failures here.
 */
export function followProgress(stream: NodeJS.ReadableStream, what: string, timeoutMs: number): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const events: Record<string, unknown>[] = [];
    let buf = '';
    let failed: DriverError | null = null;
    const timer = setTimeout(() => finish(new DriverError(`Docker did not finish ${what} in time`, 'timeout')), timeoutMs);
    const finish = (err: DriverError | null) => {
      clearTimeout(timer);
      if (err) { (stream as unknown as { destroy?: () => void }).destroy?.(); reject(err); } else resolve(events);
    };
    const handleLine = (line: string) => {
      if (!line.trim()) return;
      let obj: Record<string, unknown>;
      try { obj = JSON.parse(line); } catch { return; }
      events.push(obj);
      if (obj.error || obj.errorDetail) {
        const detail = obj.errorDetail as { message?: string } | undefined;
        failed ??= new DriverError(`${what} failed: ${String(obj.error ?? detail?.message)}`);
      }
    };
    stream.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let i;
      while ((i = buf.indexOf('\n')) >= 0) { handleLine(buf.slice(0, i)); buf = buf.slice(i + 1); }
    });
    stream.on('error', (err) => finish(mapDockerError(err, what)));
    stream.on('end', () => { handleLine(buf); finish(failed); });
  });
}
