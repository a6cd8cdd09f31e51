// Absolute URLs for links, catalogs and version documents: from NOVADOCK_PUBLIC_URL when set,
// otherwise from the request's own Host (so a client on any address gets links it can reach).
import type { FastifyRequest } from 'fastify';

export function baseUrl(req: FastifyRequest, publicUrl: string | null): string {
  if (publicUrl) return publicUrl;
  const host = req.headers.host ?? `${req.hostname}`;
  return `${req.protocol}://${host}`;
}

export const COMPUTE_PREFIX = '/compute/v2.1';
export const IMAGE_PREFIX = '/image';
export const IDENTITY_PREFIX = '/identity';
