import { isSqlite } from './knex.js';
/** Fixed keys, one per piece of start-up work (any numbers; only their distinctness matters). */
export const AdvisoryLock = {
    migrate: 7_261_127,
    seed: 7_261_128,
};
export async function withAdvisoryLock(db, key, fn) {
    if (isSqlite(db))
        return fn();
    return db.transaction(async (trx) => {
        await trx.raw('select pg_advisory_xact_lock(?)', [key]);
        return fn();
    });
}
//# sourceMappingURL=advisory-lock.js.map