export class ComputeTasksRepo {
    db;
    constructor(db) {
        this.db = db;
    }
    async insert(row, trx = this.db) {
        const [r] = await trx('compute_tasks')
            .insert({ ...row, attempts: 0 })
            .returning('id');
        return typeof r === 'object' ? r.id : r;
    }
    /** Tasks nobody holds (or whose lease ran out), oldest first. */
    async claimable(now, limit, trx = this.db) {
        return trx('compute_tasks')
            .where((w) => w.whereNull('claimed_by').orWhere('lease_until', '<', now))
            .orderBy('id')
            .limit(limit);
    }
    async findById(id, trx = this.db) {
        return trx('compute_tasks').where({ id }).first();
    }
    /** Compare-and-swap claim: true when this worker now holds the task. */
    async claim(task, workerId, leaseUntil, now, trx = this.db) {
        const n = await trx('compute_tasks')
            .where({ id: task.id })
            .where((w) => w.whereNull('claimed_by').orWhere('lease_until', '<', now))
            .update({ claimed_by: workerId, lease_until: leaseUntil, attempts: task.attempts + 1 });
        return n === 1;
    }
    async renew(id, workerId, leaseUntil, trx = this.db) {
        return (await trx('compute_tasks').where({ id, claimed_by: workerId }).update({ lease_until: leaseUntil })) === 1;
    }
    /** Give a task back (shutdown): it becomes claimable at once. */
    async release(id, workerId, trx = this.db) {
        await trx('compute_tasks').where({ id, claimed_by: workerId }).update({ claimed_by: null, lease_until: null });
    }
    async finish(id, trx = this.db) {
        await trx('compute_tasks').where({ id }).delete();
    }
    async count(trx = this.db) {
        const [r] = await trx('compute_tasks').count({ n: '*' });
        return Number(r.n);
    }
}
//# sourceMappingURL=compute-tasks-repo.js.map