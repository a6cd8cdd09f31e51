// Key pairs, owned by a user (not a project), unique by (user_id, name).
import type { Db } from '../knex.js';
import { sql } from '../sql.js';

export interface KeypairRow {
  id: number;
  user_id: string;
  name: string;
  type: string;
  public_key: string;
  fingerprint: string;
  created_at: string;
}

export class KeypairsRepo {
  constructor(private readonly db: Db) {}

  find(userId: string, name: string, trx: Db = this.db): Promise<KeypairRow | undefined> {
    return sql(trx)<KeypairRow>('keypairs').where({ user_id: userId, name }).first();
  }

  /** A user's key pairs by name; `marker` is the name after which the page starts (2.35). */
  list(userId: string, opts: { limit?: number; marker?: string } = {}, trx: Db = this.db): Promise<KeypairRow[]> {
    const q = sql(trx)<KeypairRow>('keypairs').where({ user_id: userId }).orderBy('name').orderBy('id');
    if (opts.marker !== undefined) q.where('name', '>', opts.marker);
    if (opts.limit !== undefined) q.limit(opts.limit);
    return q;
  }

  async count(userId: string, trx: Db = this.db): Promise<number> {
    const r = await sql(trx)('keypairs').where({ user_id: userId }).count<{ n: number | string }[]>({ n: '*' });
    return Number(r[0].n);
  }

  async insert(row: Omit<KeypairRow, 'id'>, trx: Db = this.db): Promise<void> {
    await sql(trx)('keypairs').insert(row);
  }

  async delete(userId: string, name: string, trx: Db = this.db): Promise<number> {
    return sql(trx)('keypairs').where({ user_id: userId, name }).delete();
  }
}
