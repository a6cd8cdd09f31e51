// Glance v2 image JSON: base properties in Glance's order, then the custom properties as top-level
// string keys, then the links Glance gives (relative to the unversioned image endpoint).
import { imageProperties } from '../../../db/repositories/images-repo.js';
/** Glance's timestamps: "2026-11-27T19:14:08Z". */
export const glanceTime = (iso) => `${iso.slice(0, 19)}Z`;
export function renderImage(row, tags) {
    const base = {
        name: row.name,
        disk_format: row.disk_format,
        container_format: row.container_format,
        visibility: row.visibility,
        size: row.size,
        virtual_size: row.virtual_size,
        status: row.status,
        checksum: row.checksum,
        protected: Boolean(row.protected),
        min_ram: row.min_ram,
        min_disk: row.min_disk,
        owner: row.owner,
        os_hidden: Boolean(row.os_hidden),
        os_hash_algo: row.os_hash_algo,
        os_hash_value: row.os_hash_value,
        id: row.id,
        created_at: glanceTime(row.created_at),
        updated_at: glanceTime(row.updated_at),
        tags,
        self: `/v2/images/${row.id}`,
        file: `/v2/images/${row.id}/file`,
        schema: '/v2/schemas/image',
    };
    for (const [k, v] of Object.entries(imageProperties(row)))
        if (!(k in base))
            base[k] = v;
    return base;
}
export function renderMember(row) {
    return {
        created_at: glanceTime(row.created_at),
        image_id: row.image_id,
        member_id: row.member,
        schema: '/v2/schemas/member',
        status: row.status,
        updated_at: glanceTime(row.updated_at),
    };
}
//# sourceMappingURL=images.js.map