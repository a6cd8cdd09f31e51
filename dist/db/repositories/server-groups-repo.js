export class ServerGroupsRepo {
    db;
    constructor(db) {
        this.db = db;
    }
    findByUuid(uuid, trx = this.db) {
        return trx('server_groups').where({ uuid }).first();
    }
    list(opts, trx = this.db) {
        const q = trx('server_groups').orderBy('id');
        if (opts.projectId !== undefined)
            q.where('project_id', opts.projectId);
        if (opts.offset)
            q.offset(opts.offset);
        if (opts.limit !== undefined)
            q.limit(opts.limit);
        return q;
    }
    async insert(row, trx = this.db) {
        await trx('server_groups').insert(row);
    }
    async delete(id, trx = this.db) {
        await trx('server_groups').where({ id }).delete();
    }
    /** Live members of each group, in the order they joined. */
    async members(groupIds, trx = this.db) {
        const out = new Map(groupIds.map((id) => [id, []]));
        if (!groupIds.length)
            return out;
        const rows = await trx('server_group_members as m')
            .join('instances as i', 'i.uuid', 'm.instance_uuid')
            .whereIn('m.group_id', groupIds)
            .where('i.deleted', false)
            .orderBy('i.id')
            .select('m.group_id', 'm.instance_uuid');
        for (const r of rows)
            out.get(Number(r.group_id)).push(r.instance_uuid);
        return out;
    }
    async addMembers(groupId, instanceUuids, trx = this.db) {
        if (instanceUuids.length)
            await trx('server_group_members').insert(instanceUuids.map((u) => ({ group_id: groupId, instance_uuid: u })));
    }
    /** The group an instance belongs to, if any. */
    async groupOf(instanceUuid, trx = this.db) {
        return trx('server_groups as g')
            .join('server_group_members as m', 'm.group_id', 'g.id')
            .where('m.instance_uuid', instanceUuid)
            .first('g.*');
    }
    /** How many live members of the group sit on each host. */
    async membersPerHost(groupId, excludeInstance, trx = this.db) {
        const q = trx('server_group_members as m')
            .join('instances as i', 'i.uuid', 'm.instance_uuid')
            .where('m.group_id', groupId)
            .where('i.deleted', false)
            .whereNotNull('i.host_id')
            .groupBy('i.host_id')
            .select('i.host_id', trx.raw('count(*) as n'));
        if (excludeInstance)
            q.whereNot('m.instance_uuid', excludeInstance);
        const rows = (await q);
        return new Map(rows.map((r) => [Number(r.host_id), Number(r.n)]));
    }
}
//# sourceMappingURL=server-groups-repo.js.map