export class InstanceMetadataRepo {
    db;
    constructor(db) {
        this.db = db;
    }
    async get(uuid, trx = this.db) {
        const rows = await trx('instance_metadata').where({ instance_uuid: uuid }).orderBy('key');
        return Object.fromEntries(rows.map((r) => [r.key, r.value]));
    }
    async getMany(uuids, trx = this.db) {
        const out = new Map(uuids.map((u) => [u, {}]));
        for (const part of chunks(uuids)) {
            const rows = await trx('instance_metadata').whereIn('instance_uuid', part).orderBy('key');
            for (const r of rows)
                out.get(r.instance_uuid)[r.key] = r.value;
        }
        return out;
    }
    /** Replace all metadata (PUT) or merge (POST) with `items`. */
    async set(uuid, items, replace, trx = this.db) {
        if (replace)
            await trx('instance_metadata').where({ instance_uuid: uuid }).delete();
        const rows = Object.entries(items).map(([key, value]) => ({ instance_uuid: uuid, key, value }));
        if (rows.length)
            await trx('instance_metadata').insert(rows).onConflict(['instance_uuid', 'key']).merge(['value']);
    }
    async deleteKey(uuid, key, trx = this.db) {
        return (await trx('instance_metadata').where({ instance_uuid: uuid, key }).delete()) > 0;
    }
}
/** SQLite allows at most 999 bound variables in old builds; stay well below. */
export function chunks(items, size = 500) {
    const out = [];
    for (let i = 0; i < items.length; i += size)
        out.push(items.slice(i, i + size));
    return out;
}
//# sourceMappingURL=instance-metadata-repo.js.map