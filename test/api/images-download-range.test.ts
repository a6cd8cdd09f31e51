// Ranged image downloads (GET /v2/images/{id}/file with Range or, for older clients,
// Content-Range), answered as Glance does: 206 with Content-Range, 416/400 with Glance's wording,
// streamed from an offset of the stored file. curl's --range / --continue-at is the real client.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Response } from 'supertest';
import { makeTestApp, type TestApp } from '../helpers/app.js';
import { runCli } from '../helpers/cli.js';
import { requestedRange } from '../../src/images/byte-range.js';

let t: TestApp;
let dataDir: string;
/** 1000 bytes, each its own position mod 251, so any slice is recognisable. */
const DATA = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
const MD5 = createHash('md5').update(DATA).digest('hex');
let imageId: string;

beforeEach(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'novadock-range-'));
  t = await makeTestApp({ dataDir });
  const created = await t.http
    .post('/image/v2/images')
    .set('X-Auth-Token', t.adminToken)
    .send({ name: 'ranged', container_format: 'bare', disk_format: 'raw' });
  imageId = created.body.id;
  const up = await t.http
    .put(`/image/v2/images/${imageId}/file`)
    .set('X-Auth-Token', t.adminToken)
    .set('Content-Type', 'application/octet-stream')
    .send(DATA);
  expect(up.status).toBe(204);
});
afterEach(async () => {
  try {
    await t?.close();
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

const binary = (res: Response, cb: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
};
const download = (headers: Record<string, string>) => {
  const req = t.http.get(`/image/v2/images/${imageId}/file`).set('X-Auth-Token', t.adminToken);
  for (const [k, v] of Object.entries(headers)) req.set(k, v);
  return req.buffer(true).parse(binary);
};

describe('Range: bytes=…', () => {
  it('bytes=a-b: 206, Content-Range, Content-Length of the part, exactly those bytes', async () => {
    const res = await download({ Range: 'bytes=100-199' });
    expect(res.status).toBe(206);
    expect(res.headers['content-range']).toBe('bytes 100-199/1000');
    expect(res.headers['content-length']).toBe('100');
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect((res.body as Buffer).equals(DATA.subarray(100, 200))).toBe(true);
    // Glance sends the whole image's checksum on a partial download as well.
    expect(res.headers['content-md5']).toBe(MD5);
  });

  it('open-ended, suffix and over-long ranges are cut at the end of the image', async () => {
    const open = await download({ Range: 'bytes=990-' });
    expect([open.status, open.headers['content-range'], open.headers['content-length']]).toEqual([
      206,
      'bytes 990-999/1000',
      '10',
    ]);
    expect((open.body as Buffer).equals(DATA.subarray(990))).toBe(true);
    const suffix = await download({ Range: 'bytes=-3' });
    expect([suffix.status, suffix.headers['content-range']]).toEqual([206, 'bytes 997-999/1000']);
    expect((suffix.body as Buffer).equals(DATA.subarray(997))).toBe(true);
    const longer = await download({ Range: 'bytes=998-5000' });
    expect([longer.status, longer.headers['content-range'], longer.headers['content-length']]).toEqual([
      206,
      'bytes 998-999/1000',
      '2',
    ]);
    // A suffix longer than the image is the whole image (still 206, as webob parses it).
    const all = await download({ Range: 'bytes=-5000' });
    expect([all.status, all.headers['content-range']]).toEqual([206, 'bytes 0-999/1000']);
    expect((all.body as Buffer).equals(DATA)).toBe(true);
  });

  it('without a range: 200, the whole image, Content-MD5, no Content-Range', async () => {
    const res = await download({});
    expect(res.status).toBe(200);
    expect(res.headers['content-range']).toBeUndefined();
    expect(res.headers['content-md5']).toBe(MD5);
    expect((res.body as Buffer).equals(DATA)).toBe(true);
  });

  it("a start at or past the end is 416 with Glance's explanation", async () => {
    const res = await t.http
      .get(`/image/v2/images/${imageId}/file`)
      .set('X-Auth-Token', t.adminToken)
      .set('Range', 'bytes=1000-');
    expect(res.status).toBe(416);
    expect(res.body.message).toContain(
      'Invalid start position in Range header. Start position MUST be in the inclusive range [0, 999].',
    );
    // webob's title and code line, not Node's status name
    expect(res.body).toMatchObject({
      title: 'Request Range Not Satisfiable',
      code: '416 Request Range Not Satisfiable',
    });
  });

  it.each(['bytes=5', 'items=0-4', 'bytes=9-3', 'bytes=-', 'garbage'])(
    'malformed %s is 416 "Invalid Range header."',
    async (range) => {
      const res = await t.http
        .get(`/image/v2/images/${imageId}/file`)
        .set('X-Auth-Token', t.adminToken)
        .set('Range', range);
      expect(res.status).toBe(416);
      expect(res.body.message).toContain('Invalid Range header.');
    },
  );

  it("several ranges are a 400 with Glance's wording", async () => {
    const res = await t.http
      .get(`/image/v2/images/${imageId}/file`)
      .set('X-Auth-Token', t.adminToken)
      .set('Range', 'bytes=0-1,5-6');
    expect(res.status).toBe(400);
    expect(res.body.message).toContain(
      'Requests with multiple ranges are not supported in Glance. You may make multiple single-range requests instead.',
    );
  });

  it('an image without data still answers 204, whatever the range', async () => {
    const queued = await t.http.post('/image/v2/images').set('X-Auth-Token', t.adminToken).send({ name: 'empty' });
    const res = await t.http
      .get(`/image/v2/images/${queued.body.id}/file`)
      .set('X-Auth-Token', t.adminToken)
      .set('Range', 'bytes=0-1');
    expect(res.status).toBe(204);
  });
});

describe('Content-Range (older clients)', () => {
  it('bytes a-b/* and bytes a-b/len give 206 with that part', async () => {
    const star = await download({ 'Content-Range': 'bytes 10-19/*' });
    expect([star.status, star.headers['content-range'], star.headers['content-length']]).toEqual([
      206,
      'bytes 10-19/1000',
      '10',
    ]);
    expect((star.body as Buffer).equals(DATA.subarray(10, 20))).toBe(true);
    const withLength = await download({ 'Content-Range': 'bytes 0-4/1000' });
    expect([withLength.status, withLength.headers['content-range']]).toEqual([206, 'bytes 0-4/1000']);
    expect((withLength.body as Buffer).equals(DATA.subarray(0, 5))).toBe(true);
  });

  it('Range wins over Content-Range', async () => {
    const res = await download({ Range: 'bytes=1-2', 'Content-Range': 'bytes 10-19/*' });
    expect(res.headers['content-range']).toBe('bytes 1-2/1000');
  });

  it.each([
    [
      'bytes 0-1000/*',
      'Invalid stop position in Content-Range header. The stop position MUST be in the inclusive range [0, 999].',
    ],
    [
      'bytes 1000-1200/2000',
      'Invalid start position in Content-Range header. Start position MUST be in the inclusive range [0, 999].',
    ],
    ['bytes 5-2/*', 'Invalid Content-Range header.'],
    ['bytes */1000', 'Invalid Content-Range header.'],
    ['bytes=0-4', 'Invalid Content-Range header.'],
  ])('%s is 416: %s', async (value, message) => {
    const res = await t.http
      .get(`/image/v2/images/${imageId}/file`)
      .set('X-Auth-Token', t.adminToken)
      .set('Content-Range', value);
    expect(res.status).toBe(416);
    expect(res.body.message).toContain(message);
  });
});

describe('requestedRange (the parser, on sizes the API cannot easily reach)', () => {
  it('an empty image has no satisfiable range', () => {
    expect(() => requestedRange({ range: 'bytes=0-' }, 0)).toThrow(
      'Start position MUST be in the inclusive range [0, -1].',
    );
    expect(() => requestedRange({ range: 'bytes=-1' }, 0)).toThrow(
      'Start position MUST be in the inclusive range [0, -1].',
    );
  });
  it('webob ignores text after the range and accepts spaces and any case', () => {
    expect(requestedRange({ range: 'BYTES = 2 - 4;x' }, 10)).toEqual({ start: 2, end: 4 });
  });
});

describe('curl', () => {
  it('curl --range and --continue-at resume a download to the same bytes', async () => {
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}/image/v2/images/${imageId}/file`;
    const out = path.join(dataDir, 'part');
    const first = await runCli(
      'curl',
      ['-sS', '-f', '-H', `X-Auth-Token: ${t.adminToken}`, '--range', '0-399', '-o', out, '-w', '%{http_code}', url],
      {},
      { timeoutMs: 20_000 },
    );
    expect(first.stderr).toBe('');
    expect(first.stdout).toBe('206');
    expect(fs.readFileSync(out).equals(DATA.subarray(0, 400))).toBe(true);
    // The resume: curl asks for bytes=400- and appends.
    const rest = await runCli(
      'curl',
      ['-sS', '-f', '-H', `X-Auth-Token: ${t.adminToken}`, '-C', '-', '-o', out, '-w', '%{http_code}', url],
      {},
      { timeoutMs: 20_000 },
    );
    expect(rest.stderr).toBe('');
    expect(rest.stdout).toBe('206');
    expect(createHash('md5').update(fs.readFileSync(out)).digest('hex')).toBe(MD5);
    const past = await runCli(
      'curl',
      ['-sS', '-H', `X-Auth-Token: ${t.adminToken}`, '--range', '5000-', '-w', '%{http_code}', '-o', '/dev/null', url],
      {},
      { timeoutMs: 20_000 },
    );
    expect(past.stdout).toBe('416');
  });
});
