export class UsageRepo {
    db;
    constructor(db) {
        this.db = db;
    }
    activeInWindow(startIso, stopIso, opts = {}, trx = this.db) {
        const q = trx('instances')
            .whereNotNull('launched_at')
            .where('launched_at', '<', stopIso)
            .where((w) => w.whereNull('terminated_at').orWhere('terminated_at', '>', startIso))
            .orderBy('id')
            .select('id', 'uuid', 'project_id', 'display_name', 'vcpus', 'memory_mb', 'root_gb', 'ephemeral_gb', 'flavor_json', 'vm_state', 'launched_at', 'terminated_at');
        if (opts.projectId !== undefined)
            q.where('project_id', opts.projectId);
        if (opts.afterId !== undefined)
            q.where('id', '>', opts.afterId);
        if (opts.limit !== undefined)
            q.limit(opts.limit);
        return q;
    }
    async idOf(uuid, trx = this.db) {
        const r = await trx('instances').where({ uuid }).first('id');
        return r ? Number(r.id) : undefined;
    }
}
//# sourceMappingURL=usage-repo.js.map