// Compute hosts (one per Docker Engine).
import type { Db } from '../knex.js';
import { sql } from '../sql.js';

export interface ComputeHostRow {
  id: number;
  uuid: string;
  name: string;
  docker_url: string;
  availability_zone: string;
  disabled: boolean | number;
  disabled_reason: string | null;
  forced_down: boolean | number;
  last_seen_at: string | null;
  info: string | null;
  created_at: string;
  updated_at: string | null;
}

export class HostsRepo {
  constructor(private readonly db: Db) {}
  list(trx: Db = this.db): Promise<ComputeHostRow[]> {
    return sql(trx)<ComputeHostRow>('compute_hosts').orderBy('id');
  }
  async findById(id: number, trx: Db = this.db): Promise<ComputeHostRow | undefined> {
    return sql(trx)<ComputeHostRow>('compute_hosts').where({ id }).first();
  }
  async findByName(name: string, trx: Db = this.db): Promise<ComputeHostRow | undefined> {
    return sql(trx)<ComputeHostRow>('compute_hosts').where({ name }).first();
  }
  async findByUuid(uuid: string, trx: Db = this.db): Promise<ComputeHostRow | undefined> {
    return sql(trx)<ComputeHostRow>('compute_hosts').where({ uuid }).first();
  }
  async insert(row: Omit<ComputeHostRow, 'id'>, trx: Db = this.db): Promise<number> {
    const [r] = await sql(trx)('compute_hosts').insert(row).returning('id');
    return typeof r === 'object' ? (r as { id: number }).id : (r as number);
  }
  async update(id: number, changes: Partial<ComputeHostRow>, trx: Db = this.db) {
    await sql(trx)('compute_hosts').where({ id }).update(changes);
  }
}
