export class HostUsageRepo {
    db;
    constructor(db) {
        this.db = db;
    }
    async byHost(trx = this.db) {
        const rows = await trx('instances')
            .where({ deleted: false })
            .whereNotNull('host_id')
            .groupBy('host_id')
            .select('host_id', trx.raw('coalesce(sum(vcpus), 0) as vcpus'), trx.raw('coalesce(sum(memory_mb), 0) as mem'), trx.raw('coalesce(sum(root_gb + ephemeral_gb), 0) as disk'), trx.raw('count(*) as n'), trx.raw('sum(case when task_state is not null then 1 else 0 end) as busy'));
        return new Map(rows.map((r) => [
            Number(r.host_id),
            {
                vcpus: Number(r.vcpus),
                memoryMb: Number(r.mem),
                localGb: Number(r.disk),
                count: Number(r.n),
                busy: Number(r.busy ?? 0),
            },
        ]));
    }
    /** What each project's live servers on a host add up to (os-hosts show), by project id. */
    async byProjectOn(hostId, trx = this.db) {
        const rows = await trx('instances')
            .where({ deleted: false, host_id: hostId })
            .groupBy('project_id')
            .orderBy('project_id')
            .select('project_id', trx.raw('coalesce(sum(vcpus), 0) as vcpus'), trx.raw('coalesce(sum(memory_mb), 0) as mem'), trx.raw('coalesce(sum(root_gb + ephemeral_gb), 0) as disk'));
        return rows.map((r) => ({
            projectId: String(r.project_id),
            vcpus: Number(r.vcpus),
            memoryMb: Number(r.mem),
            localGb: Number(r.disk),
        }));
    }
    /** Live servers on a host, oldest first: name and uuid. */
    serversOn(hostId, trx = this.db) {
        return trx('instances').where({ deleted: false, host_id: hostId }).orderBy('id').select('display_name', 'uuid');
    }
    /**
     * Removes a compute host record (os-services delete). Deleted servers keep their history but
     * lose the reference; the caller has checked that no live server is there.
     */
    async deleteHost(hostId) {
        await this.db.transaction(async (trx) => {
            await trx('instances').where({ host_id: hostId, deleted: true }).update({ host_id: null });
            await trx('compute_hosts').where({ id: hostId }).delete();
        });
    }
    async liveCountOn(hostId, trx = this.db) {
        const [r] = await trx('instances')
            .where({ deleted: false, host_id: hostId })
            .count({ n: '*' });
        return Number(r.n);
    }
}
//# sourceMappingURL=host-usage-repo.js.map