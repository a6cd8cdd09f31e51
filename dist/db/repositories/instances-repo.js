import { UnexpectedTaskState, InstanceNotFound } from '../../errors.js';
export function flavorOf(row) {
    return JSON.parse(row.flavor_json);
}
export function addressesOf(row) {
    return row.addresses_json ? JSON.parse(row.addresses_json) : [];
}
export function normalizeInstance(row) {
    row.locked = Boolean(row.locked);
    row.deleted = Boolean(row.deleted);
    return row;
}
/** Nova sort keys we can honour, mapped onto columns (others are accepted and ignored). */
export const INSTANCE_SORT_COLUMNS = {
    access_ip_v4: 'access_ip_v4',
    access_ip_v6: 'access_ip_v6',
    availability_zone: 'availability_zone',
    config_drive: 'config_drive',
    created_at: 'created_at',
    display_description: 'display_description',
    display_name: 'display_name',
    host: 'host_id',
    hostname: 'hostname',
    image_ref: 'image_ref',
    instance_type_id: 'flavor_id',
    key_name: 'key_name',
    launch_index: 'launch_index',
    launched_at: 'launched_at',
    locked_by: 'locked_by',
    node: 'host_id',
    power_state: 'power_state',
    progress: 'progress',
    project_id: 'project_id',
    task_state: 'task_state',
    terminated_at: 'terminated_at',
    updated_at: 'updated_at',
    user_id: 'user_id',
    uuid: 'uuid',
    vm_state: 'vm_state',
    deleted: 'deleted',
    deleted_at: 'deleted_at',
    ephemeral_gb: 'ephemeral_gb',
    id: 'id',
    key_data: 'key_data',
    locked: 'locked',
    memory_mb: 'memory_mb',
    reservation_id: 'reservation_id',
    root_gb: 'root_gb',
    user_data: 'user_data',
    vcpus: 'vcpus',
};
/** vm_state of a soft-deleted server (compute/states VmState.SOFT_DELETED). */
const SOFT_DELETED_VM_STATE = 'soft-delete';
export class InstancesRepo {
    db;
    constructor(db) {
        this.db = db;
    }
    async insert(row, trx = this.db) {
        await trx('instances').insert(row);
    }
    async findByUuid(uuid, trx = this.db) {
        const row = await trx('instances').where({ uuid }).first();
        return row ? normalizeInstance(row) : undefined;
    }
    /** A live (not deleted) server, or InstanceNotFound. */
    /** The rows of these uuids (lower case), deleted ones included, in batches the drivers accept. */
    async findManyByUuid(uuids, trx = this.db) {
        const rows = [];
        for (let i = 0; i < uuids.length; i += 500) {
            const batch = await trx('instances').whereIn('uuid', uuids.slice(i, i + 500));
            rows.push(...batch.map(normalizeInstance));
        }
        return rows;
    }
    async getLive(uuid, trx = this.db) {
        const row = await this.findByUuid(uuid, trx);
        if (!row || row.deleted)
            throw InstanceNotFound(uuid);
        return row;
    }
    async update(uuid, changes, trx = this.db) {
        await trx('instances').where({ uuid }).update(changes);
    }
    /**
     * UPDATE … WHERE uuid = ? AND task_state IN (expected) — the task_state lock. `expected` may
     * contain null (idle). Throws UnexpectedTaskState (409) when another task got there first.
     */
    async updateWithExpectedTaskState(uuid, changes, expected, trx = this.db) {
        const n = await trx('instances')
            .where({ uuid, deleted: false })
            .where((q) => {
            const values = expected.filter((e) => e !== null);
            if (values.length)
                q.whereIn('task_state', values);
            if (expected.includes(null))
                q.orWhereNull('task_state');
        })
            .update(changes);
        if (n === 0) {
            const row = await this.findByUuid(uuid, trx);
            if (!row || row.deleted)
                throw InstanceNotFound(uuid);
            throw new UnexpectedTaskState(uuid, expected, row.task_state);
        }
    }
    async list(q, trx = this.db) {
        const query = trx('instances').select(q.columns ? q.columns.map((c) => `instances.${c}`) : 'instances.*');
        if (q.projectId !== null)
            query.where('project_id', q.projectId);
        if (q.deleted === true && q.softDeleted === true) {
            query.where((w) => w.where('deleted', true).orWhere('vm_state', SOFT_DELETED_VM_STATE));
        }
        else if (q.deleted !== 'any') {
            query.where('deleted', q.deleted);
            if (q.deleted === false && q.softDeleted === false)
                query.whereNot('vm_state', SOFT_DELETED_VM_STATE);
        }
        // A subquery, not a second round trip: the list stays one statement.
        if (q.hostNames)
            query.whereIn('host_id', trx('compute_hosts').select('id').whereIn('name', q.hostNames));
        if (q.hostIds)
            query.whereIn('host_id', q.hostIds);
        if (q.uuids)
            query.whereIn('uuid', q.uuids);
        if (q.vmStates)
            query.whereIn('vm_state', q.vmStates);
        if (q.taskStates)
            query.whereIn('task_state', q.taskStates);
        for (const [col, v] of Object.entries(q.equals ?? {})) {
            if (v === null)
                query.whereNull(col);
            else
                query.where(col, v);
        }
        if (q.changesSince)
            query.where((w) => w
                .where('updated_at', '>=', q.changesSince)
                .orWhere((x) => x.whereNull('updated_at').where('created_at', '>=', q.changesSince)));
        if (q.changesBefore)
            query.where((w) => w
                .where('updated_at', '<=', q.changesBefore)
                .orWhere((x) => x.whereNull('updated_at').where('created_at', '<=', q.changesBefore)));
        const tagSub = (tags) => trx('instance_tags')
            .select('instance_uuid')
            .whereIn('tag', tags)
            .groupBy('instance_uuid')
            .havingRaw('count(distinct tag) = ?', [tags.length]);
        const anyTagSub = (tags) => trx('instance_tags').select('instance_uuid').whereIn('tag', tags);
        if (q.tagsAll?.length)
            query.whereIn('uuid', tagSub(q.tagsAll));
        if (q.tagsAny?.length)
            query.whereIn('uuid', anyTagSub(q.tagsAny));
        if (q.notTagsAll?.length)
            query.whereNotIn('uuid', tagSub(q.notTagsAll));
        if (q.notTagsAny?.length)
            query.whereNotIn('uuid', anyTagSub(q.notTagsAny));
        const sort = [...q.sort];
        if (!sort.some((s) => s.column === 'id'))
            sort.push({ column: 'id', dir: sort[0]?.dir ?? 'desc' });
        if (q.marker)
            query.where((w) => keysetAfter(w, sort, q.marker));
        // NULL is the smallest value on both engines (PostgreSQL would put it last ascending by default).
        for (const s of sort)
            query.orderByRaw(`?? ${s.dir} nulls ${s.dir === 'asc' ? 'first' : 'last'}`, [s.column]);
        query.limit(q.limit);
        return (await query).map(normalizeInstance);
    }
    /** Live servers on a host, for the scheduler's resource accounting. */
    async usageByHost(trx = this.db) {
        const rows = await trx('instances')
            .where({ deleted: false })
            .whereNotNull('host_id')
            .groupBy('host_id')
            .select('host_id', trx.raw('sum(vcpus) as vcpus'), trx.raw('sum(memory_mb) as mem'), trx.raw('count(*) as n'));
        return new Map(rows.map((r) => [
            Number(r.host_id),
            { vcpus: Number(r.vcpus), memoryMb: Number(r.mem), count: Number(r.n) },
        ]));
    }
}
/**
 * Keyset pagination: rows strictly after `marker` in the given order. For keys (a, b, id):
 * (a > ma) OR (a = ma AND b > mb) OR (a = ma AND b = mb AND id > mid), with < for desc.
 * NULLs sort first ascending on both SQLite and here (treated as the smallest value).
 */
function keysetAfter(w, sort, marker) {
    sort.forEach((s, i) => {
        w.orWhere((branch) => {
            for (const prev of sort.slice(0, i)) {
                const v = marker[prev.column];
                if (v === null || v === undefined)
                    branch.whereNull(prev.column);
                else
                    branch.where(prev.column, normalizeValue(v));
            }
            const v = marker[s.column];
            if (s.dir === 'asc') {
                if (v === null || v === undefined)
                    branch.whereNotNull(s.column);
                else
                    branch.where(s.column, '>', normalizeValue(v));
            }
            else if (v === null || v === undefined) {
                branch.whereRaw('1 = 0');
            }
            else {
                branch.where((x) => x.where(s.column, '<', normalizeValue(v)).orWhereNull(s.column));
            }
        });
    });
}
/** knex binds booleans per dialect (0/1 on SQLite, true/false on PostgreSQL): pass them through. */
function normalizeValue(v) {
    return v;
}
//# sourceMappingURL=instances-repo.js.map