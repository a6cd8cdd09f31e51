// Server metadata (key/value strings). Batch loads serve list views without a query per row.
import type { Db } from '../knex.js';
import { sql } from '../sql.js';

export class InstanceMetadataRepo {
  constructor(private readonly db: Db) {}

  async get(uuid: string, trx: Db = this.db): Promise<Record<string, string>> {
    const rows = await sql(trx)('instance_metadata').where({ instance_uuid: uuid }).orderBy('key');
    return Object.fromEntries(rows.map((r: { key: string; value: string }) => [r.key, r.value]));
  }

  async getMany(uuids: string[], trx: Db = this.db): Promise<Map<string, Record<string, string>>> {
    const out = new Map<string, Record<string, string>>(uuids.map((u) => [u, {}]));
    for (const part of chunks(uuids)) {
      const rows = await sql(trx)('instance_metadata').whereIn('instance_uuid', part).orderBy('key');
      for (const r of rows as { instance_uuid: string; key: string; value: string }[])
        out.get(r.instance_uuid)![r.key] = r.value;
    }
    return out;
  }

  /** Replace all metadata (PUT) or merge (POST) with `items`. */
  async set(uuid: string, items: Record<string, string>, replace: boolean, trx: Db = this.db): Promise<void> {
    if (replace) await sql(trx)('instance_metadata').where({ instance_uuid: uuid }).delete();
    const rows = Object.entries(items).map(([key, value]) => ({ instance_uuid: uuid, key, value }));
    if (rows.length)
      await sql(trx)('instance_metadata').insert(rows).onConflict(['instance_uuid', 'key']).merge(['value']);
  }

  async deleteKey(uuid: string, key: string, trx: Db = this.db): Promise<boolean> {
    return (await sql(trx)('instance_metadata').where({ instance_uuid: uuid, key }).delete()) > 0;
  }
}

/** SQLite allows at most 999 bound variables in old builds; stay well below. */
export function chunks<T>(items: T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
