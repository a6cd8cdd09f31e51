export class HostsRepo {
    db;
    constructor(db) {
        this.db = db;
    }
    list(trx = this.db) {
        return trx('compute_hosts').orderBy('id');
    }
    async findById(id, trx = this.db) {
        return trx('compute_hosts').where({ id }).first();
    }
    async findByName(name, trx = this.db) {
        return trx('compute_hosts').where({ name }).first();
    }
    async findByUuid(uuid, trx = this.db) {
        return trx('compute_hosts').where({ uuid }).first();
    }
    async insert(row, trx = this.db) {
        const [r] = await trx('compute_hosts').insert(row).returning('id');
        return typeof r === 'object' ? r.id : r;
    }
    async update(id, changes, trx = this.db) {
        await trx('compute_hosts').where({ id }).update(changes);
    }
}
//# sourceMappingURL=hosts-repo.js.map