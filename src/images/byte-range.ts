// The byte range of a ranged image download, read from the request headers the way Glance does
// (glance/common/wsgi.py get_range_from_request + the v2 image_data download serializer, on top of
// webob's byterange parsers):
//   - `Range: bytes=a-b`, `bytes=a-` and the suffix form `bytes=-n`; several ranges are a 400;
//     anything webob cannot parse, or a start at or past the end, is a 416.
//   - `Content-Range: bytes a-b/len|*` is still honoured when there is no Range (older clients).
// The result is inclusive on both ends, as Content-Range and fs.createReadStream count.
import { ApiError, BadRequest } from '../errors.js';

const invalidContentRange = () => new RangeNotSatisfiable('Invalid Content-Range header.');

export interface ByteRange {
  start: number;
  end: number;
}

/** 416 with Glance's explanation (webob HTTPRequestRangeNotSatisfiable). */
export class RangeNotSatisfiable extends ApiError {
  constructor(message: string) {
    super(416, message);
  }
}

// webob's patterns, matched at the start of the header (trailing text is ignored, as in webob).
const RANGE_RE = /^bytes *= *(\d*) *- *(\d*)/i;
const CONTENT_RANGE_RE = /^bytes (?:(\d+)-(\d+)|\*)\/(?:(\d+)|\*)/;

const header = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v.join(',') : v);

/**
 * The range to send of an image of `size` bytes, or null for the whole image. Throws Glance's
 * 400 (several ranges) or 416 (unparsable or unsatisfiable range).
 */
export function requestedRange(
  headers: { range?: string | string[]; 'content-range'?: string | string[] },
  size: number,
): ByteRange | null {
  const range = header(headers.range);
  if (range !== undefined) return fromRange(range, size);
  const contentRange = header(headers['content-range']);
  if (contentRange !== undefined) return fromContentRange(contentRange, size);
  return null;
}

function fromRange(value: string, size: number): ByteRange {
  if (value.includes(',')) {
    throw new BadRequest(
      'Requests with multiple ranges are not supported in Glance. You may make multiple single-range requests instead.',
    );
  }
  const m = RANGE_RE.exec(value);
  // `bytes=-` has neither end: webob cannot make a range of it either.
  if (!m || (m[1] === '' && m[2] === '')) throw new RangeNotSatisfiable('Invalid Range header.');
  if (m[1] === '' && size > 0) {
    // Suffix form: the last n bytes, or the whole image when n is not smaller than it.
    const n = Number(m[2]);
    return { start: n < size ? size - n : 0, end: size - 1 };
  }
  // (An empty image has no last bytes either: its suffix range fails like `bytes=0-`.)
  const start = m[1] === '' ? 0 : Number(m[1]);
  const last = m[2] === '' || m[1] === '' ? null : Number(m[2]);
  if (last !== null && start > last) throw new RangeNotSatisfiable('Invalid Range header.');
  if (start >= size) {
    throw new RangeNotSatisfiable(
      `Invalid start position in Range header. Start position MUST be in the inclusive range [0, ${size - 1}].`,
    );
  }
  return { start, end: last === null ? size - 1 : Math.min(last, size - 1) };
}

function fromContentRange(value: string, size: number): ByteRange {
  const m = CONTENT_RANGE_RE.exec(value);
  // `bytes */…` names no bytes at all: nothing to send a part of.
  if (!m || m[1] === undefined) throw invalidContentRange();
  const start = Number(m[1]);
  const last = Number(m[2]);
  const length = m[3] === undefined ? null : Number(m[3]);
  // webob's validity rules for a Content-Range value.
  if (start > last || (length !== null && (last >= length || start >= length))) throw invalidContentRange();
  if (length === null && last + 1 > size) {
    throw new RangeNotSatisfiable(
      `Invalid stop position in Content-Range header. The stop position MUST be in the inclusive range [0, ${size - 1}].`,
    );
  }
  if (start >= size) {
    throw new RangeNotSatisfiable(
      `Invalid start position in Content-Range header. Start position MUST be in the inclusive range [0, ${size - 1}].`,
    );
  }
  // With a declared length Glance does not check the stop against the image; clamp it so that
  // Content-Length always matches the bytes sent.
  return { start, end: Math.min(last, size - 1) };
}
