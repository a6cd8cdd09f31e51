// GET /v2/images comparative filters as Glance has them: the `in:` operator (with quoting) on
// name, id, status, container_format and disk_format; size_min/size_max; created_at/updated_at
// with eq/neq/gt/gte/lt/lte (any other prefix is part of the value); checksum, os_hash_value,
// protected; Glance's 400 wording for bad values and dates; the relative `next` link keeps them. glance image-list --property-filter is the real client.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { makeTestApp, type TestApp, ADMIN_PASSWORD } from '../helpers/app.js';
import { adminEnv, runCli, type ListeningApp } from '../helpers/cli.js';
import { sql } from '../../src/db/sql.js';

let t: TestApp;
let dataDir: string;
/** every image of a test carries this tag, so that the lists only see them */
let tag: string;

beforeEach(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'novadock-listf-'));
  t = await makeTestApp({ dataDir });
  tag = `lf-${Math.random().toString(36).slice(2, 8)}`;
});
afterEach(async () => {
  try {
    await t?.close();
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

const auth = { 'X-Auth-Token': '' };
async function create(body: Record<string, unknown>, data?: Buffer): Promise<string> {
  auth['X-Auth-Token'] = t.adminToken;
  // Glance takes data only once both formats are set.
  const res = await t.http
    .post('/image/v2/images')
    .set(auth)
    .send({ tags: [tag], container_format: 'bare', disk_format: 'raw', ...body });
  expect(res.status).toBe(201);
  if (data) {
    const up = await t.http
      .put(`/image/v2/images/${res.body.id}/file`)
      .set(auth)
      .set('Content-Type', 'application/octet-stream')
      .send(data);
    expect(up.status).toBe(204);
  }
  return res.body.id;
}
/** names of the tagged images the query lists, sorted (the order is not what these tests are about) */
async function names(query: string): Promise<string[]> {
  const res = await t.http.get(`/image/v2/images?tag=${tag}&${query}`).set('X-Auth-Token', t.adminToken);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.images.map((i: { name: string }) => i.name).sort();
}
async function error(query: string): Promise<{ status: number; message: string }> {
  const res = await t.http.get(`/image/v2/images?${query}`).set('X-Auth-Token', t.adminToken);
  return { status: res.status, message: String(res.body.message ?? '').split('<br />')[0] };
}
const q = (v: string) => encodeURIComponent(v);

describe('the in: operator', () => {
  it('name, container_format, disk_format, status and id match any listed value', async () => {
    const a = await create({ name: 'alpha', container_format: 'bare', disk_format: 'raw' }, Buffer.from('aa'));
    const b = await create({ name: 'beta', container_format: 'docker', disk_format: 'qcow2' });
    await create({ name: 'gamma', container_format: 'ova', disk_format: 'iso' });
    expect(await names(`name=${q('in:alpha,gamma')}`)).toEqual(['alpha', 'gamma']);
    expect(await names(`container_format=${q('in:bare,docker')}`)).toEqual(['alpha', 'beta']);
    expect(await names(`disk_format=${q('in:qcow2,iso,vhd')}`)).toEqual(['beta', 'gamma']);
    expect(await names(`status=${q('in:active,saving')}`)).toEqual(['alpha']);
    expect(await names(`status=${q('in:queued')}`)).toEqual(['beta', 'gamma']);
    expect(await names(`id=${q(`in:${a},${b}`)}`)).toEqual(['alpha', 'beta']);
    // Combined filters AND together; `eq:` is the explicit form of a plain value.
    expect(await names(`container_format=${q('in:bare,docker')}&disk_format=${q('in:qcow2')}`)).toEqual(['beta']);
    expect(await names(`name=${q('eq:beta')}`)).toEqual(['beta']);
  });

  it('quoted values may hold commas; eq: reaches a name with a colon', async () => {
    await create({ name: 'a,b' });
    await create({ name: 'c' });
    await create({ name: 'a' });
    await create({ name: 'x:y' });
    expect(await names(`name=${q('in:"a,b",c')}`)).toEqual(['a,b', 'c']);
    expect(await names(`name=${q('in:c,"a,b"')}`)).toEqual(['a,b', 'c']);
    expect(await names(`name=${q('eq:x:y')}`)).toEqual(['x:y']);
    expect(await names(`name=${q('in:')}`)).toEqual([]);
  });

  it('a prefix that is not in: or eq: is part of the value (Glance would call it an unknown operator; issue 17)', async () => {
    await create({ name: 'x:y' });
    await create({ name: 'busybox:latest' });
    expect(await names(`name=${q('x:y')}`)).toEqual(['x:y']);
    expect(await names(`name=${q('busybox:latest')}`)).toEqual(['busybox:latest']);
    expect(await names(`name=${q('gt:a')}`)).toEqual([]);
    expect(await names(`disk_format=${q('like:raw')}`)).toEqual([]);
  });

  it.each([
    [`name=${q('in:a"b",c')}`, 'Invalid filter value a"b",c. There is no comma before opening quotation mark.'],
    [`name=${q('in:"a"b,c')}`, 'Invalid filter value "a"b,c. There is no comma after closing quotation mark.'],
    [`name=${q('in:"a,b')}`, 'Invalid filter value "a,b. The quote is not closed.'],
    [`status=${q('in:active,bogus')}`, 'Invalid status value: bogus'],
  ])('%s is a 400: %s', async (query, message) => {
    expect(await error(query)).toEqual({ status: 400, message });
  });

  it('the next link keeps the in: filter and pages through it', async () => {
    for (const n of ['p1', 'p2', 'p3', 'other']) await create({ name: n });
    const filter = `name=${q('in:p1,p2,p3')}`;
    const first = await t.http
      .get(`/image/v2/images?tag=${tag}&${filter}&sort_key=name&sort_dir=asc&limit=2`)
      .set('X-Auth-Token', t.adminToken);
    expect(first.body.images.map((i: { name: string }) => i.name)).toEqual(['p1', 'p2']);
    expect(first.body.next).toMatch(/^\/v2\/images\?/);
    expect(new URLSearchParams(first.body.next.split('?')[1]).get('name')).toBe('in:p1,p2,p3');
    const second = await t.http.get(`/image${first.body.next}`).set('X-Auth-Token', t.adminToken);
    expect(second.body.images.map((i: { name: string }) => i.name)).toEqual(['p3']);
    expect(second.body.next).toBeUndefined();
  });
});

describe('size_min / size_max', () => {
  it('bound the size inclusively; images without data have no size and never match', async () => {
    await create({ name: 's10' }, Buffer.alloc(10));
    await create({ name: 's20' }, Buffer.alloc(20));
    await create({ name: 's30' }, Buffer.alloc(30));
    await create({ name: 'none' });
    expect(await names('size_min=20')).toEqual(['s20', 's30']);
    expect(await names('size_max=20')).toEqual(['s10', 's20']);
    expect(await names('size_min=11&size_max=29')).toEqual(['s20']);
    expect(await names('size_min=31')).toEqual([]);
    expect(await names(`size_max=${'9'.repeat(40)}`)).toEqual(['s10', 's20', 's30']);
    expect(await names(`size_min=${q(' +20 ')}`)).toEqual(['s20', 's30']);
  });

  it.each(['size_min=abc', 'size_max=1.5', 'size_max='])("%s is a 400 with Glance's wording", async (query) => {
    expect(await error(query)).toEqual({
      status: 400,
      message: 'Unable to filter on a range with a non-numeric value.',
    });
  });
});

describe('created_at / updated_at', () => {
  beforeEach(async () => {
    // Stored times carry milliseconds; Glance's columns hold whole seconds.
    const times: [string, string, string][] = [
      ['old', '2026-01-01T10:00:00.250Z', '2026-06-01T00:00:00.000Z'],
      ['mid', '2026-03-01T12:30:45.999Z', '2026-03-02T00:00:00.000Z'],
      ['new', '2026-11-01T08:00:00.000Z', '2026-11-02T00:00:00.000Z'],
    ];
    for (const [name, created, updated] of times) {
      const id = await create({ name });
      await sql(t.services.db)('images').where({ id }).update({ created_at: created, updated_at: updated });
    }
  });

  it('compare with gt, gte, lt, lte, eq and neq at whole seconds, as the times are shown', async () => {
    expect(await names(`created_at=${q('gt:2026-03-01T12:30:45Z')}`)).toEqual(['new']);
    expect(await names(`created_at=${q('gte:2026-03-01T12:30:45Z')}`)).toEqual(['mid', 'new']);
    expect(await names(`created_at=${q('lt:2026-03-01T12:30:45Z')}`)).toEqual(['old']);
    expect(await names(`created_at=${q('lte:2026-03-01T12:30:45Z')}`)).toEqual(['mid', 'old']);
    expect(await names(`created_at=${q('eq:2026-03-01T12:30:45Z')}`)).toEqual(['mid']);
    expect(await names(`created_at=${q('neq:2026-03-01T12:30:45Z')}`)).toEqual(['new', 'old']);
    // A bare time (its colons are no operator) is eq.
    expect(await names(`created_at=${q('2026-01-01T10:00:00Z')}`)).toEqual(['old']);
    // A fraction sorts after its whole second.
    expect(await names(`created_at=${q('gte:2026-03-01T12:30:45.5Z')}`)).toEqual(['new']);
  });

  it('takes dates alone and time-zone offsets', async () => {
    expect(await names(`created_at=${q('gte:2026-03-01')}`)).toEqual(['mid', 'new']);
    // Years below 100 are years, not 19xx.
    expect(await names(`created_at=${q('gt:0050-01-01T00:00:00Z')}`)).toEqual(['mid', 'new', 'old']);
    // 13:30:45+01:00 is 12:30:45 UTC.
    expect(await names(`created_at=${q('eq:2026-03-01T13:30:45+01:00')}`)).toEqual(['mid']);
    expect(await names(`updated_at=${q('lte:2026-06-01T00:00:00Z')}`)).toEqual(['mid', 'old']);
    expect(
      await names(`created_at=${q('gt:2026-02-01T00:00:00Z')}&updated_at=${q('lt:2026-10-01T00:00:00Z')}`),
    ).toEqual(['mid']);
  });

  it.each([
    ['created_at=gt:yesterday', 'Bad "created_at" query filter format. Use ISO 8601 DateTime notation.'],
    [
      `updated_at=${q('lte:2026-02-30T00:00:00Z')}`,
      'Bad "updated_at" query filter format. Use ISO 8601 DateTime notation.',
    ],
    // ISO 8601 as oslo's parse_isotime reads it: `2026` (a year alone) is a time, `2026/01/01` is not
    [`created_at=${q('2026/01/01')}`, 'Bad "created_at" query filter format. Use ISO 8601 DateTime notation.'],
    [
      `created_at=${q('gt:0000-01-01T00:00:00Z')}`,
      'Bad "created_at" query filter format. Use ISO 8601 DateTime notation.',
    ],
    [
      `created_at=${q('gt:2026-01-01T24:00:00Z')}`,
      'Bad "created_at" query filter format. Use ISO 8601 DateTime notation.',
    ],
    // not one of the six operators: part of the value, which is then no time
    [
      `created_at=${q('after:2026-01-01T00:00:00Z')}`,
      'Bad "created_at" query filter format. Use ISO 8601 DateTime notation.',
    ],
  ])('%s is a 400: %s', async (query, message) => {
    expect(await error(query)).toEqual({ status: 400, message });
  });
});

describe('checksum, os_hash_value, protected, os_hidden', () => {
  it('checksum and os_hash_value match the column; protected takes true or false', async () => {
    const data = Buffer.from('checksummed');
    await create({ name: 'sum' }, data);
    await create({ name: 'other' }, Buffer.from('different'));
    await create({ name: 'guarded', protected: true });
    const md5 = createHash('md5').update(data).digest('hex');
    const sha512 = createHash('sha512').update(data).digest('hex');
    expect(await names(`checksum=${md5}`)).toEqual(['sum']);
    expect(await names(`os_hash_value=${sha512}`)).toEqual(['sum']);
    expect(await names('protected=true')).toEqual(['guarded']);
    expect(await names('protected=false')).toEqual(['other', 'sum']);
  });

  it.each([
    ['protected=yes', "Invalid value 'yes' for 'protected' filter. Valid values are 'true' or 'false'."],
    ['os_hidden=Maybe', "Invalid value 'maybe' for 'os_hidden' filter. Valid values are 'true' or 'false'."],
    ['member_status=bogus', 'Invalid status: bogus'],
    ['sort=name:asc&sort_key=id', 'Old and new sorting syntax cannot be combined'],
  ])('%s is a 400: %s', async (query, message) => {
    expect(await error(query)).toEqual({ status: 400, message });
  });
});

describe('glance image-list --property-filter (the real client)', () => {
  it('sends name=in:… and size_min through as query parameters and lists what matches', async () => {
    await create({ name: 'cli-a' }, Buffer.alloc(5));
    await create({ name: 'cli-b' }, Buffer.alloc(50));
    await create({ name: 'cli-c' }, Buffer.alloc(50));
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (t.app.server.address() as { port: number }).port;
    const env = adminEnv({ url: `http://127.0.0.1:${port}`, adminPassword: ADMIN_PASSWORD } as ListeningApp);
    const r = await runCli(
      'glance',
      ['image-list', '--tag', tag, '--property-filter', 'name=in:cli-a,cli-b', '--property-filter', 'size_min=10'],
      env,
      { timeoutMs: 60_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('cli-b');
    expect(r.stdout).not.toContain('cli-a');
    expect(r.stdout).not.toContain('cli-c');
    const md5 = createHash('md5').update(Buffer.alloc(5)).digest('hex');
    const bySum = await runCli('glance', ['image-list', '--checksum', md5], env, { timeoutMs: 60_000 });
    expect(bySum.code, bySum.stderr).toBe(0);
    expect(bySum.stdout).toContain('cli-a');
    expect(bySum.stdout).not.toContain('cli-b');
  }, 150_000);
});
