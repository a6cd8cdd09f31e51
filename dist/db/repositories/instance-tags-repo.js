import { chunks } from './instance-metadata-repo.js';
export class InstanceTagsRepo {
    db;
    constructor(db) {
        this.db = db;
    }
    async get(uuid, trx = this.db) {
        const rows = await trx('instance_tags').where({ instance_uuid: uuid }).orderBy('tag');
        return rows.map((r) => r.tag);
    }
    async getMany(uuids, trx = this.db) {
        const out = new Map(uuids.map((u) => [u, []]));
        for (const part of chunks(uuids)) {
            const rows = await trx('instance_tags').whereIn('instance_uuid', part).orderBy('tag');
            for (const r of rows)
                out.get(r.instance_uuid).push(r.tag);
        }
        return out;
    }
    async replace(uuid, tags, trx = this.db) {
        await trx('instance_tags').where({ instance_uuid: uuid }).delete();
        const unique = [...new Set(tags)];
        if (unique.length)
            await trx('instance_tags').insert(unique.map((tag) => ({ instance_uuid: uuid, tag })));
    }
    /** true when the tag was new */
    async add(uuid, tag, trx = this.db) {
        const exists = await trx('instance_tags').where({ instance_uuid: uuid, tag }).first();
        if (exists)
            return false;
        await trx('instance_tags').insert({ instance_uuid: uuid, tag });
        return true;
    }
    async has(uuid, tag, trx = this.db) {
        return Boolean(await trx('instance_tags').where({ instance_uuid: uuid, tag }).first());
    }
    async remove(uuid, tag, trx = this.db) {
        return (await trx('instance_tags').where({ instance_uuid: uuid, tag }).delete()) > 0;
    }
    async count(uuid, trx = this.db) {
        const [r] = await trx('instance_tags').where({ instance_uuid: uuid }).count({ n: '*' });
        return Number(r.n);
    }
}
//# sourceMappingURL=instance-tags-repo.js.map