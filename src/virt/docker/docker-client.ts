// The Docker connection we own: dockerode behind plain options, with a timeout on every call and
// Docker's status codes mapped onto DriverError kinds. No dockerode type leaves src/virt/docker/.
import { engineUnreachable } from '../driver-errors.js';
import Docker from 'dockerode';
import { DriverError } from '../../errors.js';
import { lineSplitter, parseJsonLine } from './ndjson.js';

/**
 * A dockerode client for `url`. `idleTimeoutMs` is docker-modem's global socket timeout: right
 * for short calls (a backstop behind `call`'s own deadline), wrong for streams that may stay quiet
 * for minutes (events, exec, load), which use a client without it and their own deadlines.
 */
export function dockerFromUrl(url: string, idleTimeoutMs?: number): Docker {
  const timeout = idleTimeoutMs && idleTimeoutMs > 0 ? idleTimeoutMs : undefined;
  if (url.startsWith('unix://')) return new Docker({ socketPath: url.slice('unix://'.length), timeout });
  const u = new URL(url.replace(/^tcp:/, 'http:'));
  return new Docker({
    host: u.hostname,
    port: Number(u.port || 2375),
    protocol: u.protocol === 'https:' ? 'https' : 'http',
    timeout,
  });
}

interface DockerishError {
  statusCode?: number;
  code?: string;
  message?: string;
  json?: { message?: string };
  reason?: string;
  name?: string;
}

// Docker is down or went away: the socket file is gone (ENOENT, SIGTERM'd daemon), nobody listens
// (ECONNREFUSED, kill -9), or the connection broke mid-way (ECONNRESET, "aborted") — docker-here.md §8.
const UNREACHABLE = new Set([
  'ENOENT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);

const WRONG_STATE = /is (not running|not paused|already paused|paused|restarting|marked for removal)\b/i;

/** Translate a dockerode/modem error into a DriverError with Docker's own message. */
export function mapDockerError(err: unknown, what: string): DriverError {
  if (err instanceof DriverError) return err;
  const e = (err ?? {}) as DockerishError;
  const msg = (e.json && typeof e.json === 'object' && e.json.message) || e.message || String(err);
  if (e.code && UNREACHABLE.has(e.code))
    return new DriverError(`Docker Engine is unreachable (${e.code}) during ${what}`, 'unavailable');
  if (e.message === 'aborted' && !e.statusCode) return engineUnreachable(what);
  if (
    e.name === 'AbortError' ||
    e.code === 'ETIMEDOUT' ||
    e.code === 'ESOCKETTIMEDOUT' ||
    /\btimed? ?out\b/i.test(msg)
  ) {
    return new DriverError(`Docker did not answer in time during ${what}`, 'timeout');
  }
  // Docker 20.10 answers some wrong-state requests with 500 (unpause of a running container:
  // "Container … is not paused"); they are conflicts all the same.
  if (e.statusCode && e.statusCode >= 400 && WRONG_STATE.test(msg)) return new DriverError(msg, 'conflict');
  switch (e.statusCode) {
    case 404:
      return new DriverError(msg, 'not-found');
    case 409:
      return new DriverError(msg, 'conflict');
    default:
      return new DriverError(`${what} failed: ${msg}`);
  }
}

export interface CallOptions {
  /** 304 (already in that state) is success */
  okNotModified?: boolean;
  /** 404 is success (undefined) */
  okNotFound?: boolean;
  /** deadline of this call; the request is aborted when it passes */
  timeoutMs: number;
  /** a deadline that may grow while the call runs, read again when `timeoutMs` passes (spawns) */
  deadlineMs?: () => number;
}

/**
 * Run one Docker call under a deadline. `fn` gets an AbortSignal to hand to dockerode
 * (`{ abortSignal }`), so a call that passes its deadline is cancelled, not just forgotten.
 */
export async function call<T>(
  what: string,
  fn: (signal: AbortSignal) => Promise<T>,
  opts: CallOptions,
): Promise<T | undefined> {
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const started = Date.now();
  let want = opts.timeoutMs; // grows with deadlineMs, never shrinks
  const deadline = new Promise<never>((_, reject) => {
    const arm = (ms: number) => {
      timer = setTimeout(() => {
        want = Math.max(want, opts.deadlineMs?.() ?? 0);
        const left = started + want - Date.now();
        if (left > 0) return arm(left);
        ac.abort();
        reject(new DriverError(`Docker did not answer in time during ${what} (${want} ms)`, 'timeout'));
      }, ms);
    };
    arm(opts.timeoutMs);
  });
  try {
    return await Promise.race([fn(ac.signal), deadline]);
  } catch (err) {
    const status = (err as DockerishError)?.statusCode;
    if (opts.okNotModified && status === 304) return undefined;
    if (opts.okNotFound && status === 404) return undefined;
    throw mapDockerError(err, what);
  } finally {
    clearTimeout(timer);
  }
}

type Destroyable = NodeJS.ReadableStream & { destroy?: (e?: Error) => void };

/**
 * Consume a newline-delimited JSON progress stream (load, import, build, push) to the end.
 * Docker reports failures in-band with `{"error": …}` under a 200 status: those are failures here.
 * The stream breaking before its end, or outliving `timeoutMs`, is a failure too: it never hangs.
 */
export function followProgress(
  stream: NodeJS.ReadableStream,
  what: string,
  timeoutMs: number,
): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const events: Record<string, unknown>[] = [];
    let failed: DriverError | null = null;
    let done = false;
    const timer = setTimeout(
      () => finish(new DriverError(`Docker did not finish ${what} in time`, 'timeout')),
      timeoutMs,
    );
    const finish = (err: DriverError | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (err) {
        (stream as Destroyable).destroy?.();
        reject(err);
      } else resolve(events);
    };
    const lines = lineSplitter((line) => {
      const obj = parseJsonLine(line);
      if (!obj) return;
      events.push(obj);
      if (obj.error || obj.errorDetail) {
        const detail = obj.errorDetail as { message?: string } | undefined;
        failed ??= new DriverError(`${what} failed: ${String(obj.error ?? detail?.message)}`);
      }
    });
    stream.on('data', (chunk: Buffer) => lines.push(chunk));
    stream.on('error', (err) => finish(failed ?? mapDockerError(err, what)));
    stream.on('end', () => {
      lines.flush();
      finish(failed);
    });
    // 'close' without 'end': the connection dropped mid-stream.
    stream.on('close', () => finish(failed ?? engineUnreachable(what)));
  });
}

/**
 * A raw streaming request (for endpoints whose dockerode wrapper buffers or JSON-parses the body,
 * or takes no options). The deadline covers the response headers only; the caller owns the body.
 */
export function dialStream(
  client: Docker,
  what: string,
  path: string,
  query: Record<string, unknown>,
  timeoutMs: number,
  statusCodes: Record<number, true | string> = { 200: true, 404: 'not found', 500: 'server error' },
): Promise<NodeJS.ReadableStream & { destroy(e?: Error): void }> {
  return call(
    what,
    (abortSignal) =>
      new Promise((resolve, reject) => {
        client.modem.dial(
          { path: `${path}?`, method: 'GET', isStream: true, abortSignal, statusCodes, options: query },
          (err: unknown, stream: unknown) => (err ? reject(err) : resolve(stream)),
        );
      }),
    { timeoutMs },
  ) as never;
}
