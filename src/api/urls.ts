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

/** The image service's endpoint as the catalog lists it: unversioned (clients append /v2/…). */
export function imageEndpoint(base: string): string {
  return `${base}${IMAGE_PREFIX}`;
}

/**
 * A Glance image's URL as Nova gives it (createImage's Location below 2.45): the catalog's image
 * endpoint without a version suffix, then /images/<id> (nova/image/glance.py get_api_servers
 * strips r'/v\d+(\.\d+)?/?$', generate_image_url appends "/images/%s"). Where that leaves a trailing
 * slash, Nova's URL has a doubled one; this one does not.
 */
export function novaImageUrl(base: string, imageId: string): string {
  const endpoint = imageEndpoint(base).replace(/\/v\d+(\.\d+)?\/?$/, '/');
  return `${endpoint.replace(/\/$/, '')}/images/${imageId}`;
}

export const IDENTITY_PREFIX = '/identity';
