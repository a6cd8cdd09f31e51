// Docker's event stream (GET /events) for this service's containers, turned into DriverEvents.
// docker-here.md §7: newline-delimited JSON; a daemon that stops or dies breaks the stream with
// ECONNRESET ("aborted") rather than ending it cleanly, and no event is replayed for what happened
// while it was down — so a break is reported once and the caller reconnects and re-lists.
import { engineUnreachable } from '../driver-errors.js';
import type Docker from 'dockerode';
import { DriverError } from '../../errors.js';
import { LABELS, MANAGED_BY, CONTAINER_PREFIX, type DriverEvent } from '../driver.js';
import { lineSplitter, parseJsonLine } from './ndjson.js';
import { mapDockerError } from './docker-client.js';

/** The filter that selects this service's container events. */
export const EVENT_FILTERS = { type: ['container'], label: [`${LABELS.managedBy}=${MANAGED_BY}`] };

/** One decoded event line → a DriverEvent, or undefined for lines that are not container events of ours. */
export function toDriverEvent(obj: Record<string, unknown>): DriverEvent | undefined {
  const type = obj.Type ?? obj.type;
  if (type !== undefined && type !== 'container') return undefined;
  const actor = (obj.Actor ?? {}) as { ID?: string; Attributes?: Record<string, string> };
  const attrs = actor.Attributes ?? {};
  const name = attrs.name ?? '';
  const instanceUuid =
    attrs[LABELS.instanceUuid] ?? (name.startsWith(CONTAINER_PREFIX) ? name.slice(CONTAINER_PREFIX.length) : '');
  // Action may carry detail after a colon ("exec_start: sh", "health_status: healthy").
  const action = String(obj.Action ?? obj.status ?? '')
    .split(':')[0]
    .trim();
  if (!instanceUuid || !action) return undefined;
  const timeNano = Number(obj.timeNano);
  const time =
    Number.isFinite(timeNano) && timeNano > 0 ? Math.floor(timeNano / 1e6) : Number(obj.time ?? 0) * 1000 || Date.now();
  const event: DriverEvent = { instanceUuid, action, time };
  if (attrs.exitCode !== undefined && attrs.exitCode !== '' && Number.isFinite(Number(attrs.exitCode)))
    event.exitCode = Number(attrs.exitCode);
  if (actor.ID) event.containerId = actor.ID;
  return event;
}

/**
 * Opens the event stream. Resolves once Docker answered (rejects with a DriverError when it does
 * not within `connectTimeoutMs`); then `onError` is called at most once, when the stream breaks or
 * ends without `stop()` having been called. The stream itself has no idle timeout: quiet hours are normal.
 */
export async function watchDockerEvents(
  streams: Docker,
  connectTimeoutMs: number,
  onEvent: (e: DriverEvent) => void,
  onError: (err: Error) => void,
): Promise<() => void> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), connectTimeoutMs);
  let res: NodeJS.ReadableStream & { destroy(): void };
  try {
    res = (await streams.getEvents({ filters: EVENT_FILTERS, abortSignal: ac.signal } as object)) as never;
  } catch (err) {
    throw ac.signal.aborted
      ? new DriverError(`Docker did not answer in time during event subscription (${connectTimeoutMs} ms)`, 'timeout')
      : mapDockerError(err, 'event subscription');
  } finally {
    clearTimeout(timer);
  }

  let stopped = false;
  let reported = false;
  const broke = (err: Error) => {
    if (stopped || reported) return;
    reported = true;
    onError(err);
  };
  const lines = lineSplitter((line) => {
    if (stopped) return;
    const obj = parseJsonLine(line);
    const e = obj && toDriverEvent(obj);
    if (!e) return;
    try {
      onEvent(e);
    } catch {
      /* a listener's bug must not kill the stream */
    }
  });
  res.on('data', (chunk: Buffer) => lines.push(chunk));
  res.on('error', (err: Error) => broke(mapDockerError(err, 'event stream')));
  res.on('end', () => {
    lines.flush();
    broke(new DriverError('Docker closed the event stream', 'unavailable'));
  });
  res.on('close', () => broke(engineUnreachable('event stream')));
  return () => {
    if (stopped) return;
    stopped = true;
    res.destroy();
  };
}
