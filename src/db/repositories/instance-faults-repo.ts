// Instance faults: what went wrong, shown as `fault` on a server in ERROR (nova instance_faults).
import type { Db } from '../knex.js';
import { sql } from '../sql.js';
import { chunks } from './instance-metadata-repo.js';

export interface InstanceFaultRow {
  id: number;
  instance_uuid: string;
  code: number;
  message: string;
  details: string | null;
  host: string | null;
  created_at: string;
}

export class InstanceFaultsRepo {
  constructor(private readonly db: Db) {}

  async add(f: Omit<InstanceFaultRow, 'id'>, trx: Db = this.db): Promise<void> {
    await sql(trx)('instance_faults').insert(f);
  }

  async latest(uuid: string, trx: Db = this.db): Promise<InstanceFaultRow | undefined> {
    return sql(trx)<InstanceFaultRow>('instance_faults').where({ instance_uuid: uuid }).orderBy('id', 'desc').first();
  }

  /** The newest fault of each server (one query per 500 servers). */
  async latestMany(uuids: string[], trx: Db = this.db): Promise<Map<string, InstanceFaultRow>> {
    const out = new Map<string, InstanceFaultRow>();
    for (const part of chunks(uuids)) {
      const rows = await sql(trx)<InstanceFaultRow>('instance_faults')
        .whereIn('instance_uuid', part)
        .orderBy('id', 'asc');
      for (const r of rows) out.set(r.instance_uuid, r);
    }
    return out;
  }
}
