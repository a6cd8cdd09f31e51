export class LoginFailuresRepo {
    db;
    constructor(db) {
        this.db = db;
    }
    find(bucket, trx = this.db) {
        return trx('login_failures').where({ bucket }).first();
    }
    /** Starts a new window with one failure, or adds one to the current window. */
    async record(bucket, nowIso, windowStartAfterIso, trx = this.db) {
        await trx('login_failures')
            .insert({ bucket, failures: 1, window_started_at: nowIso })
            .onConflict('bucket')
            .merge({
            // Inside the window: count on. Window over: this failure opens a new one.
            failures: trx.raw('CASE WHEN login_failures.window_started_at > ? THEN login_failures.failures + 1 ELSE 1 END', [windowStartAfterIso]),
            window_started_at: trx.raw('CASE WHEN login_failures.window_started_at > ? THEN login_failures.window_started_at ELSE ? END', [windowStartAfterIso, nowIso]),
        });
    }
    async clear(bucket, trx = this.db) {
        await trx('login_failures').where({ bucket }).delete();
    }
    async purgeOlderThan(iso, trx = this.db) {
        await trx('login_failures').where('window_started_at', '<=', iso).delete();
    }
}
//# sourceMappingURL=login-failures-repo.js.map