import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { sql } from '../../src/db/sql.js';

let t: TestApp;
let alice: { userId: string; token: string; projectId: string };
let bob: { userId: string; token: string };
let edPub: string;
let edFingerprint: string;
beforeAll(async () => {
  t = await makeTestApp();
  alice = await makeProjectUser(t, 'kp-alice', 'member');
  bob = await makeProjectUser(t, 'kp-bob', 'member');
  // A real OpenSSH key and the fingerprint ssh-keygen gives it.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'me@host', '-f', path.join(dir, 'k')]);
  edPub = fs.readFileSync(path.join(dir, 'k.pub'), 'utf8');
  edFingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'md5', '-f', path.join(dir, 'k.pub')], { encoding: 'utf8' })
    .split(' ')[1]
    .replace(/^MD5:/, '');
  fs.rmSync(dir, { recursive: true, force: true });
});
afterAll(async () => {
  await t.close();
});

const url = '/compute/v2.1/os-keypairs';
const as = (token: string, mv?: string) => {
  const h: Record<string, string> = { 'X-Auth-Token': token };
  if (mv) h['OpenStack-API-Version'] = `compute ${mv}`;
  return h;
};

describe('generate (below 2.92)', () => {
  it('2.1: 200 with private_key once, OpenSSH public key, MD5 fingerprint; never stored', async () => {
    const res = await t.http
      .post(url)
      .set(as(alice.token))
      .send({ keypair: { name: 'gen1' } });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.keypair)).toEqual(['private_key', 'name', 'public_key', 'fingerprint', 'user_id']);
    expect(res.body.keypair.private_key).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(res.body.keypair.public_key).toMatch(/^ssh-rsa AAAAB3NzaC1yc2E\S+ Generated-by-Nova$/);
    expect(res.body.keypair.user_id).toBe(alice.userId);
    // the fingerprint is the one ssh-keygen computes for the public key returned
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-'));
    fs.writeFileSync(path.join(dir, 'k.pub'), res.body.keypair.public_key + '\n');
    fs.writeFileSync(path.join(dir, 'k'), res.body.keypair.private_key, { mode: 0o600 });
    const fp = execFileSync('ssh-keygen', ['-l', '-E', 'md5', '-f', path.join(dir, 'k.pub')], { encoding: 'utf8' });
    expect(fp).toContain(`MD5:${res.body.keypair.fingerprint}`);
    // and the private key belongs to it
    const derived = execFileSync('ssh-keygen', ['-y', '-f', path.join(dir, 'k')], { encoding: 'utf8' }).trim();
    expect(res.body.keypair.public_key.startsWith(derived.split(' ').slice(0, 2).join(' '))).toBe(true);
    fs.rmSync(dir, { recursive: true, force: true });
    const rows = await sql(t.services.db)('keypairs').where({ name: 'gen1' });
    expect(JSON.stringify(rows)).not.toContain('PRIVATE KEY');
    const show = await t.http.get(`${url}/gen1`).set(as(alice.token));
    expect(show.body.keypair.private_key).toBeUndefined();
  });

  it('2.10 with type ssh: 201 and type first after private_key', async () => {
    const res = await t.http
      .post(url)
      .set(as(alice.token, '2.10'))
      .send({ keypair: { name: 'gen2', type: 'ssh' } });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body.keypair)).toEqual([
      'private_key',
      'type',
      'name',
      'public_key',
      'fingerprint',
      'user_id',
    ]);
  });
});

