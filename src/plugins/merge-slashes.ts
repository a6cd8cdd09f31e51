// Paths with doubled slashes (issue 17): fog-openstack joins "#{@path}/" with request paths that
// begin with "/" (GET /compute/v2.1//limits, //os-quota-sets/{id}, //servers/{id}/metadata …).
// devstack serves every API behind Apache, which merges slashes, so such URLs work against a real
// cloud. novadock does the same for every service, before routing and without a redirect: a run
// of slashes in the path is one slash. The query string is left as it is, and an escaped slash
// (%2F) is not a slash.
import type { IncomingMessage } from 'node:http';

export function mergeSlashes(url: string): string {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (!path.includes('//')) return url;
  return path.replace(/\/{2,}/g, '/') + (q < 0 ? '' : url.slice(q));
}

/** For Fastify's rewriteUrl, ahead of the other rewrites: the request's URL with slashes merged. */
export function withMergedSlashes<T extends IncomingMessage>(raw: T): T {
  raw.url = mergeSlashes(raw.url ?? '/');
  return raw;
}
