export const SysMetaKey = {
    OLD_FLAVOR: 'old_flavor',
    OLD_VM_STATE: 'old_vm_state',
    NEW_FLAVOR: 'new_flavor',
    SHELVED_IMAGE_ID: 'shelved_image_id',
    SHELVED_AT: 'shelved_at',
    SHELVED_HOST: 'shelved_host',
};
export class InstanceSystemMetadataRepo {
    db;
    constructor(db) {
        this.db = db;
    }
    async get(uuid, trx = this.db) {
        const rows = await trx('instance_system_metadata').where({ instance_uuid: uuid });
        return Object.fromEntries(rows.map((r) => [r.key, r.value]));
    }
    async set(uuid, items, trx = this.db) {
        const rows = Object.entries(items).map(([key, value]) => ({ instance_uuid: uuid, key, value }));
        if (rows.length)
            await trx('instance_system_metadata').insert(rows).onConflict(['instance_uuid', 'key']).merge(['value']);
    }
    async remove(uuid, keys, trx = this.db) {
        if (keys.length)
            await trx('instance_system_metadata').where({ instance_uuid: uuid }).whereIn('key', keys).delete();
    }
}
//# sourceMappingURL=instance-system-metadata-repo.js.map