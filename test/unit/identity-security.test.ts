// Password hashing, weakness rules, the listen guard and the login throttle (with a fake clock).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { createKnex } from '../../src/db/connect.js';
import { migrateLatest } from '../../src/db/migrate.js';
import {
  hashPassword,
  isWeakPassword,
  MIN_STRONG_LENGTH,
  passwordColumns,
  passwordWeakness,
  verifyPassword,
} from '../../src/identity/passwords.js';
import { configuredPasswordRefusal, isLoopbackHost, storedPasswordRefusal } from '../../src/identity/listen-guard.js';
import { LoginThrottle, THROTTLED_MESSAGE } from '../../src/identity/login-throttle.js';
import { LoginFailuresRepo } from '../../src/db/repositories/login-failures-repo.js';
import { IdentityRepo } from '../../src/db/repositories/identity-repo.js';
import { bootstrapIdentity } from '../../src/identity/bootstrap.js';
import type { ApiError } from '../../src/errors.js';

describe('passwords', () => {
  it('scrypt hashes are salted and verify only the right password', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery', a)).toBe(true);
    expect(await verifyPassword('correct horse batterY', a)).toBe(false);
    expect(await verifyPassword('anything', null)).toBe(false); // no hash (missing user) never matches
    expect(await verifyPassword('x', 'garbage')).toBe(false);
  });
  it('weak: shorter than 12, or a well-known default in any case', () => {
    expect(MIN_STRONG_LENGTH).toBe(12);
    expect(passwordWeakness('short-pw')).toMatch(/shorter than 12/);
    expect(passwordWeakness('Admin')).toMatch(/well-known default/);
    expect(passwordWeakness('secret')).toMatch(/well-known default/);
    expect(isWeakPassword('administrator')).toBe(true); // 13 characters, but well known
    expect(isWeakPassword('a-long-and-unusual-one')).toBe(false);
    expect(isWeakPassword('x'.repeat(12))).toBe(false);
  });
  it('passwordColumns records the weakness while the plaintext is known', async () => {
    const weak = await passwordColumns('admin', '2026-01-01T00:00:00.000Z');
    expect(weak.password_weak).toBe(true);
    expect(await verifyPassword('admin', weak.password_hash)).toBe(true);
    expect((await passwordColumns('a-long-and-unusual-one', 'now')).password_weak).toBe(false);
    expect(await passwordColumns(null, 'now')).toEqual({
      password_hash: null,
      password_weak: null,
      password_updated_at: null,
    });
  });
});

describe('listen guard', () => {
  it('loopback hosts are always allowed', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost']) {
      expect(isLoopbackHost(h), h).toBe(true);
      expect(configuredPasswordRefusal(h, 'admin')).toBeNull();
    }
    for (const h of ['0.0.0.0', '::', '10.0.0.5', 'example.com']) expect(isLoopbackHost(h), h).toBe(false);
  });
  it('a weak configured password on another address is refused, saying why', () => {
    expect(configuredPasswordRefusal('0.0.0.0', 'admin')).toMatch(
      /refusing to listen on 0\.0\.0\.0: NOVADOCK_ADMIN_PASSWORD is weak \(it is a well-known default password\)/,
    );
    expect(configuredPasswordRefusal('0.0.0.0', 'short')).toMatch(/shorter than 12 characters/);
    expect(configuredPasswordRefusal('0.0.0.0', 'a-long-and-unusual-one')).toBeNull();
  });

  let db: Knex;
  beforeEach(async () => {
    db = createKnex('sqlite://:memory:');
    await migrateLatest(db);
  });
  afterEach(async () => {
    await db.destroy();
  });
  const clock = { now: () => new Date('2026-11-27T10:00:00Z') };

  it('the stored admin password counts too: generated is strong; a weak one set later is refused', async () => {
    const repo = new IdentityRepo(db);
    const boot = await bootstrapIdentity(repo, clock, null);
    expect(boot.generated).toBe(true);
    expect(boot.adminPassword!.length).toBeGreaterThanOrEqual(MIN_STRONG_LENGTH);
    expect(await storedPasswordRefusal('0.0.0.0', repo)).toBeNull();
    const admin = (await repo.findUserByName('default', 'admin'))!;
    await repo.updateUser(admin.id, await passwordColumns('secret', 'now'));
    expect(await storedPasswordRefusal('0.0.0.0', repo)).toMatch(/admin user's password is weak/);
    expect(await storedPasswordRefusal('127.0.0.1', repo)).toBeNull();
    // Strength unknown (set before it was recorded): refused too, with its own reason.
    await repo.updateUser(admin.id, { password_weak: null });
    expect(await storedPasswordRefusal('0.0.0.0', repo)).toMatch(/before its strength was recorded/);
    // ...until the service starts with that same password in NOVADOCK_ADMIN_PASSWORD, which records it.
    await bootstrapIdentity(repo, clock, 'secret');
    expect(await storedPasswordRefusal('0.0.0.0', repo)).toMatch(/admin user's password is weak/);
    await repo.updateUser(admin.id, { ...(await passwordColumns(boot.adminPassword, 'now')), password_weak: null });
    await bootstrapIdentity(repo, clock, boot.adminPassword);
    expect(await storedPasswordRefusal('0.0.0.0', repo)).toBeNull();
  });
  it('NOVADOCK_ADMIN_PASSWORD replaces a stored password and its recorded weakness', async () => {
    const repo = new IdentityRepo(db);
    await bootstrapIdentity(repo, clock, 'secret');
    expect(await storedPasswordRefusal('0.0.0.0', repo)).toMatch(/weak/);
    const again = await bootstrapIdentity(repo, clock, 'a-long-and-unusual-one');
    expect(again).toMatchObject({ adminPassword: 'a-long-and-unusual-one', generated: false, created: false });
    expect(await storedPasswordRefusal('0.0.0.0', repo)).toBeNull();
  });
});

