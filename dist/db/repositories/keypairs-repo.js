export class KeypairsRepo {
    db;
    constructor(db) {
        this.db = db;
    }
    find(userId, name, trx = this.db) {
        return trx('keypairs').where({ user_id: userId, name }).first();
    }
    /** A user's key pairs by name; `marker` is the name after which the page starts (2.35). */
    list(userId, opts = {}, trx = this.db) {
        const q = trx('keypairs').where({ user_id: userId }).orderBy('name').orderBy('id');
        if (opts.marker !== undefined)
            q.where('name', '>', opts.marker);
        if (opts.limit !== undefined)
            q.limit(opts.limit);
        return q;
    }
    async count(userId, trx = this.db) {
        const r = await trx('keypairs').where({ user_id: userId }).count({ n: '*' });
        return Number(r[0].n);
    }
    async insert(row, trx = this.db) {
        await trx('keypairs').insert(row);
    }
    async delete(userId, name, trx = this.db) {
        return trx('keypairs').where({ user_id: userId, name }).delete();
    }
}
//# sourceMappingURL=keypairs-repo.js.map