describe('import', () => {
  it('an ed25519 key: 201 at 2.2+, fingerprint as ssh-keygen -E md5', async () => {
    const res = await t.http
      .post(url)
      .set(as(alice.token, '2.79'))
      .send({ keypair: { name: 'ed', public_key: edPub } });
    expect(res.status).toBe(201);
    expect(res.body.keypair).toEqual({
      type: 'ssh',
      name: 'ed',
      public_key: edPub,
      fingerprint: edFingerprint,
      user_id: alice.userId,
    });
    expect(await t.services.keypairs.findForUser(alice.userId, 'ed')).toEqual({
      name: 'ed',
      public_key: edPub,
      type: 'ssh',
      fingerprint: edFingerprint,
    });
  });

  it('an x509 certificate from 2.2: fingerprint is the SHA-1 of the certificate', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        '/CN=kp',
        '-days',
        '1',
        '-keyout',
        path.join(dir, 'k'),
        '-out',
        path.join(dir, 'c.pem'),
      ],
      { stdio: 'ignore' },
    );
    const pem = fs.readFileSync(path.join(dir, 'c.pem'), 'utf8');
    const sha1 = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha1', '-in', path.join(dir, 'c.pem')], {
      encoding: 'utf8',
    })
      .trim()
      .split('=')[1]
      .toLowerCase();
    fs.rmSync(dir, { recursive: true, force: true });
    const res = await t.http
      .post(url)
      .set(as(alice.token, '2.2'))
      .send({ keypair: { name: 'cert', type: 'x509', public_key: pem } });
    expect(res.status).toBe(201);
    expect(res.body.keypair.type).toBe('x509');
    expect(res.body.keypair.fingerprint).toBe(sha1);
    const bad = await t.http
      .post(url)
      .set(as(alice.token, '2.2'))
      .send({ keypair: { name: 'cert2', type: 'x509', public_key: 'nope' } });
    expect(bad.status).toBe(400);
    expect(bad.body.badRequest.message).toMatch(/^Keypair data is invalid: failed to generate X509 fingerprint/);
  });

  it('x509 generation: a self-signed client certificate for the user and its private key', async () => {
    const res = await t.http
      .post(url)
      .set(as(alice.token, '2.10'))
      .send({ keypair: { name: 'gen-cert', type: 'x509' } });
    expect(res.status).toBe(201);
    const { public_key: pem, private_key: key, fingerprint } = res.body.keypair;
    expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    expect(key).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kp-'));
    fs.writeFileSync(path.join(dir, 'c.pem'), pem);
    fs.writeFileSync(path.join(dir, 'k.pem'), key);
    const text = execFileSync(
      'openssl',
      [
        'x509',
        '-in',
        path.join(dir, 'c.pem'),
        '-noout',
        '-subject',
        '-fingerprint',
        '-sha1',
        '-ext',
        'extendedKeyUsage,subjectAltName',
      ],
      { encoding: 'utf8' },
    );
    expect(text).toContain(`CN = ${alice.userId}`);
    expect(text).toContain('TLS Web Client Authentication');
    expect(text).toContain(`UPN::${alice.userId}@localhost`);
    expect(text.toLowerCase()).toContain(fingerprint);
    expect(
      execFileSync('openssl', ['verify', '-CAfile', path.join(dir, 'c.pem'), path.join(dir, 'c.pem')], {
        encoding: 'utf8',
      }),
    ).toContain('OK');
    const certKey = execFileSync('openssl', ['x509', '-in', path.join(dir, 'c.pem'), '-noout', '-pubkey'], {
      encoding: 'utf8',
    });
    const privPub = execFileSync('openssl', ['pkey', '-in', path.join(dir, 'k.pem'), '-pubout'], { encoding: 'utf8' });
    expect(privPub).toBe(certKey);
    fs.rmSync(dir, { recursive: true, force: true });
    await t.http.delete(`${url}/gen-cert`).set(as(alice.token, '2.10')).expect(204);
  });

  it('type is not accepted at 2.1; an unknown type is a 400', async () => {
    const r1 = await t.http
      .post(url)
      .set(as(alice.token))
      .send({ keypair: { name: 'x', type: 'ssh' } });
    expect(r1.status).toBe(400);
    expect(r1.body.badRequest.message).toBe(
      "Invalid input for field/attribute keypair. Value: {'name': 'x', 'type': 'ssh'}. Additional properties are not allowed ('type' was unexpected)",
    );
    const r2 = await t.http
      .post(url)
      .set(as(alice.token, '2.2'))
      .send({ keypair: { name: 'x', type: 'pgp' } });
    expect(r2.status).toBe(400);
    expect(r2.body.badRequest.message).toBe(
      "Invalid input for field/attribute type. Value: pgp. 'pgp' is not one of ['ssh', 'x509']",
    );
  });

  it('invalid public keys are 400 "Keypair data is invalid"', async () => {
    const blob = edPub.split(' ')[1];
    for (const key of [
      'not a key',
      'ssh-rsa !!!!',
      `ssh-rsa ${blob}`,
      `ssh-ed25519 ${blob.slice(0, -8)}`,
      'ssh-ed25519',
    ]) {
      const res = await t.http
        .post(url)
        .set(as(alice.token, '2.2'))
        .send({ keypair: { name: 'bad', public_key: key } });
      expect(res.status, key).toBe(400);
      expect(res.body).toEqual({
        badRequest: { code: 400, message: 'Keypair data is invalid: failed to generate fingerprint' },
      });
    }
  });

  it('names: unsafe characters and surrounding spaces are refused; spaces inside are fine', async () => {
    const bad = await t.http
      .post(url)
      .set(as(alice.token, '2.79'))
      .send({ keypair: { name: 'me@host.x', public_key: edPub } });
    expect(bad.status).toBe(400);
    // Zed's keypair_name_20 format: InvalidName listing the expected characters (string.digits + ascii_letters)
    const alnum = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
    expect(bad.body.badRequest.message).toBe(
      `An invalid 'name' value was provided. The name must be: Only expected characters: [_- ${alnum}]`,
    );
    // 2.92 (keypair_name_292) takes '@' and '.', and lists them when refusing
    const at292 = await t.http
      .post(url)
      .set(as(alice.token, '2.92'))
      .send({ keypair: { name: 'me@host.x', public_key: edPub } });
    expect(at292.status).toBe(201);
    expect((await t.http.delete(`${url}/${encodeURIComponent('me@host.x')}`).set(as(alice.token, '2.92'))).status).toBe(
      204,
    );
    const bad292 = await t.http
      .post(url)
      .set(as(alice.token, '2.92'))
      .send({ keypair: { name: 'me+host', public_key: edPub } });
    expect(bad292.status).toBe(400);
    expect(bad292.body.badRequest.message).toBe(
      `An invalid 'name' value was provided. The name must be: Only expected characters: [@._- ${alnum}]`,
    );
    const lead = await t.http
      .post(url)
      .set(as(alice.token, '2.79'))
      .send({ keypair: { name: ' lead', public_key: edPub } });
    expect(lead.status).toBe(400);
    expect(lead.body.badRequest.message).toBe(
      "An invalid 'name' value was provided. The name must be: printable characters. Can not start or end with whitespace.",
    );
    const empty = await t.http
      .post(url)
      .set(as(alice.token, '2.79'))
      .send({ keypair: { name: '', public_key: edPub } });
    expect(empty.status).toBe(400);
    const ok = await t.http
      .post(url)
      .set(as(alice.token, '2.79'))
      .send({ keypair: { name: 'with space_-1', public_key: edPub } });
    expect(ok.status).toBe(201);
    const show = await t.http.get(`${url}/${encodeURIComponent('with space_-1')}`).set(as(alice.token));
    expect(show.status).toBe(200);
  });

  it("a duplicate name is 409 with Nova's message; another user may use the same name", async () => {
    const dup = await t.http
      .post(url)
      .set(as(alice.token))
      .send({ keypair: { name: 'gen1' } });
    expect(dup.status).toBe(409);
    expect(dup.body).toEqual({ conflictingRequest: { code: 409, message: "Key pair 'gen1' already exists." } });
    const other = await t.http
      .post(url)
      .set(as(bob.token, '2.2'))
      .send({ keypair: { name: 'gen1', public_key: edPub } });
    expect(other.status).toBe(201);
  });
});

