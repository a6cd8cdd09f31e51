export class InstanceActionsRepo {
    db;
    constructor(db) {
        this.db = db;
    }
    async insert(row, trx = this.db) {
        const [r] = await trx('instance_actions').insert(row).returning('id');
        return typeof r === 'object' ? r.id : r;
    }
    async findByRequest(uuid, requestId, trx = this.db) {
        return trx('instance_actions')
            .where({ instance_uuid: uuid, request_id: requestId })
            .orderBy('id', 'desc')
            .first(); // the newest, as Nova's action_get_by_request_id
    }
    async update(id, changes, trx = this.db) {
        await trx('instance_actions').where({ id }).update(changes);
    }
    async listFor(uuid, trx = this.db) {
        return trx('instance_actions').where({ instance_uuid: uuid }).orderBy('id', 'desc');
    }
    async insertEvent(row, trx = this.db) {
        const [r] = await trx('instance_action_events').insert(row).returning('id');
        return typeof r === 'object' ? r.id : r;
    }
    async updateEvent(id, changes, trx = this.db) {
        await trx('instance_action_events').where({ id }).update(changes);
    }
    async events(actionId, trx = this.db) {
        return trx('instance_action_events').where({ action_id: actionId }).orderBy('id');
    }
}
//# sourceMappingURL=instance-actions-repo.js.map