// Counters of failed password logins per bucket (a user or a client address) and window.
import type { Db } from '../knex.js';
import { sql } from '../sql.js';

export interface LoginFailureRow {
  bucket: string;
  failures: number;
  window_started_at: string;
}

export class LoginFailuresRepo {
  constructor(private readonly db: Db) {}

  find(bucket: string, trx: Db = this.db): Promise<LoginFailureRow | undefined> {
    return sql(trx)<LoginFailureRow>('login_failures').where({ bucket }).first();
  }

  /** Starts a new window with one failure, or adds one to the current window. */
  async record(bucket: string, nowIso: string, windowStartAfterIso: string, trx: Db = this.db): Promise<void> {
    await sql(trx)('login_failures')
      .insert({ bucket, failures: 1, window_started_at: nowIso })
      .onConflict('bucket')
      .merge({
        // Inside the window: count on. Window over: this failure opens a new one.
        failures: sql(trx).raw(
          'CASE WHEN login_failures.window_started_at > ? THEN login_failures.failures + 1 ELSE 1 END',
          [windowStartAfterIso],
        ),
        window_started_at: sql(trx).raw(
          'CASE WHEN login_failures.window_started_at > ? THEN login_failures.window_started_at ELSE ? END',
          [windowStartAfterIso, nowIso],
        ),
      });
  }

  async clear(bucket: string, trx: Db = this.db): Promise<void> {
    await sql(trx)('login_failures').where({ bucket }).delete();
  }

  async purgeOlderThan(iso: string, trx: Db = this.db): Promise<void> {
    await sql(trx)('login_failures').where('window_started_at', '<=', iso).delete();
  }
}