describe('show, list, delete', () => {
  it("show has Nova's fields in order; type from 2.2; 404 wording", async () => {
    const r1 = await t.http.get(`${url}/ed`).set(as(alice.token));
    expect(Object.keys(r1.body.keypair)).toEqual([
      'name',
      'public_key',
      'fingerprint',
      'user_id',
      'created_at',
      'deleted',
      'deleted_at',
      'id',
      'updated_at',
    ]);
    expect(r1.body.keypair.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    expect(r1.body.keypair).toMatchObject({ deleted: false, deleted_at: null, updated_at: null });
    expect(typeof r1.body.keypair.id).toBe('number');
    const r2 = await t.http.get(`${url}/ed`).set(as(alice.token, '2.79'));
    expect(Object.keys(r2.body.keypair).at(-1)).toBe('type');
    const missing = await t.http.get(`${url}/nope`).set(as(alice.token));
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({
      itemNotFound: { code: 404, message: `Keypair nope not found for user ${alice.userId}` },
    });
  });

  it('each user sees only their own key pairs', async () => {
    const a = await t.http.get(url).set(as(alice.token));
    const b = await t.http.get(url).set(as(bob.token));
    const names = (r: { body: { keypairs: { keypair: { name: string } }[] } }) =>
      r.body.keypairs.map((k) => k.keypair.name);
    expect(names(a)).toEqual(['cert', 'ed', 'gen1', 'gen2', 'with space_-1']);
    expect(names(b)).toEqual(['gen1']);
    expect(Object.keys(a.body.keypairs[0].keypair)).toEqual(['name', 'public_key', 'fingerprint']);
    const bobSees = await t.http.get(`${url}/ed`).set(as(bob.token));
    expect(bobSees.status).toBe(404);
  });

  it('2.35 paging: limit and marker, a next link on a full page, 400 for a bad marker or limit', async () => {
    const p1 = await t.http.get(`${url}?limit=2`).set(as(alice.token, '2.35')).set('Host', 'h:1');
    expect(p1.body.keypairs.map((k: { keypair: { name: string } }) => k.keypair.name)).toEqual(['cert', 'ed']);
    expect(p1.body.keypairs_links).toEqual([
      { href: 'http://h:1/compute/v2.1/os-keypairs?limit=2&marker=ed', rel: 'next' },
    ]);
    const p3 = await t.http.get(`${url}?limit=2&marker=gen2`).set(as(alice.token, '2.35'));
    expect(p3.body.keypairs.map((k: { keypair: { name: string } }) => k.keypair.name)).toEqual(['with space_-1']);
    expect(p3.body.keypairs_links).toBeUndefined();
    const old = await t.http.get(`${url}?limit=2`).set(as(alice.token, '2.34'));
    expect(old.body.keypairs).toHaveLength(5);
    const badMarker = await t.http.get(`${url}?marker=zzz`).set(as(alice.token, '2.35'));
    expect(badMarker.status).toBe(400);
    expect(badMarker.body.badRequest.message).toBe('Marker zzz could not be found.');
    const badLimit = await t.http.get(`${url}?limit=x`).set(as(alice.token, '2.35'));
    expect(badLimit.status).toBe(400);
  });

  it("admin reaches another user's key pairs with user_id from 2.10; others get 403", async () => {
    const list = await t.http.get(`${url}?user_id=${bob.userId}`).set(as(t.adminToken, '2.10'));
    expect(list.body.keypairs.map((k: { keypair: { name: string } }) => k.keypair.name)).toEqual(['gen1']);
    const created = await t.http
      .post(url)
      .set(as(t.adminToken, '2.10'))
      .send({ keypair: { name: 'for-bob', public_key: edPub, user_id: bob.userId } });
    expect(created.status).toBe(201);
    expect(created.body.keypair.user_id).toBe(bob.userId);
    const denied = await t.http.get(`${url}?user_id=${bob.userId}`).set(as(alice.token, '2.10'));
    expect(denied.status).toBe(403);
    expect(denied.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:os-keypairs:index to be performed.",
    );
    const del = await t.http.delete(`${url}/for-bob?user_id=${bob.userId}`).set(as(t.adminToken, '2.10'));
    expect(del.status).toBe(204);
  });

  it('delete: 202 at 2.1, 204 from 2.2, then 404', async () => {
    const d1 = await t.http.delete(`${url}/gen1`).set(as(alice.token));
    expect(d1.status).toBe(202);
    const d2 = await t.http.delete(`${url}/gen2`).set(as(alice.token, '2.2'));
    expect(d2.status).toBe(204);
    const again = await t.http.delete(`${url}/gen2`).set(as(alice.token, '2.2'));
    expect(again.status).toBe(404);
  });

  it("the key_pairs quota stops the 101st with Nova's 403", async () => {
    const carol = await makeProjectUser(t, 'kp-carol', 'member');
    const now = new Date().toISOString();
    await sql(t.services.db)('quotas').insert({
      project_id: carol.projectId,
      resource: 'key_pairs',
      hard_limit: 2,
      created_at: now,
    });
    for (const n of ['a', 'b'])
      expect(
        (
          await t.http
            .post(url)
            .set(as(carol.token, '2.2'))
            .send({ keypair: { name: n, public_key: edPub } })
        ).status,
      ).toBe(201);
    const over = await t.http
      .post(url)
      .set(as(carol.token, '2.2'))
      .send({ keypair: { name: 'c', public_key: edPub } });
    expect(over.status).toBe(403);
    expect(over.body).toEqual({ forbidden: { code: 403, message: 'Quota exceeded, too many key pairs.' } });
  });
});
