// Server tags (2.26). Batch loads serve list views without a query per row.
import type { Db } from '../knex.js';
import { sql } from '../sql.js';
import { chunks } from './instance-metadata-repo.js';

export class InstanceTagsRepo {
  constructor(private readonly db: Db) {}

  async get(uuid: string, trx: Db = this.db): Promise<string[]> {
    const rows = await sql(trx)('instance_tags').where({ instance_uuid: uuid }).orderBy('tag');
    return rows.map((r: { tag: string }) => r.tag);
  }

  async getMany(uuids: string[], trx: Db = this.db): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>(uuids.map((u) => [u, []]));
    for (const part of chunks(uuids)) {
      const rows = await sql(trx)('instance_tags').whereIn('instance_uuid', part).orderBy('tag');
      for (const r of rows as { instance_uuid: string; tag: string }[]) out.get(r.instance_uuid)!.push(r.tag);
    }
    return out;
  }

  async replace(uuid: string, tags: string[], trx: Db = this.db): Promise<void> {
    await sql(trx)('instance_tags').where({ instance_uuid: uuid }).delete();
    const unique = [...new Set(tags)];
    if (unique.length) await sql(trx)('instance_tags').insert(unique.map((tag) => ({ instance_uuid: uuid, tag })));
  }

  /** true when the tag was new */
  async add(uuid: string, tag: string, trx: Db = this.db): Promise<boolean> {
    const exists = await sql(trx)('instance_tags').where({ instance_uuid: uuid, tag }).first();
    if (exists) return false;
    await sql(trx)('instance_tags').insert({ instance_uuid: uuid, tag });
    return true;
  }

  async has(uuid: string, tag: string, trx: Db = this.db): Promise<boolean> {
    return Boolean(await sql(trx)('instance_tags').where({ instance_uuid: uuid, tag }).first());
  }

  async remove(uuid: string, tag: string, trx: Db = this.db): Promise<boolean> {
    return (await sql(trx)('instance_tags').where({ instance_uuid: uuid, tag }).delete()) > 0;
  }

  async count(uuid: string, trx: Db = this.db): Promise<number> {
    const [r] = await sql(trx)('instance_tags')
      .where({ instance_uuid: uuid })
      .count<{ n: number | string }[]>({ n: '*' });
    return Number(r.n);
  }
}
