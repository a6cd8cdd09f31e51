// Route validators compile at their first request (start-up time); this proves every route schema
// still compiles under the strict Ajv, so a broken schema fails here rather than on a user's request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileRouteSchemas } from '../../src/plugins/validation.js';
import { makeTestApp, type TestApp } from '../helpers/app.js';

describe('route schemas', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('all compile', () => {
    expect(compileRouteSchemas()).toBeGreaterThan(20);
  });

  it("a lazily compiled validator still answers a bad body with Nova's 400", async () => {
    const res = await t.http
      .post('/compute/v2.1/os-keypairs')
      .set('X-Auth-Token', t.adminToken)
      .send({ keypair: { name: 'k', bogus: 1 } });
    expect(res.status).toBe(400);
    expect(res.body.badRequest.message).toContain("Additional properties are not allowed ('bogus' was unexpected)");
  });
});
