// Compute URLs that carry a project id: /compute/v2.1/{project_id}/servers/… (Nova's legacy catalog
// form; novaclient and openstacksdk keep the path prefix of such an endpoint). Nova's router serves
// every route with and without a `{project_id:[0-9a-f-]+}/` segment (api/openstack/__init__.py
// ProjectMapper) and answers 400 when that id is not the token's project (wsgi.py Resource).
//
// Fastify routes before any onRequest hook runs, so the segment is stripped in the constructor's
// `rewriteUrl` (rewriteProjectIdUrl, wired in app.ts); this plugin then checks the id against the
// token and, as Nova's view builders do (common.py ViewBuilder._get_project_id), puts the id back
// into the compute links (self, bookmark, next) and the Location header of the answer.
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { BadRequest } from '../errors.js';
import { baseUrl } from '../api/urls.js';

/** The id segment Nova's router accepts, followed by at least a '/'. A bare /compute/v2.1/{id} is the version document's route. */
const PROJECT_ID_URL = /^\/compute\/v2\.1\/([0-9a-f-]+)(\/[^?]*)?(\?.*)?$/;
const URL_PROJECT_ID = Symbol('urlProjectId');

type RawWithProjectId = IncomingMessage & { [URL_PROJECT_ID]?: string };

/** For Fastify's rewriteUrl: /compute/v2.1/{id}/rest → /compute/v2.1/rest, remembering the id. */
export function rewriteProjectIdUrl(raw: IncomingMessage): string {
  const url = raw.url ?? '/';
  const m = PROJECT_ID_URL.exec(url);
  if (!m || m[2] === undefined) return url;
  (raw as RawWithProjectId)[URL_PROJECT_ID] = m[1];
  return `/compute/v2.1${m[2]}${m[3] ?? ''}`;
}

/** The project id the request URL carried, if any. */
export function urlProjectId(req: FastifyRequest): string | undefined {
  return (req.raw as RawWithProjectId)[URL_PROJECT_ID];
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function projectIdPrefixPlugin(app: FastifyInstance, opts: { publicUrl: string | null }): Promise<void> {
  // After auth (registered later, so it runs later): the token's project is known. Public routes
  // (the version document under /compute/v2.1/{id}/) have no context to compare with, as in Nova.
  app.addHook('onRequest', async (req) => {
    const pid = urlProjectId(req);
    if (pid === undefined || !req.auth) return;
    if (pid !== req.auth.projectId) {
      throw new BadRequest(
        `Malformed request URL: URL's project_id '${pid}' doesn't match Context's project_id '${req.auth.projectId ?? 'None'}'`,
      );
    }
  });

  // Links: {base}/compute/v2.1/x → {base}/compute/v2.1/{id}/x, bookmarks {base}/compute/x → {base}/compute/{id}/x.
  app.addHook('onSend', async (req, reply, payload) => {
    const pid = urlProjectId(req);
    if (pid === undefined) return payload;
    const base = baseUrl(req, opts.publicUrl);
    const link = new RegExp(`${escapeRegex(base)}/compute/(v2\\.1/)?(?!${escapeRegex(pid)}/)`, 'g');
    const withId = (s: string) => s.replace(link, (_m, v: string | undefined) => `${base}/compute/${v ?? ''}${pid}/`);
    const location = reply.getHeader('location');
    if (typeof location === 'string') reply.header('location', withId(location));
    if (typeof payload === 'string') return withId(payload);
    // a JSON body sent as bytes (the server lists: api/json-list-body.ts)
    if (Buffer.isBuffer(payload) && String(reply.getHeader('content-type')).startsWith('application/json'))
      return withId(payload.toString('utf8'));
    return payload;
  });
}

export default fp(projectIdPrefixPlugin, { name: 'project-id-prefix', dependencies: ['auth'] });
