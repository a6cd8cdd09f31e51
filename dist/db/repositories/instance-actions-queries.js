export class InstanceActionsQueries {
    db;
    constructor(db) {
        this.db = db;
    }
    async list(q) {
        const query = this.db('instance_actions').where({ instance_uuid: q.instanceUuid });
        if (q.changesSince)
            query.where('updated_at', '>=', q.changesSince);
        if (q.changesBefore)
            query.where('updated_at', '<=', q.changesBefore);
        if (q.marker) {
            const m = q.marker;
            query.where((w) => w
                .where('start_time', '<', m.start_time)
                .orWhere((x) => x.where('start_time', m.start_time).where('id', '<', m.id)));
        }
        query.orderBy([
            { column: 'start_time', order: 'desc' },
            { column: 'id', order: 'desc' },
        ]);
        if (q.limit !== undefined)
            query.limit(q.limit);
        return query;
    }
    async findByRequest(instanceUuid, requestId) {
        return this.db('instance_actions')
            .where({ instance_uuid: instanceUuid, request_id: requestId })
            .orderBy('id', 'desc')
            .first();
    }
}
//# sourceMappingURL=instance-actions-queries.js.map