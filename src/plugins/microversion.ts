// Compute microversion negotiation in one place (nova wsgi.Request.set_api_version_request):
// reads `OpenStack-API-Version: compute X.Y` and the legacy `X-OpenStack-Nova-API-Version`,
// answers 400 for a malformed string and 406 out of range, and echoes both headers plus Vary on
// every compute response, errors included. Routes declare versioned request bodies in
// `config.bodies`; the validator for the request's version is picked here.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { NotAcceptable, NotFound } from '../errors.js';
import { assertValid } from './validation.js';
import { MAX, MAX_VERSION, MIN, MIN_VERSION, ApiVersion } from '../compute/api-version.js';

/** A request body schema that applies to a microversion range. */
export interface VersionedSchema {
  min: string;
  max?: string;
  schema: object;
}

declare module 'fastify' {
  interface FastifyRequest {
    apiVersion: ApiVersion;
  }
  interface FastifyContextConfig {
    /** Request body schemas by microversion range (compute routes). */
    bodies?: VersionedSchema[];
    /** Lowest microversion at which the route exists (404 below it, as Nova). */
    minVersion?: string;
    /** Highest microversion at which the route exists (404 above it, as Nova). */
    maxVersion?: string;
  }
}

function requestedVersion(req: FastifyRequest): string | null {
  const modern = req.headers['openstack-api-version'];
  if (typeof modern === 'string') {
    // "compute 2.60" possibly among other services: "volume 3.0, compute 2.60"
    for (const part of modern.split(',')) {
      const [service, version] = part.trim().split(/\s+/);
      if (service?.toLowerCase() === 'compute' && version) return version;
    }
  }
  const legacy = req.headers['x-openstack-nova-api-version'];
  return typeof legacy === 'string' && legacy.trim() ? legacy.trim() : null;
}

export function isComputePath(url: string): boolean {
  return url.startsWith('/compute/v2.1') || url.startsWith('/compute/v2/') || url === '/compute/v2';
}

async function microversionPlugin(app: FastifyInstance): Promise<void> {
  app.decorateRequest('apiVersion', null as unknown as ApiVersion);

  app.addHook('onRequest', async (req, reply) => {
    req.apiVersion = MIN;
    if (!req.url.startsWith('/compute/v2.1')) return;
    // Echo the headers even when negotiation fails (Nova does).
    const echo = (v: string) => {
      reply.header('OpenStack-API-Version', `compute ${v}`);
      reply.header('X-OpenStack-Nova-API-Version', v);
      reply.header('Vary', 'OpenStack-API-Version, X-OpenStack-Nova-API-Version');
    };
    const text = requestedVersion(req);
    if (text === null) {
      echo(MIN_VERSION);
      return;
    }
    if (text.toLowerCase() === 'latest') {
      req.apiVersion = MAX;
      echo(MAX_VERSION);
      return;
    }
    echo(text);
    const v = ApiVersion.parse(text);
    if (v.lt(MIN_VERSION) || v.cmp(MAX) > 0) {
      throw new NotAcceptable(
        `Version ${text} is not supported by the API. Minimum is ${MIN_VERSION} and maximum is ${MAX_VERSION}.`,
      );
    }
    req.apiVersion = v;
    echo(v.toString());
  });

  app.addHook('preValidation', async (req) => {
    const cfg = req.routeOptions.config;
    if (cfg.minVersion && req.apiVersion.lt(cfg.minVersion)) throw new NotFound();
    if (cfg.maxVersion && req.apiVersion.cmp(cfg.maxVersion) > 0) throw new NotFound();
    const bodies = cfg.bodies;
    if (!bodies) return;
    const match = bodies.find((b) => req.apiVersion.within(b.min, b.max));
    if (!match) throw new NotFound();
    assertValid(match.schema, req.body ?? null, 'body');
  });
}

export default fp(microversionPlugin, { name: 'microversion' });
