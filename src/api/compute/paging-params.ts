// limit/marker query parameters as Nova reads them (parameter_types.pagination_parameters and
// common.get_limit_and_marker), and the "next" link of a full page (_get_collection_links).
import type { FastifyRequest } from 'fastify';
import { BadRequest, additionalPropertyMessage } from '../../errors.js';
import { baseUrl, COMPUTE_PREFIX } from '../urls.js';

/** Nova's [api] max_limit: a larger limit is silently reduced. */
export const MAX_LIMIT = 1000;

/** The last value of a query parameter given once or several times (Nova's multi_params). */
export function lastParam(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  return String(Array.isArray(value) ? value[value.length - 1] : value);
}

/**
 * From 2.75 Nova's query schemas forbid unknown parameters (additionalProperties: false); the
 * message is jsonschema's own, as Nova passes it on for a top-level error.
 */
export function assertKnownQuery(req: FastifyRequest, allowed: readonly string[], since = '2.75'): void {
  if (req.apiVersion.lt(since)) return;
  for (const key of Object.keys(req.query as Record<string, unknown>)) {
    if (!allowed.includes(key)) throw new BadRequest(additionalPropertyMessage(key));
  }
}

export interface Paging {
  limit?: number;
  marker?: string;
}

export function readPaging(query: Record<string, unknown>): Paging {
  const rawLimit = lastParam(query.limit);
  let limit: number | undefined;
  if (rawLimit !== undefined) {
    if (!/^[0-9]+$/.test(rawLimit)) {
      throw new BadRequest(
        `Invalid input for query parameters limit. Value: ${rawLimit}. '${rawLimit}' does not match '^[0-9]*$'`,
      );
    }
    limit = Math.min(Number(rawLimit), MAX_LIMIT);
  }
  return { limit, marker: lastParam(query.marker) };
}

/** The "next" link for a page that came back full; null otherwise. */
export function nextLink(
  req: FastifyRequest,
  publicUrl: string | null,
  collectionPath: string,
  paging: Paging,
  items: unknown[],
  lastId: () => string,
): string | null {
  if (!paging.limit || items.length !== paging.limit) return null;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(req.query as Record<string, unknown>)) {
    if (k === 'marker') continue;
    for (const one of Array.isArray(v) ? v : [v]) params.append(k, String(one));
  }
  params.set('marker', lastId());
  return `${baseUrl(req, publicUrl)}${COMPUTE_PREFIX}/${collectionPath}?${params.toString()}`;
}
