// GET /os-migrations (admin, nova migrations.py) and /servers/{id}/migrations (2.23, admin, nova
// server_migrations.py). novadock never moves a server between hosts (no live or cold migration;
// resize happens in place and keeps no migration record), so both lists are empty. The query is
// checked as Nova's schemas do: anything goes before 2.59; from 2.59 only the listed filters and
// paging, dates must be ISO 8601 and a marker must name a migration (none does: 400).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../services';
import { BadRequest, NotFound } from '../../errors';
import { authorize } from '../../identity/policy';
import { COMPUTE_PREFIX } from '../urls';
import { assertKnownQuery, lastParam, readPaging } from './paging-params';

const FILTERS = ['hidden', 'host', 'instance_uuid', 'source_compute', 'status', 'migration_type'];

function isoParam(query: Record<string, unknown>, name: string): number | undefined {
  const raw = lastParam(query[name]);
  if (raw === undefined) return undefined;
  const t = Date.parse(raw);
  if (Number.isNaN(t) || !/^\d{4}-\d\d-\d\d/.test(raw)) {
    throw new BadRequest(`Invalid input for query parameters ${name}. Value: ${raw}. '${raw}' is not a 'date-time'`);
  }
  return t;
}

/** The schema's checks (before policy): known keys, a numeric limit, ISO 8601 dates. */
function readMigrationsQuery(req: FastifyRequest): { marker?: string; since?: number; before?: number } {
  const v = req.apiVersion;
  if (v.lt('2.59')) return {};
  const q = req.query as Record<string, unknown>;
  assertKnownQuery(req, [...FILTERS, 'limit', 'marker', 'changes-since', ...(v.gte('2.66') ? ['changes-before'] : [])], '2.59');
  const { marker } = readPaging(q);
  return { marker, since: isoParam(q, 'changes-since'), before: v.gte('2.66') ? isoParam(q, 'changes-before') : undefined };
}

export async function migrationRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { compute } = opts.services;

  app.get(`${COMPUTE_PREFIX}/os-migrations`, async (req) => {
    const { marker, since, before } = readMigrationsQuery(req);
    authorize(req.auth, 'admin', 'os_compute_api:os-migrations:index');
    if (since !== undefined && before !== undefined && before < since) {
      throw new BadRequest('The value of changes-since must be less than or equal to changes-before.');
    }
    if (marker !== undefined) throw new BadRequest(`Marker ${marker} could not be found.`);
    return { migrations: [] };
  });

  const serverBase = `${COMPUTE_PREFIX}/servers/:id/migrations`;
  const cfg = { minVersion: '2.23' };
  type P = { Params: { id: string; migrationId: string } };

  app.get<P>(serverBase, { config: cfg }, async (req) => {
    await compute.get(req.auth, req.params.id);
    authorize(req.auth, 'admin', 'os_compute_api:servers:migrations:index');
    return { migrations: [] };
  });

  app.get<P>(`${serverBase}/:migrationId`, { config: cfg }, async (req) => {
    await compute.get(req.auth, req.params.id);
    authorize(req.auth, 'admin', 'os_compute_api:servers:migrations:show');
    throw new NotFound(`In-progress live migration ${req.params.migrationId} is not found for server ${req.params.id}.`);
  });
}
