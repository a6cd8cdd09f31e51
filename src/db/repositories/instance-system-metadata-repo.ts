// Nova's instance_system_metadata: service-owned facts kept across a multi-step server action
// (old flavor and vm_state during a resize, the shelved image). Never shown to users.
import type { Db } from '../knex.js';
import { sql } from '../sql.js';

export const SysMetaKey = {
  OLD_FLAVOR: 'old_flavor',
  OLD_VM_STATE: 'old_vm_state',
  NEW_FLAVOR: 'new_flavor',
  SHELVED_IMAGE_ID: 'shelved_image_id',
  SHELVED_AT: 'shelved_at',
  SHELVED_HOST: 'shelved_host',
} as const;

export class InstanceSystemMetadataRepo {
  constructor(private readonly db: Db) {}

  async get(uuid: string, trx: Db = this.db): Promise<Record<string, string>> {
    const rows = await sql(trx)('instance_system_metadata').where({ instance_uuid: uuid });
    return Object.fromEntries(rows.map((r: { key: string; value: string }) => [r.key, r.value]));
  }

  async set(uuid: string, items: Record<string, string>, trx: Db = this.db): Promise<void> {
    const rows = Object.entries(items).map(([key, value]) => ({ instance_uuid: uuid, key, value }));
    if (rows.length)
      await sql(trx)('instance_system_metadata').insert(rows).onConflict(['instance_uuid', 'key']).merge(['value']);
  }

  async remove(uuid: string, keys: string[], trx: Db = this.db): Promise<void> {
    if (keys.length)
      await sql(trx)('instance_system_metadata').where({ instance_uuid: uuid }).whereIn('key', keys).delete();
  }
}
