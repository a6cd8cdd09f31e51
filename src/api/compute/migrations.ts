// GET /os-migrations (admin, nova migrations.py) and /servers/{id}/migrations (2.23, admin, nova
// server_migrations.py). novadock never moves a server between hosts (no live or cold migration;
// resize happens in place and keeps no migration record), so both lists are empty, and aborting
// (2.24) or force-completing (2.22) a live migration meets Nova's state check: the server is
// never in task_state migrating (409). The query is
// checked as Nova's schemas do: anything goes before 2.59; from 2.59 only the listed filters and
// paging, dates must be ISO 8601 and a marker must name a migration (none does: 400). 2.80 adds
// the user_id and project_id filters to /os-migrations (single values, like Nova's single_param;
// /servers/{id}/migrations has no query schema in Nova) and both fields to each migration shown,
// which changes nothing here as no migration is ever listed.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../services';
import { BadRequest, NotFound, pyRepr } from '../../errors';
import { authorize } from '../../identity/policy';
import { TaskState, VmState } from '../../compute/states';
import { assertActionable } from '../../compute/guards';
import { actionPeek } from './server-actions';
import { assertValid } from '../../plugins/validation';
import { COMPUTE_PREFIX } from '../urls';
import { assertKnownQuery, lastParam, readPaging } from './paging-params';

const FORCE_COMPLETE_BODY = { type: 'object', properties: { force_complete: { type: 'null' } }, required: ['force_complete'], additionalProperties: false };
const migrationNotFound = (id: string, uuid: string) => new NotFound(`Migration ${id} not found for instance ${uuid}`);

const FILTERS = ['hidden', 'host', 'instance_uuid', 'source_compute', 'status', 'migration_type'];
/** Filters by owner, from 2.80 (Nova's list_query_params_v280). */
const OWNER_FILTERS = ['user_id', 'project_id'];

/** parameter_types.single_param: the parameter may be given once only (jsonschema's maxItems 1). */
function assertSingle(query: Record<string, unknown>, name: string): void {
  const raw = query[name];
  if (Array.isArray(raw) && raw.length > 1) {
    const list = pyRepr(raw.map(String));
    throw new BadRequest(`Invalid input for query parameters ${name}. Value: ${list}. ${list} is too long`);
  }
}

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
  const owners = v.gte('2.80') ? OWNER_FILTERS : [];
  assertKnownQuery(req, [...FILTERS, 'limit', 'marker', 'changes-since', ...(v.gte('2.66') ? ['changes-before'] : []), ...owners], '2.59');
  for (const name of owners) assertSingle(q, name);
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

  app.delete<P>(`${serverBase}/:migrationId`, { config: { minVersion: '2.24' } }, async (req) => {
    const row = await compute.get(req.auth, req.params.id);
    authorize(req.auth, 'admin', 'os_compute_api:servers:migrations:delete');
    assertActionable(row, req.auth, { taskState: [TaskState.MIGRATING] }, 'abort live migration');
    throw migrationNotFound(req.params.migrationId, row.uuid); // no migration is ever recorded
  });

  app.post<P>(`${serverBase}/:migrationId/action`, { config: { minVersion: '2.22' } }, async (req) => {
    const name = actionPeek(req.body);
    if (name !== 'force_complete') throw new BadRequest(`There is no such action: ${name}`);
    assertValid(FORCE_COMPLETE_BODY, req.body, 'body');
    const row = await compute.get(req.auth, req.params.id);
    authorize(req.auth, 'admin', 'os_compute_api:servers:migrations:force_complete');
    assertActionable(row, req.auth, { vmState: [VmState.ACTIVE], taskState: [TaskState.MIGRATING] }, 'force_complete');
    throw new BadRequest(migrationNotFound(req.params.migrationId, row.uuid).message); // Nova: 400 for this one
  });
}
