// Failed logins are limited per user and per client address, with one clear 401 that says nothing
// about whether the user exists; passwords and tokens never leave the service in clear.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTestApp, makeProjectUser, ADMIN_PASSWORD, type TestApp } from '../helpers/app.js';
import { DEFAULT_THROTTLE, THROTTLED_MESSAGE } from '../../src/identity/login-throttle.js';
import { sql } from '../../src/db/sql.js';

let t: TestApp;
beforeEach(async () => {
  t = await makeTestApp();
});
afterEach(async () => {
  await t.close();
});

const login = (user: Record<string, unknown>, password: string, ip = '127.0.0.1') =>
  t.http
    .post('/identity/v3/auth/tokens')
    .set('X-Forwarded-For', ip)
    .send({
      auth: {
        identity: { methods: ['password'], password: { user: { ...user, password } } },
        scope: { project: { name: 'admin' } },
      },
    });

describe('failed-login limits', () => {
  it(`after ${DEFAULT_THROTTLE.perUser} failures a user is refused even with the right password; others are not`, async () => {
    for (let i = 0; i < DEFAULT_THROTTLE.perUser; i++) {
      const res = await login({ name: 'admin' }, `wrong-${i}`);
      expect(res.status).toBe(401);
      expect(res.body.error.message).toBe('The request you have made requires authentication.');
    }
    const blocked = await login({ name: 'admin', domain: { id: 'default' } }, ADMIN_PASSWORD);
    expect(blocked.status).toBe(401);
    expect(blocked.body).toEqual({ error: { code: 401, message: THROTTLED_MESSAGE, title: 'Unauthorized' } });
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(DEFAULT_THROTTLE.windowSeconds);
    // by id is the same user, so the same limit
    const admin = (await t.services.identityRepo.findUserByName('default', 'admin'))!;
    expect((await login({ id: admin.id }, ADMIN_PASSWORD)).body.error.message).toBe(THROTTLED_MESSAGE);
    // another user logs in fine from the same address
    const m = await makeProjectUser(t, 'sec-other', 'member');
    expect(m.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // tokens already issued keep working
    expect((await t.http.get('/identity/v3/auth/projects').set('X-Auth-Token', t.adminToken)).status).toBe(200);
  });

  it('an unknown user is limited exactly like a real one, so the answer reveals nothing', async () => {
    const answers: string[] = [];
    for (const name of ['admin', 'no-such-user']) {
      const seq = [];
      for (let i = 0; i <= DEFAULT_THROTTLE.perUser; i++) {
        const res = await login({ name }, `wrong-${i}`);
        seq.push(`${res.status} ${res.body.error.message} ${res.headers['retry-after'] ? 'retry' : ''}`);
      }
      answers.push(seq.join('\n'));
    }
    expect(answers[0]).toBe(answers[1]);
    expect(answers[0]).toContain(THROTTLED_MESSAGE);
  });

  it(`after ${DEFAULT_THROTTLE.perAddress} failures from one address, logins from it are refused`, async () => {
    // The test app does not trust X-Forwarded-For, so every request comes from the same address.
    for (let i = 0; i < DEFAULT_THROTTLE.perAddress; i++) {
      const res = await login({ name: `spray-${i}` }, 'guess', `203.0.113.${i}`);
      expect(res.status).toBe(401);
    }
    const res = await login({ name: 'admin' }, ADMIN_PASSWORD);
    expect(res.status).toBe(401);
    expect(res.body.error.message).toBe(THROTTLED_MESSAGE);
  });
});

describe('secrets at rest and in answers', () => {
  it('no API answer carries a password hash; the database has no clear-text password', async () => {
    const users = await t.http.get('/identity/v3/users').set('X-Auth-Token', t.adminToken);
    expect(JSON.stringify(users.body)).not.toMatch(/scrypt|password_hash|test-admin-password/);
    const rows = await sql(t.services.db)('users').select('password_hash');
    expect(JSON.stringify(rows)).not.toContain(ADMIN_PASSWORD);
    expect(
      rows.every(
        (r: { password_hash: string | null }) => r.password_hash === null || r.password_hash.startsWith('scrypt$'),
      ),
    ).toBe(true);
  });
});
