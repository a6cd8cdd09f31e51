// Console tokens (nova console_auth_tokens): stored as a SHA-256 hash only, used once, expiring.
import type { Db } from '../knex.js';
import { sql } from '../sql.js';

export interface ConsoleTokenRow {
  token_hash: string;
  instance_uuid: string;
  console_type: string;
  expires_at: string;
  created_at: string;
  used: boolean | number;
}

export class ConsoleTokensRepo {
  constructor(private readonly db: Db) {}

  /** Stores a new token, dropping the expired ones first. */
  async insert(row: ConsoleTokenRow, trx: Db = this.db): Promise<void> {
    await sql(trx)('console_auth_tokens').where('expires_at', '<', row.created_at).delete();
    await sql(trx)('console_auth_tokens').insert(row);
  }

  /** Marks the token used if it is unused and unexpired at `now`; whether it was. */
  async consume(tokenHash: string, now: string, trx: Db = this.db): Promise<boolean> {
    const n = await sql(trx)('console_auth_tokens')
      .where({ token_hash: tokenHash, used: false })
      .where('expires_at', '>', now)
      .update({ used: true });
    return n > 0;
  }

  find(tokenHash: string, trx: Db = this.db): Promise<ConsoleTokenRow | undefined> {
    return sql(trx)<ConsoleTokenRow>('console_auth_tokens').where({ token_hash: tokenHash }).first();
  }
}
