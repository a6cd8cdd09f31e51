/** Columns a caller may sort by (Nova's VALID_SORT_KEYS mapped onto our columns; `flavorid` and `id` are our id). */
export const FLAVOR_SORT_COLUMNS = {
    created_at: 'created_at',
    description: 'description',
    disabled: 'disabled',
    ephemeral_gb: 'ephemeral_gb',
    flavorid: 'id',
    id: 'id',
    is_public: 'is_public',
    memory_mb: 'memory_mb',
    name: 'name',
    root_gb: 'root_gb',
    rxtx_factor: 'rxtx_factor',
    swap: 'swap',
    updated_at: 'created_at',
    vcpu_weight: 'id',
    vcpus: 'vcpus',
};
export function toFlavorRow(raw) {
    return {
        ...raw,
        rxtx_factor: Number(raw.rxtx_factor),
        is_public: Boolean(raw.is_public),
        disabled: Boolean(raw.disabled),
        deleted: Boolean(raw.deleted),
    };
}
export class FlavorsRepo {
    db;
    constructor(db) {
        this.db = db;
    }
    async findById(id, trx = this.db) {
        const raw = await trx('flavors').where({ id, deleted: false }).first();
        return raw ? toFlavorRow(raw) : undefined;
    }
    async findByName(name, trx = this.db) {
        const raw = await trx('flavors').where({ name, deleted: false }).first();
        return raw ? toFlavorRow(raw) : undefined;
    }
    async hasAccess(flavorId, projectId, trx = this.db) {
        return (await trx('flavor_projects').where({ flavor_id: flavorId, project_id: projectId }).first()) !== undefined;
    }
    async list(q, trx = this.db) {
        const query = trx('flavors').where('deleted', false);
        if (q.isPublic === false)
            query.where('is_public', false);
        if (q.isPublic === true) {
            query.where((w) => {
                w.where('is_public', true);
                if (q.accessProjectId) {
                    w.orWhereIn('id', trx('flavor_projects').select('flavor_id').where('project_id', q.accessProjectId));
                }
            });
        }
        if (q.hideDisabled)
            query.where('disabled', false);
        if (q.minMemoryMb !== undefined)
            query.where('memory_mb', '>=', q.minMemoryMb);
        if (q.minRootGb !== undefined)
            query.where('root_gb', '>=', q.minRootGb);
        // description is the one nullable sort key; NULL sorts as '' so the order is the same on every
        // engine. The column name comes from the FLAVOR_SORT_COLUMNS allow-list, never from the caller.
        const colSql = q.sortColumn === 'description' ? "coalesce(description, '')" : q.sortColumn;
        if (q.after) {
            // Keyset pagination on (sort column, id), the id breaking ties as Nova's paginate_query does.
            const op = q.sortDir === 'asc' ? '>' : '<';
            const mv = q.after[q.sortColumn] ?? '';
            const afterId = q.after.id;
            query.where((w) => {
                w.whereRaw(`${colSql} ${op} ?`, [mv]).orWhere((x) => x.whereRaw(`${colSql} = ?`, [mv]).where('id', op, afterId));
            });
        }
        if (q.sortColumn === 'description')
            query.orderByRaw(`coalesce(description, '') ${q.sortDir}`);
        else
            query.orderBy(q.sortColumn, q.sortDir);
        query.orderBy('id', q.sortDir).limit(q.limit);
        return (await query).map(toFlavorRow);
    }
    async insert(row, trx = this.db) {
        await trx('flavors').insert(row);
    }
    async update(id, changes, trx = this.db) {
        await trx('flavors').where({ id }).update(changes);
    }
    /** Hard delete; extra specs and access rows go with it (ON DELETE CASCADE, also done explicitly for safety). */
    async delete(id, trx = this.db) {
        await trx('flavor_extra_specs').where({ flavor_id: id }).delete();
        await trx('flavor_projects').where({ flavor_id: id }).delete();
        return trx('flavors').where({ id }).delete();
    }
    // ---- extra specs ----
    async extraSpecs(flavorId, trx = this.db) {
        const rows = await trx('flavor_extra_specs')
            .where({ flavor_id: flavorId })
            .orderBy('key');
        return Object.fromEntries(rows.map((r) => [r.key, r.value]));
    }
    async extraSpecsFor(flavorIds, trx = this.db) {
        const out = new Map(flavorIds.map((id) => [id, {}]));
        if (flavorIds.length === 0)
            return out;
        const rows = await trx('flavor_extra_specs')
            .whereIn('flavor_id', flavorIds)
            .orderBy(['flavor_id', 'key']);
        for (const r of rows)
            out.get(r.flavor_id)[r.key] = r.value;
        return out;
    }
    async upsertExtraSpecs(flavorId, specs, trx = this.db) {
        const rows = Object.entries(specs).map(([key, value]) => ({ flavor_id: flavorId, key, value }));
        if (rows.length === 0)
            return;
        await trx('flavor_extra_specs').insert(rows).onConflict(['flavor_id', 'key']).merge(['value']);
    }
    async deleteExtraSpec(flavorId, key, trx = this.db) {
        return trx('flavor_extra_specs').where({ flavor_id: flavorId, key }).delete();
    }
    // ---- access ----
    async projects(flavorId, trx = this.db) {
        const rows = await trx('flavor_projects')
            .where({ flavor_id: flavorId })
            .orderBy('project_id');
        return rows.map((r) => r.project_id);
    }
    /** false when the pair already existed. */
    async addProject(flavorId, projectId, trx = this.db) {
        const rows = await trx('flavor_projects')
            .insert({ flavor_id: flavorId, project_id: projectId })
            .onConflict(['flavor_id', 'project_id'])
            .ignore()
            .returning('flavor_id');
        return rows.length > 0;
    }
    async removeProject(flavorId, projectId, trx = this.db) {
        return trx('flavor_projects').where({ flavor_id: flavorId, project_id: projectId }).delete();
    }
}
//# sourceMappingURL=flavors-repo.js.map