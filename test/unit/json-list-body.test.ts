// sendJsonList (src/api/json-list-body.ts): the bytes on the wire are JSON.stringify's for the same
// document (every key, in order, any text), the headers are Fastify's own for a JSON reply, and the
// pooled buffers come back once their responses are sent, never while one is still being written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { bufferStats, sendJsonList } from '../../src/api/json-list-body.js';

interface Item {
  id: number;
  name: string;
  meta: Record<string, unknown>;
}
const texts = [
  'plain',
  'é ü ß',
  '漢字かな',
  '😀 pair',
  'lone \ud800 surrogate',
  'ctl \u0000\u001f\n\t"\\/',
  '</script>',
];
const itemsOf = (n: number, size = 0, fill = 'x'): Item[] =>
  Array.from({ length: n }, (_, i) => ({
    id: i,
    name: `${texts[i % texts.length]}-${i}`,
    meta: { big: fill.repeat(size), nested: [{ a: null, b: true, c: 1.5 }], undef: undefined },
  }));
const render = (it: Item) => ({
  id: it.id,
  name: it.name,
  meta: it.meta,
  links: [{ rel: 'self', href: `/x/${it.id}` }],
});

let app: FastifyInstance;
const plain = Fastify({ logger: false });

beforeAll(async () => {
  app = Fastify({ logger: false });
  app.get<{ Querystring: { n?: string; size?: string; more?: string; fail?: string; fill?: string } }>(
    '/list',
    async (req, reply) => {
      const items = itemsOf(Number(req.query.n ?? 3), Number(req.query.size ?? 0), req.query.fill);
      const more = req.query.more ? [{ rel: 'next', href: '/list?marker=é' }] : undefined;
      const r = req.query.fail
        ? (it: Item) => {
            if (it.id === 2) throw new Error('render failed');
            return render(it);
          }
        : render;
      return sendJsonList(reply, 'servers', items, r, { servers_links: more });
    },
  );
  plain.get<{ Querystring: { n?: string; size?: string; more?: string } }>('/list', async (req) => {
    const items = itemsOf(Number(req.query.n ?? 3), Number(req.query.size ?? 0));
    const more = req.query.more ? [{ rel: 'next', href: '/list?marker=é' }] : undefined;
    return { servers: items.map(render), servers_links: more };
  });
  await app.ready();
  await plain.ready();
});
afterAll(async () => {
  await app.close();
  await plain.close();
});

const raw = (a: FastifyInstance, url: string) =>
  request(a.server)
    .get(url)
    .buffer(true)
    .parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });

describe('sendJsonList', () => {
  it.each([
    ['/list?n=0', 'an empty list'],
    ['/list?n=7', 'every kind of text (multi-byte, surrogates, control characters)'],
    ['/list?n=7&more=1', 'a list with its next link after it'],
    ['/list?n=40&size=200000', 'a body past the first buffer (8 MB: it grows)'],
  ])('%s: the same bytes and headers as Fastify serialising the document (%s)', async (url) => {
    const [mine, theirs] = await Promise.all([raw(app, url), raw(plain, url)]);
    expect(mine.status).toBe(200);
    expect((mine.body as Buffer).equals(theirs.body as Buffer)).toBe(true);
    expect(mine.headers['content-type']).toBe(theirs.headers['content-type']);
    expect(mine.headers['content-length']).toBe(theirs.headers['content-length']);
  });

  it('concurrent responses each keep their own buffer until sent; all come back to the pool', async () => {
    const urls = Array.from({ length: 12 }, (_, i) => `/list?n=${50 + i}&size=${i * 3000}`);
    const got = await Promise.all(urls.map((u) => raw(app, u)));
    const want = await Promise.all(urls.map((u) => raw(plain, u)));
    got.forEach((g, i) => expect((g.body as Buffer).equals(want[i].body as Buffer)).toBe(true));
    await new Promise((r) => setImmediate(r));
    expect(bufferStats.inUse).toBe(0);
    // warm: sequential lists of the same size allocate nothing more
    await raw(app, '/list?n=200');
    const allocated = bufferStats.allocated;
    for (let i = 0; i < 5; i++) await raw(app, '/list?n=200');
    expect(bufferStats.allocated).toBe(allocated);
  });

  it('a response still being written keeps its buffer: the next list does not reuse it', async () => {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    // a client that reads nothing yet: most of A's 6 MB stays queued in the server, in A's buffer
    const slow = await new Promise<http.IncomingMessage>((resolve) =>
      http.get({ host: '127.0.0.1', port, path: '/list?n=30&size=200000&fill=a' }, (res) => {
        res.pause();
        resolve(res);
      }),
    );
    await new Promise((r) => setTimeout(r, 50));
    const other = await raw(app, '/list?n=30&size=200000&fill=b');
    expect((other.body as Buffer).includes('aaaa')).toBe(false);
    const chunks: Buffer[] = [];
    slow.on('data', (c: Buffer) => chunks.push(c));
    slow.resume();
    await new Promise((r) => slow.on('end', r));
    const want = JSON.stringify({ servers: itemsOf(30, 200000, 'a').map(render) });
    expect(Buffer.concat(chunks).toString('utf8') === want).toBe(true);
  });

  it('a render that throws is the route error (500), and its buffer is given back', async () => {
    const res = await request(app.server).get('/list?n=5&fail=1');
    expect(res.status).toBe(500);
    expect(bufferStats.inUse).toBe(0);
  });
});
