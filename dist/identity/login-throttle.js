// Slows down password guessing: after too many failures for one user (by name or id, whether or
// not it exists) or from one client address within a window, further password logins for that
// bucket are refused with the same 401 until the window ends, even with the right password.
// Counters live in the database so that every API replica shares them.
import { createHash } from 'node:crypto';
import { Unauthorized } from '../errors.js';
export const DEFAULT_THROTTLE = { perUser: 5, perAddress: 30, windowSeconds: 300 };
export const THROTTLED_MESSAGE = 'Too many failed authentication attempts. Try again later.';
/** Bucket names come from user input: long ones are stored as a digest. */
function bucketKey(kind, value) {
    const key = `${kind}:${value}`;
    return key.length <= 200 ? key : `${kind}#${createHash('sha256').update(value).digest('hex')}`;
}
export class LoginThrottle {
    repo;
    clock;
    limits;
    lastPurge = 0;
    constructor(repo, clock, limits = DEFAULT_THROTTLE) {
        this.repo = repo;
        this.clock = clock;
        this.limits = limits;
    }
    /** Throws the throttled 401 (with Retry-After) when either bucket is over its limit. */
    async assertAllowed(b) {
        const waits = await Promise.all([
            this.secondsBlocked(bucketKey('user', b.user), this.limits.perUser),
            b.address ? this.secondsBlocked(bucketKey('addr', b.address), this.limits.perAddress) : 0,
        ]);
        const wait = Math.max(...waits);
        if (wait > 0)
            throw new Unauthorized(THROTTLED_MESSAGE, { 'Retry-After': String(wait) });
    }
    async recordFailure(b) {
        const now = this.clock.now();
        const windowStartAfter = new Date(now.getTime() - this.limits.windowSeconds * 1000).toISOString();
        await this.repo.record(bucketKey('user', b.user), now.toISOString(), windowStartAfter);
        if (b.address)
            await this.repo.record(bucketKey('addr', b.address), now.toISOString(), windowStartAfter);
        if (now.getTime() - this.lastPurge > this.limits.windowSeconds * 1000) {
            this.lastPurge = now.getTime();
            await this.repo.purgeOlderThan(windowStartAfter);
        }
    }
    /** A good password clears the user's counter (not the address's: one valid account must not
     * reset an attacker's budget for guessing others). */
    async recordSuccess(b) {
        await this.repo.clear(bucketKey('user', b.user));
    }
    async secondsBlocked(bucket, limit) {
        const row = await this.repo.find(bucket);
        if (!row || row.failures < limit)
            return 0;
        const ends = Date.parse(row.window_started_at) + this.limits.windowSeconds * 1000;
        const left = Math.ceil((ends - this.clock.now().getTime()) / 1000);
        return left > 0 ? left : 0;
    }
}
//# sourceMappingURL=login-throttle.js.map