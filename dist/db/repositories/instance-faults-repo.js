import { chunks } from './instance-metadata-repo.js';
export class InstanceFaultsRepo {
    db;
    constructor(db) {
        this.db = db;
    }
    async add(f, trx = this.db) {
        await trx('instance_faults').insert(f);
    }
    async latest(uuid, trx = this.db) {
        return trx('instance_faults').where({ instance_uuid: uuid }).orderBy('id', 'desc').first();
    }
    /** The newest fault of each server (one query per 500 servers). */
    async latestMany(uuids, trx = this.db) {
        const out = new Map();
        for (const part of chunks(uuids)) {
            const rows = await trx('instance_faults').whereIn('instance_uuid', part).orderBy('id', 'asc');
            for (const r of rows)
                out.set(r.instance_uuid, r);
        }
        return out;
    }
}
//# sourceMappingURL=instance-faults-repo.js.map