// Slows down password guessing: after too many failures for one user (by name or id, whether or
// not it exists) or from one client address within a window, further password logins for that
// bucket are refused with the same 401 until the window ends, even with the right password.
// Counters live in the database so that every API replica shares them.
import { createHash } from 'node:crypto';
import type { Clock } from '../db/time.js';
import type { LoginFailuresRepo } from '../db/repositories/login-failures-repo.js';
import { Unauthorized } from '../errors.js';

export interface ThrottleLimits {
  /** failures per user within the window before that user's password logins are refused */
  perUser: number;
  /** failures per client address within the window */
  perAddress: number;
  windowSeconds: number;
}

export const DEFAULT_THROTTLE: ThrottleLimits = { perUser: 5, perAddress: 30, windowSeconds: 300 };

export const THROTTLED_MESSAGE = 'Too many failed authentication attempts. Try again later.';

export interface LoginBuckets {
  user: string;
  address: string | null;
}

/** Bucket names come from user input: long ones are stored as a digest. */
function bucketKey(kind: 'user' | 'addr', value: string): string {
  const key = `${kind}:${value}`;
  return key.length <= 200 ? key : `${kind}#${createHash('sha256').update(value).digest('hex')}`;
}

export class LoginThrottle {
  private lastPurge = 0;

  constructor(
    private readonly repo: LoginFailuresRepo,
    private readonly clock: Clock,
    readonly limits: ThrottleLimits = DEFAULT_THROTTLE,
  ) {}

  /** Throws the throttled 401 (with Retry-After) when either bucket is over its limit. */
  async assertAllowed(b: LoginBuckets): Promise<void> {
    const waits = await Promise.all([
      this.secondsBlocked(bucketKey('user', b.user), this.limits.perUser),
      b.address ? this.secondsBlocked(bucketKey('addr', b.address), this.limits.perAddress) : 0,
    ]);
    const wait = Math.max(...waits);
    if (wait > 0) throw new Unauthorized(THROTTLED_MESSAGE, { 'Retry-After': String(wait) });
  }

  async recordFailure(b: LoginBuckets): Promise<void> {
    const now = this.clock.now();
    const windowStartAfter = new Date(now.getTime() - this.limits.windowSeconds * 1000).toISOString();
    await this.repo.record(bucketKey('user', b.user), now.toISOString(), windowStartAfter);
    if (b.address) await this.repo.record(bucketKey('addr', b.address), now.toISOString(), windowStartAfter);
    if (now.getTime() - this.lastPurge > this.limits.windowSeconds * 1000) {
      this.lastPurge = now.getTime();
      await this.repo.purgeOlderThan(windowStartAfter);
    }
  }

  /** A good password clears the user's counter (not the address's: one valid account must not
   * reset an attacker's budget for guessing others). */
  async recordSuccess(b: LoginBuckets): Promise<void> {
    await this.repo.clear(bucketKey('user', b.user));
  }

  private async secondsBlocked(bucket: string, limit: number): Promise<number> {
    const row = await this.repo.find(bucket);
    if (!row || row.failures < limit) return 0;
    const ends = Date.parse(row.window_started_at) + this.limits.windowSeconds * 1000;
    const left = Math.ceil((ends - this.clock.now().getTime()) / 1000);
    return left > 0 ? left : 0;
  }
}
