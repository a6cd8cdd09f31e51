/** Custom (non-base) properties of an image, e.g. os_command_line, novadock_tty, image_type. */
export function imageProperties(row) {
    try {
        const parsed = JSON.parse(row.properties || '{}');
        return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : {};
    }
    catch {
        return {};
    }
}
/** SQLite returns 0/1 for booleans, PostgreSQL true/false; big integers may come back as strings. */
export function normalizeImage(row) {
    const num = (v) => (v === null || v === undefined ? null : Number(v));
    return {
        ...row,
        protected: Boolean(row.protected),
        os_hidden: Boolean(row.os_hidden),
        size: num(row.size),
        virtual_size: num(row.virtual_size),
        min_disk: Number(row.min_disk),
        min_ram: Number(row.min_ram),
    };
}
export class ImagesRepo {
    db;
    constructor(db) {
        this.db = db;
    }
    async find(id, trx = this.db) {
        const row = await trx('images').where({ id }).first();
        return row ? normalizeImage(row) : undefined;
    }
    async insert(row, trx = this.db) {
        await trx('images').insert(row);
    }
    /** Update; when `expectedStatus` is given, only if the image is still in one of those states. Returns rows changed. */
    async update(id, changes, expectedStatus, trx = this.db) {
        const q = trx('images').where({ id });
        if (expectedStatus)
            q.whereIn('status', expectedStatus);
        return q.update(changes);
    }
    async delete(id, trx = this.db) {
        await trx('images').where({ id }).delete();
    }
    async list(q, trx = this.db) {
        const query = trx('images').select('images.*');
        const { admin, projectId } = q.visibleTo;
        const memberStatus = q.memberStatus;
        if (!admin) {
            // Glance's default list: public + own + shared-with-me (accepted) + (community only when asked).
            query.where((w) => {
                w.where('visibility', 'public');
                if (projectId) {
                    w.orWhere('owner', projectId);
                    w.orWhere((s) => s.where('visibility', 'shared').whereExists((e) => e
                        .select(trx.raw('1'))
                        .from('image_members')
                        .whereRaw('image_members.image_id = images.id')
                        .where('image_members.member', projectId)
                        .modify((m) => {
                        if (memberStatus !== 'all')
                            m.where('image_members.status', memberStatus);
                    })));
                }
                if (q.filters.visibility === 'community' || q.includeCommunity)
                    w.orWhere('visibility', 'community');
            });
        }
        for (const [k, v] of Object.entries(q.filters)) {
            if (Array.isArray(v))
                query.whereIn(`images.${k}`, v);
            else if (v !== undefined)
                query.where(`images.${k}`, v);
        }
        for (const f of q.times) {
            // Stored times carry milliseconds; Glance's columns hold whole seconds, so a time shown in a
            // response (seconds) compares equal to the image it came from. A threshold with a fraction
            // sorts after its whole second, as datetimes do.
            query.whereRaw(`substr(${quoteIdent(f.key)}, 1, 19) ${f.op} ?`, [f.value]);
        }
        for (const f of q.ranges)
            query.where(`images.${f.key}`, f.op, f.value);
        if (q.osHidden !== null)
            query.where('os_hidden', q.osHidden);
        if (q.protected !== null)
            query.where('images.protected', q.protected);
        for (const [k, v] of Object.entries(q.properties)) {
            // properties is JSON text written by JSON.stringify: match the exact `"key":"value"` pair.
            const needle = JSON.stringify({ [k]: v })
                .slice(1, -1)
                .replace(/[\\%_]/g, (c) => `\\${c}`);
            query.whereRaw("images.properties LIKE ? ESCAPE '\\'", [`%${needle}%`]);
        }
        for (const tag of q.tags) {
            query.whereExists((e) => e
                .select(trx.raw('1'))
                .from('image_tags')
                .whereRaw('image_tags.image_id = images.id')
                .where('image_tags.tag', tag));
        }
        const sort = [...q.sort];
        if (!sort.some((s) => s.key === 'id'))
            sort.push({ key: 'id', dir: sort[sort.length - 1]?.dir ?? 'desc' });
        if (q.marker) {
            const marker = q.marker;
            // Keyset pagination over the sort keys: (k1 > m1) OR (k1 = m1 AND k2 > m2) …
            query.where((outer) => {
                sort.forEach((s, i) => {
                    outer.orWhere((inner) => {
                        for (const prev of sort.slice(0, i)) {
                            const mv = marker[prev.key];
                            if (mv === null || mv === undefined)
                                inner.whereNull(`images.${prev.key}`);
                            else
                                inner.where(`images.${prev.key}`, mv);
                        }
                        const mv = marker[s.key];
                        const op = s.dir === 'asc' ? '>' : '<';
                        if (mv === null || mv === undefined) {
                            // NULLs sort first ascending (as we order them): everything non-null is after on asc.
                            if (s.dir === 'asc')
                                inner.whereNotNull(`images.${s.key}`);
                            else
                                inner.whereRaw('1 = 0');
                        }
                        else if (s.dir === 'asc') {
                            inner.where(`images.${s.key}`, op, mv);
                        }
                        else {
                            inner.where((x) => x.where(`images.${s.key}`, op, mv).orWhereNull(`images.${s.key}`));
                        }
                    });
                });
            });
        }
        for (const s of sort) {
            // Portable NULL ordering: NULLs first ascending, last descending (SQLite's default; explicit for PostgreSQL).
            query.orderByRaw(`${quoteIdent(s.key)} ${s.dir === 'asc' ? 'ASC NULLS FIRST' : 'DESC NULLS LAST'}`);
        }
        query.limit(q.limit);
        return (await query).map(normalizeImage);
    }
    // ---- tags ------------------------------------------------------------------------------------
    async tags(imageId, trx = this.db) {
        const rows = await trx('image_tags').where({ image_id: imageId }).orderBy('tag');
        return rows.map((r) => r.tag);
    }
    async tagsFor(imageIds, trx = this.db) {
        const map = new Map(imageIds.map((id) => [id, []]));
        if (imageIds.length === 0)
            return map;
        const rows = await trx('image_tags').whereIn('image_id', imageIds).orderBy('tag');
        for (const r of rows)
            map.get(r.image_id).push(r.tag);
        return map;
    }
    async addTag(imageId, tag, trx = this.db) {
        await trx('image_tags').insert({ image_id: imageId, tag }).onConflict(['image_id', 'tag']).ignore();
    }
    async removeTag(imageId, tag, trx = this.db) {
        return trx('image_tags').where({ image_id: imageId, tag }).delete();
    }
    async setTags(imageId, tags, trx = this.db) {
        await trx('image_tags').where({ image_id: imageId }).delete();
        for (const tag of new Set(tags))
            await trx('image_tags').insert({ image_id: imageId, tag });
    }
    // ---- members ---------------------------------------------------------------------------------
    async members(imageId, trx = this.db) {
        return trx('image_members').where({ image_id: imageId }).orderBy('created_at');
    }
    async findMember(imageId, member, trx = this.db) {
        return trx('image_members').where({ image_id: imageId, member }).first();
    }
    async insertMember(row, trx = this.db) {
        await trx('image_members').insert(row);
    }
    async updateMember(imageId, member, changes, trx = this.db) {
        await trx('image_members').where({ image_id: imageId, member }).update(changes);
    }
    async deleteMember(imageId, member, trx = this.db) {
        return trx('image_members').where({ image_id: imageId, member }).delete();
    }
    // ---- per-host loads --------------------------------------------------------------------------
    async findHostLoad(imageId, hostId, trx = this.db) {
        return trx('image_host_loads').where({ image_id: imageId, host_id: hostId }).first();
    }
    async recordHostLoad(row, trx = this.db) {
        await trx('image_host_loads')
            .insert(row)
            .onConflict(['image_id', 'host_id'])
            .merge(['docker_image_id', 'loaded_at']);
    }
    async forgetHostLoad(imageId, hostId, trx = this.db) {
        await trx('image_host_loads').where({ image_id: imageId, host_id: hostId }).delete();
    }
    async hostLoads(imageId, trx = this.db) {
        return trx('image_host_loads').where({ image_id: imageId });
    }
}
/** Sort keys come from an allow-list in the service; quote them anyway. */
function quoteIdent(key) {
    if (!/^[a-z_]+$/.test(key))
        throw new Error(`bad sort key ${key}`);
    return `"images"."${key}"`;
}
//# sourceMappingURL=images-repo.js.map