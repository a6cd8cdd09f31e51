const COLUMNS = ['uuid', 'host_id', 'vm_state', 'task_state', 'power_state', 'project_id'];
export class PowerSyncQueries {
    db;
    constructor(db) {
        this.db = db;
    }
    /** Live servers placed on `hostId` with no task in progress (the ones the sync may touch). */
    listIdleOnHost(hostId, trx = this.db) {
        return trx('instances')
            .select(COLUMNS)
            .where({ host_id: hostId, deleted: false })
            .whereNull('task_state')
            .orderBy('id');
    }
    findLive(uuid, trx = this.db) {
        return trx('instances').select(COLUMNS).where({ uuid, deleted: false }).first();
    }
    /**
     * UPDATE … WHERE uuid = ? AND NOT deleted AND task_state IS NULL AND vm_state = ? AND power_state = ?.
     * Returns whether the row was written.
     */
    async casIdle(uuid, expected, changes, trx = this.db) {
        const n = await trx('instances')
            .where({ uuid, deleted: false, vm_state: expected.vmState, power_state: expected.powerState })
            .whereNull('task_state')
            .update(changes);
        return n > 0;
    }
    /** Ends the sync's own task (task_state back to None), only if it still holds it. */
    async releaseTask(uuid, taskState, changes, trx = this.db) {
        const n = await trx('instances')
            .where({ uuid, deleted: false, task_state: taskState })
            .update({ ...changes, task_state: null });
        return n > 0;
    }
}
//# sourceMappingURL=power-sync-queries.js.map