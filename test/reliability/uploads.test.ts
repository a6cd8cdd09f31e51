// Image uploads that go wrong, over a real socket: the image store lives on a 1 MiB tmpfs
// (mounted here, unmounted after), the size limit is 512 KiB; a filler file fills the disk for the
// disk-full case. An upload cut off mid-stream, one over
// the size limit and one that fills the disk each leave no partial file, the image back in queued,
// and the service answering — and a good upload afterwards still works.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startListeningApp, type ListeningApp } from '../helpers/cli.js';
import { passwordToken, ADMIN_PASSWORD } from '../helpers/app.js';
import request from 'supertest';

const MOUNT = `/tmp/ndrel-full-${process.pid}`;
let app: ListeningApp;
let token: string;
let mounted = false;

beforeAll(async () => {
  fs.mkdirSync(MOUNT, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', MOUNT]);
  mounted = true;
  app = await startListeningApp({ dataDir: MOUNT, imageMaxBytes: 512 * 1024 }, { background: false });
  token = await passwordToken(request(app.app.server), 'admin', ADMIN_PASSWORD, 'admin');
}, 60_000);

afterAll(async () => {
  await app?.close();
  if (mounted) execFileSync('umount', [MOUNT]);
  fs.rmSync(MOUNT, { recursive: true, force: true });
});

const api = () => request(app.app.server);

async function newImage(): Promise<string> {
  const r = await api()
    .post('/image/v2/images')
    .set('X-Auth-Token', token)
    .send({ name: 'up', container_format: 'bare', disk_format: 'raw' });
  expect(r.status).toBe(201);
  return r.body.id;
}

/** PUT the file with `declared` bytes announced (chunked when null), sending `send` bytes, then end or cut. */
function put(
  id: string,
  send: number,
  opts: { declared: number | null; cut: boolean },
): Promise<{ status: number | null; body: string }> {
  return new Promise((resolve) => {
    const url = new URL(`${app.url}/image/v2/images/${id}/file`);
    const headers: Record<string, string | number> = {
      'x-auth-token': token,
      'content-type': 'application/octet-stream',
    };
    if (opts.declared !== null) headers['content-length'] = opts.declared;
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'PUT', headers });
    let done = false;
    const finish = (v: { status: number | null; body: string }) => {
      if (!done) {
        done = true;
        resolve(v);
      }
    };
    req.on('response', (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => finish({ status: res.statusCode ?? null, body }));
      res.on('error', () => finish({ status: res.statusCode ?? null, body }));
    });
    req.on('error', () => finish({ status: null, body: '' }));
    const chunk = Buffer.alloc(16 * 1024, 0x61);
    let sent = 0;
    const pump = () => {
      while (sent < send) {
        const n = Math.min(chunk.length, send - sent);
        sent += n;
        if (!req.write(chunk.subarray(0, n))) {
          req.once('drain', pump);
          return;
        }
      }
      if (opts.cut)
        setTimeout(() => {
          req.destroy();
          finish({ status: null, body: '' });
        }, 100);
      else req.end();
    };
    pump();
  });
}

async function settledImage(id: string): Promise<{ status: string; size: number | null }> {
  // The server notices a cut-off a moment after the socket closes: poll (bounded) until the upload is over.
  const deadline = Date.now() + 5000;
  for (;;) {
    const r = await api().get(`/image/v2/images/${id}`).set('X-Auth-Token', token);
    if (r.body.status !== 'saving' || Date.now() > deadline) return r.body;
    await new Promise((res) => setTimeout(res, 50));
  }
}

function leftovers(): string[] {
  const dir = `${MOUNT}/images`;
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
}

async function stillServing(): Promise<void> {
  const r = await api().get('/image/v2/images').set('X-Auth-Token', token);
  expect(r.status).toBe(200);
}

describe('uploads that fail', () => {
  it('cut off mid-stream: no partial file, image queued, service answering', async () => {
    const id = await newImage();
    const r = await put(id, 64 * 1024, { declared: 200 * 1024, cut: true });
    expect(r.status).toBeNull();
    const img = await settledImage(id);
    expect(img.status).toBe('queued');
    expect(leftovers()).toEqual([]);
    await stillServing();
  });

  it('over the size limit (chunked, no length announced): 413, no partial file, image queued', async () => {
    const id = await newImage();
    const r = await put(id, 600 * 1024, { declared: null, cut: false });
    expect(r.status).toBe(413);
    expect(r.body).not.toMatch(/storage media is full/);
    expect((await settledImage(id)).status).toBe('queued');
    expect(leftovers()).toEqual([]);
    await stillServing();
  });

  it('announced over the size limit: 413 before anything is stored', async () => {
    const id = await newImage();
    const r = await put(id, 0, { declared: 2 * 1024 * 1024, cut: true });
    expect([413, null]).toContain(r.status);
    expect((await settledImage(id)).status).toBe('queued');
    expect(leftovers()).toEqual([]);
  });

  it('disk full (under the size limit): 413 "storage media is full", no partial file, image queued; a small upload then works', async () => {
    const id = await newImage();
    const filler = `${MOUNT}/filler`;
    fs.writeFileSync(filler, Buffer.alloc(800 * 1024));
    let r;
    try {
      r = await put(id, 400 * 1024, { declared: 400 * 1024, cut: false });
    } finally {
      fs.rmSync(filler);
    }
    expect(r.status).toBe(413);
    expect(r.body).toMatch(/Image storage media is full/);
    expect((await settledImage(id)).status).toBe('queued');
    expect(leftovers()).toEqual([]);
    await stillServing();
    // The space was given back: the same image now takes a small upload.
    const ok = await put(id, 32 * 1024, { declared: 32 * 1024, cut: false });
    expect(ok.status).toBe(204);
    const img = await settledImage(id);
    expect(img.status).toBe('active');
    expect(img.size).toBe(32 * 1024);
    expect(leftovers()).toEqual([id]);
  });
});
