import { BadRequest, NotFound, pyRepr } from '../../errors.js';
import { authorize } from '../../identity/policy.js';
import { TaskState, VmState } from '../../compute/states.js';
import { assertActionable } from '../../compute/guards.js';
import { actionPeek } from './server-actions.js';
import { assertValid } from '../../plugins/validation.js';
import { COMPUTE_PREFIX } from '../urls.js';
import { assertKnownQuery, lastParam, MAX_LIMIT, nextLink, readPaging } from './paging-params.js';
import { MarkerNotFound } from '../../db/repositories/migrations-repo.js';
import { renderMigrations } from './views/migrations.js';
const FORCE_COMPLETE_BODY = { type: 'object', properties: { force_complete: { type: 'null' } }, required: ['force_complete'], additionalProperties: false };
const migrationNotFound = (id, uuid) => new NotFound(`Migration ${id} not found for instance ${uuid}`);
const FILTERS = ['hidden', 'host', 'instance_uuid', 'source_compute', 'status', 'migration_type'];
/** Filters by owner, from 2.80 (Nova's list_query_params_v280). */
const OWNER_FILTERS = ['user_id', 'project_id'];
/** parameter_types.single_param: the parameter may be given once only (jsonschema's maxItems 1). */
function assertSingle(query, name) {
    const raw = query[name];
    if (Array.isArray(raw) && raw.length > 1) {
        const list = pyRepr(raw.map(String));
        throw new BadRequest(`Invalid input for query parameters ${name}. Value: ${list}. ${list} is too long`);
    }
}
function isoParam(query, name) {
    const raw = lastParam(query[name]);
    if (raw === undefined)
        return undefined;
    const t = Date.parse(raw);
    if (Number.isNaN(t) || !/^\d{4}-\d\d-\d\d/.test(raw)) {
        throw new BadRequest(`Invalid input for query parameters ${name}. Value: ${raw}. '${raw}' is not a 'date-time'`);
    }
    return t;
}
/** The schema's checks (before policy): known keys, a numeric limit, ISO 8601 dates. */
function readMigrationsQuery(req) {
    const v = req.apiVersion;
    if (v.lt('2.59'))
        return {};
    const q = req.query;
    const owners = v.gte('2.80') ? OWNER_FILTERS : [];
    assertKnownQuery(req, [...FILTERS, 'limit', 'marker', 'changes-since', ...(v.gte('2.66') ? ['changes-before'] : []), ...owners], '2.59');
    for (const name of owners)
        assertSingle(q, name);
    const { limit, marker } = readPaging(q);
    return { limit, marker, since: isoParam(q, 'changes-since'), before: v.gte('2.66') ? isoParam(q, 'changes-before') : undefined };
}
/** oslo strutils.bool_from_string: anything but a true word is false. */
const truthy = (s) => /^(1|t|true|on|y|yes)$/i.test(s.trim());
/** Nova's search_opts: each filter's last value (a repeated parameter counts once). */
function readFilters(q, since, before) {
    const one = (name) => lastParam(q[name]);
    const hidden = one('hidden');
    return {
        hidden: hidden === undefined ? undefined : truthy(hidden), host: one('host'), sourceCompute: one('source_compute'),
        instanceUuid: one('instance_uuid'), status: one('status'), migrationType: one('migration_type'),
        userId: one('user_id'), projectId: one('project_id'),
        changesSince: since === undefined ? undefined : new Date(since).toISOString(),
        changesBefore: before === undefined ? undefined : new Date(before).toISOString(),
    };
}
export async function migrationRoutes(app, opts) {
    const { compute, migrationsRepo, config } = opts.services;
    app.get(`${COMPUTE_PREFIX}/os-migrations`, async (req) => {
        const v = req.apiVersion;
        const { limit, marker, since, before } = readMigrationsQuery(req);
        authorize(req.auth, 'admin', 'os_compute_api:os-migrations:index');
        if (since !== undefined && before !== undefined && before < since) {
            throw new BadRequest('The value of changes-since must be less than or equal to changes-before.');
        }
        const sorted = v.gte('2.59');
        const pageLimit = sorted ? Math.min(limit ?? MAX_LIMIT, MAX_LIMIT) : undefined;
        const filters = readFilters(req.query, since, before);
        const rows = await migrationsRepo.list(filters, { sorted, limit: pageLimit, markerUuid: marker }).catch((err) => {
            throw err instanceof MarkerNotFound ? new BadRequest(`Marker ${marker} could not be found.`) : err;
        });
        const migrations = renderMigrations(rows, v);
        if (!sorted)
            return { migrations };
        const next = nextLink(req, config.publicUrl, 'os-migrations', { limit: pageLimit, marker }, migrations, () => String(migrations[migrations.length - 1].uuid));
        return { migrations, ...(next ? { migrations_links: [{ href: next, rel: 'next' }] } : {}) };
    });
    const serverBase = `${COMPUTE_PREFIX}/servers/:id/migrations`;
    const cfg = { minVersion: '2.23' };
    app.get(serverBase, { config: cfg }, async (req) => {
        await compute.get(req.auth, req.params.id);
        authorize(req.auth, 'admin', 'os_compute_api:servers:migrations:index');
        return { migrations: [] };
    });
    app.get(`${serverBase}/:migrationId`, { config: cfg }, async (req) => {
        await compute.get(req.auth, req.params.id);
        authorize(req.auth, 'admin', 'os_compute_api:servers:migrations:show');
        throw new NotFound(`In-progress live migration ${req.params.migrationId} is not found for server ${req.params.id}.`);
    });
    app.delete(`${serverBase}/:migrationId`, { config: { minVersion: '2.24' } }, async (req) => {
        const row = await compute.get(req.auth, req.params.id);
        authorize(req.auth, 'admin', 'os_compute_api:servers:migrations:delete');
        assertActionable(row, req.auth, { taskState: [TaskState.MIGRATING] }, 'abort live migration');
        throw migrationNotFound(req.params.migrationId, row.uuid); // no migration is ever recorded
    });
    app.post(`${serverBase}/:migrationId/action`, { config: { minVersion: '2.22' } }, async (req) => {
        const name = actionPeek(req.body);
        if (name !== 'force_complete')
            throw new BadRequest(`There is no such action: ${name}`);
        assertValid(FORCE_COMPLETE_BODY, req.body, 'body');
        const row = await compute.get(req.auth, req.params.id);
        authorize(req.auth, 'admin', 'os_compute_api:servers:migrations:force_complete');
        assertActionable(row, req.auth, { vmState: [VmState.ACTIVE], taskState: [TaskState.MIGRATING] }, 'force_complete');
        throw new BadRequest(migrationNotFound(req.params.migrationId, row.uuid).message); // Nova: 400 for this one
    });
}
//# sourceMappingURL=migrations.js.map