// GET /os-migrations (admin, nova migrations.py) and /servers/{id}/migrations (2.23, admin, nova
// server_migrations.py). novadock never moves a server between hosts (no live or cold migration),
// but every resize keeps a migration record as Nova's does (type resize, source = destination
// host): /os-migrations lists them, with Nova's fields per microversion (views/migrations.ts) and
// its filters (hidden, host, instance_uuid, source_compute, status, migration_type, and user_id /
// project_id, which Nova's database filter honours before 2.59 too). From 2.59 the list is sorted
// newest first (created_at, id) and paged by limit (at most [api] max_limit, 1000, by default) and
// marker (a migration uuid; an unknown one is 400), with changes-since (2.59) and changes-before
// (2.66) on updated_at. /servers/{id}/migrations lists in-progress live migrations only, so it is
// empty, and aborting (2.24) or force-completing (2.22) a live migration meets Nova's state check:
// the server is never in task_state migrating (409). The query is checked as Nova's schemas do:
// anything goes before 2.59; from 2.59 only the listed filters and paging, dates must be ISO 8601.
// 2.80 adds the user_id and project_id filters to the schema (single values, like Nova's
// single_param; /servers/{id}/migrations has no query schema in Nova) and both fields to each
// migration shown.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../../composition/services.js';
import { BadRequest, ChangesSinceAfterBefore, InvalidDateTimeQuery, MarkerNotFound, NoSuchAction, NotFound, pyRepr } from '../../../errors.js';
import { authorize } from '../../../identity/policy.js';
import { TaskState, VmState } from '../../../compute/servers/states.js';
import { assertActionable } from '../../../compute/servers/guards.js';
import { actionPeek } from '../servers/server-actions.js';
import { assertValid } from '../../../plugins/validation.js';
import { COMPUTE_PREFIX } from '../../urls.js';
import { assertKnownQuery, lastParam, MAX_LIMIT, nextLink, readPaging } from '../paging-params.js';
import { UnknownMarker, type MigrationFilters } from '../../../db/repositories/migrations-repo.js';
import { renderMigrations } from './views.js';
import { boolFromString } from '../../../contract/parameter-types.js';
import { parseIsoTime } from '../../../db/time.js';

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
  const t = parseIsoTime(raw);
  if (!t) throw InvalidDateTimeQuery(name, raw);
  return t.date.getTime();
}

/** The schema's checks (before policy): known keys, a numeric limit, ISO 8601 dates. */
function readMigrationsQuery(req: FastifyRequest): { limit?: number; marker?: string; since?: number; before?: number } {
  const v = req.apiVersion;
  if (v.lt('2.59')) return {};
  const q = req.query as Record<string, unknown>;
  const owners = v.gte('2.80') ? OWNER_FILTERS : [];
  assertKnownQuery(req, [...FILTERS, 'limit', 'marker', 'changes-since', ...(v.gte('2.66') ? ['changes-before'] : []), ...owners], '2.59');
  for (const name of owners) assertSingle(q, name);
  const { limit, marker } = readPaging(q);
  return { limit, marker, since: isoParam(q, 'changes-since'), before: v.gte('2.66') ? isoParam(q, 'changes-before') : undefined };
}


/** Nova's search_opts: each filter's last value (a repeated parameter counts once). */
function readFilters(q: Record<string, unknown>, since?: number, before?: number): MigrationFilters {
  const one = (name: string) => lastParam(q[name]);
  const hidden = one('hidden');
  return {
    hidden: hidden === undefined ? undefined : boolFromString(hidden), host: one('host'), sourceCompute: one('source_compute'),
    instanceUuid: one('instance_uuid'), status: one('status'), migrationType: one('migration_type'),
    userId: one('user_id'), projectId: one('project_id'),
    changesSince: since === undefined ? undefined : new Date(since).toISOString(),
    changesBefore: before === undefined ? undefined : new Date(before).toISOString(),
  };
}

export async function migrationRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { compute, migrationsRepo, config } = opts.services;

  app.get(`${COMPUTE_PREFIX}/os-migrations`, async (req) => {
    const v = req.apiVersion;
    const { limit, marker, since, before } = readMigrationsQuery(req);
    authorize(req.auth, 'admin', 'os_compute_api:os-migrations:index');
    if (since !== undefined && before !== undefined && before < since) {
      throw ChangesSinceAfterBefore();
    }
    const sorted = v.gte('2.59');
    const pageLimit = sorted ? Math.min(limit ?? MAX_LIMIT, MAX_LIMIT) : undefined;
    const filters = readFilters(req.query as Record<string, unknown>, since, before);
    const rows = await migrationsRepo.list(filters, { sorted, limit: pageLimit, markerUuid: marker }).catch((err: unknown) => {
      throw err instanceof UnknownMarker ? MarkerNotFound(marker) : err;
    });
    const migrations = renderMigrations(rows, v);
    if (!sorted) return { migrations };
    const next = nextLink(req, config.publicUrl, 'os-migrations', { limit: pageLimit, marker }, migrations, () => String(migrations[migrations.length - 1].uuid));
    return { migrations, ...(next ? { migrations_links: [{ href: next, rel: 'next' }] } : {}) };
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
    if (name !== 'force_complete') throw NoSuchAction(name);
    assertValid(FORCE_COMPLETE_BODY, req.body, 'body');
    const row = await compute.get(req.auth, req.params.id);
    authorize(req.auth, 'admin', 'os_compute_api:servers:migrations:force_complete');
    assertActionable(row, req.auth, { vmState: [VmState.ACTIVE], taskState: [TaskState.MIGRATING] }, 'force_complete');
    throw new BadRequest(migrationNotFound(req.params.migrationId, row.uuid).message); // Nova: 400 for this one
  });
}