describe('login throttle', () => {
  let db: Knex;
  let now: number;
  const clock = { now: () => new Date(now) };
  beforeEach(async () => {
    db = createKnex('sqlite://:memory:');
    await migrateLatest(db);
    now = Date.parse('2026-11-27T10:00:00Z');
  });
  afterEach(async () => {
    await db.destroy();
  });
  const blocked = async (t: LoginThrottle, b: { user: string; address: string | null }) => {
    try {
      await t.assertAllowed(b);
      return null;
    } catch (e) {
      return e as ApiError;
    }
  };

  it('blocks a user after perUser failures within the window, from any address, until the window ends', async () => {
    const t = new LoginThrottle(new LoginFailuresRepo(db), clock, { perUser: 3, perAddress: 100, windowSeconds: 60 });
    for (let i = 0; i < 3; i++) {
      expect(await blocked(t, { user: 'id:u1', address: `10.0.0.${i}` })).toBeNull();
      await t.recordFailure({ user: 'id:u1', address: `10.0.0.${i}` });
      now += 1000;
    }
    const err = await blocked(t, { user: 'id:u1', address: '10.9.9.9' });
    expect(err?.status).toBe(401);
    expect(err?.message).toBe(THROTTLED_MESSAGE);
    expect(Number(err?.headers['Retry-After'])).toBe(57); // window opened at t0, now t0+3s
    expect(await blocked(t, { user: 'id:u2', address: '10.9.9.9' })).toBeNull(); // other users unaffected
    now += 57_000;
    expect(await blocked(t, { user: 'id:u1', address: '10.9.9.9' })).toBeNull();
    await t.recordFailure({ user: 'id:u1', address: null }); // a new window starts with 1
    expect(await blocked(t, { user: 'id:u1', address: null })).toBeNull();
  });
  it('blocks an address after perAddress failures over many user names', async () => {
    const t = new LoginThrottle(new LoginFailuresRepo(db), clock, { perUser: 100, perAddress: 4, windowSeconds: 60 });
    for (let i = 0; i < 4; i++) await t.recordFailure({ user: `name:default/guess${i}`, address: '192.0.2.7' });
    expect((await blocked(t, { user: 'name:default/someone-else', address: '192.0.2.7' }))?.status).toBe(401);
    expect(await blocked(t, { user: 'name:default/someone-else', address: '192.0.2.8' })).toBeNull();
  });
  it('success clears the user counter but not the address counter; long names are stored as digests', async () => {
    const repo = new LoginFailuresRepo(db);
    const t = new LoginThrottle(repo, clock, { perUser: 2, perAddress: 3, windowSeconds: 60 });
    const long = `name:default/${'x'.repeat(500)}`;
    await t.recordFailure({ user: long, address: '192.0.2.1' });
    await t.recordFailure({ user: long, address: '192.0.2.1' });
    expect((await blocked(t, { user: long, address: null }))?.status).toBe(401);
    const rows = await db('login_failures').select('bucket');
    expect(rows.every((r: { bucket: string }) => r.bucket.length <= 200)).toBe(true);
    await t.recordSuccess({ user: long, address: '192.0.2.1' });
    expect(await blocked(t, { user: long, address: null })).toBeNull();
    await t.recordFailure({ user: 'id:other', address: '192.0.2.1' });
    expect((await blocked(t, { user: 'id:new', address: '192.0.2.1' }))?.status).toBe(401);
  });
});
