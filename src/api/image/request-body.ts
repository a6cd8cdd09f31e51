// Glance bodies arrive as parsed JSON (application/json) or, from glanceclient, labelled
// application/octet-stream, in which case the app hands us the raw stream. Read a small JSON
// document from either, with a bound so a mislabelled upload cannot fill memory.
import type { Readable } from 'node:stream';
import { MalformedBody, RequestEntityTooLarge } from '../../errors.js';
import { parseJsonBody } from '../../plugins/json-body.js';

const MAX_JSON_BYTES = 1024 * 1024;

function isStream(v: unknown): v is Readable {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as Readable).pipe === 'function' &&
    typeof (v as Readable).on === 'function'
  );
}

export async function jsonBody(body: unknown): Promise<unknown> {
  if (!isStream(body)) return body ?? null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > MAX_JSON_BYTES) {
      body.destroy();
      throw new RequestEntityTooLarge('Request Entity Too Large');
    }
    chunks.push(chunk as Buffer);
  }
  try {
    return parseJsonBody(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw MalformedBody();
  }
}

/** Drains an unused body stream so the connection can be reused. */
export function discardBody(body: unknown): void {
  if (isStream(body)) body.resume();
}

export { isStream };
