// Image upload throughput and memory.
//
// Starts the real service (src/server.ts, fake compute driver, temp data dir) as a CHILD process on a
// loopback port, generates a 200 MB tar (one member of random bytes: a valid tar, incompressible),
// uploads it with PUT /image/v2/images/{id}/file (Content-Length, and chunked as glanceclient does),
// and prints:
//   - upload throughput vs `sha512sum` of the same file in the same run (the service also computes
//     md5 + sha512 and writes the file, so a ratio near 1 means the upload is hash-bound);
//   - the service's memory, read from /proc/<child pid>/status: VmRSS before the upload, the peak of
//     VmRSS sampled every 10 ms during each upload, and VmHWM (the kernel's high-water mark) at the end.
// Run: npx tsx bench/image-upload.ts [sizeMB]   (BENCH_CPU_PROF=<dir> also profiles the service)
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import http from 'node:http';
import { randomFillSync, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SIZE_MB = Number(process.argv[2] ?? 200);
// BENCH_CPU_PROF=<dir>: the service writes a V8 CPU profile there when it exits (to find where the time goes).
const profileArgs = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];

function tarHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512, 0);
  h.write(name, 0, 100);
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(size.toString(8).padStart(11, '0') + '\0', 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}

function writeTar(file: string, dataBytes: number): void {
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, tarHeader('random.bin', dataBytes));
  const chunk = Buffer.alloc(1024 * 1024);
  for (let left = dataBytes; left > 0; left -= chunk.length) {
    randomFillSync(chunk);
    fs.writeSync(fd, chunk, 0, Math.min(chunk.length, left));
  }
  fs.writeSync(fd, Buffer.alloc(((512 - (dataBytes % 512)) % 512) + 1024));
  fs.closeSync(fd);
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function memKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

function req(
  port: number,
  method: string,
  url: string,
  headers: Record<string, string | number>,
  body?: unknown,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const r = http.request({ host: '127.0.0.1', port, method, path: url, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString() }),
      );
    });
    r.on('error', reject);
    if (body === undefined) r.end();
    else r.end(typeof body === 'string' ? body : JSON.stringify(body));
  });
}

async function waitUp(port: number, child: ChildProcess): Promise<void> {
  const end = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`);
    try {
      if ((await req(port, 'GET', '/identity/v3', {})).status === 200) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > end) throw new Error('service did not start within 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function upload(port: number, token: string, id: string, file: string, chunked: boolean, pid: number) {
  let peak = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, memKb(pid, 'VmRSS'));
  }, 10);
  const t0 = process.hrtime.bigint();
  const status = await new Promise<number>((resolve, reject) => {
    const headers: Record<string, string | number> = {
      'X-Auth-Token': token,
      'Content-Type': 'application/octet-stream',
    };
    if (chunked) headers['Transfer-Encoding'] = 'chunked';
    else headers['Content-Length'] = fs.statSync(file).size;
    const r = http.request(
      { host: '127.0.0.1', port, method: 'PUT', path: `/image/v2/images/${id}/file`, headers },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      },
    );
    r.on('error', reject);
    fs.createReadStream(file, { highWaterMark: 64 * 1024 }).pipe(r);
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  clearInterval(sampler);
  peak = Math.max(peak, memKb(pid, 'VmRSS'));
  if (status !== 204) throw new Error(`upload answered ${status}`);
  return { seconds, peakRssKb: peak };
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'novadock-bench-upload-'));
  const file = path.join(work, 'random.tar');
  let child: ChildProcess | undefined;
  try {
    writeTar(file, SIZE_MB * 1024 * 1024);
    const bytes = fs.statSync(file).size;
    const mb = bytes / 1024 / 1024;

    // baseline: sha512sum of the same file (warms the page cache for both)
    await run('sha512sum', [file]);
    const s0 = process.hrtime.bigint();
    const { stdout } = await run('sha512sum', [file]);
    const shaSeconds = Number(process.hrtime.bigint() - s0) / 1e9;
    const expectedSha = stdout.split(' ')[0];

    const port = await freePort();
    const password = randomBytes(12).toString('hex') + 'Aa1!';
    child = spawn(process.execPath, [...profileArgs, '--import', 'tsx', path.join(ROOT, 'src/server.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        NOVADOCK_HOST: '127.0.0.1',
        NOVADOCK_PORT: String(port),
        NOVADOCK_DATA_DIR: path.join(work, 'data'),
        NOVADOCK_COMPUTE_DRIVER: 'fake',
        NOVADOCK_ADMIN_PASSWORD: password,
        NOVADOCK_LOG_LEVEL: 'warn',
        NOVADOCK_POWER_SYNC_INTERVAL: '0',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    await waitUp(port, child);
    const auth = await req(
      port,
      'POST',
      '/identity/v3/auth/tokens',
      { 'Content-Type': 'application/json' },
      {
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: 'admin', password, domain: { name: 'Default' } } },
          },
          scope: { project: { name: 'admin', domain: { name: 'Default' } } },
        },
      },
    );
    const token = String(auth.headers['x-subject-token']);
    const baseRss = memKb(child.pid!, 'VmRSS');

    const results: { mode: string; seconds: number; peakRssKb: number }[] = [];
    for (const chunked of [false, true]) {
      const created = await req(
        port,
        'POST',
        '/image/v2/images',
        { 'X-Auth-Token': token, 'Content-Type': 'application/json' },
        { name: 'bench', container_format: 'docker', disk_format: 'raw' },
      );
      const id = JSON.parse(created.text).id as string;
      const r = await upload(port, token, id, file, chunked, child.pid!);
      const shown = JSON.parse((await req(port, 'GET', `/image/v2/images/${id}`, { 'X-Auth-Token': token })).text);
      if (shown.os_hash_value !== expectedSha || shown.size !== bytes)
        throw new Error('stored image does not match the file');
      results.push({ mode: chunked ? 'chunked' : 'content-length', ...r });
    }
    const hwm = memKb(child.pid!, 'VmHWM');

    console.log(
      `image upload benchmark: ${mb.toFixed(0)} MiB tar (random data), service as a child process on 127.0.0.1:${port}`,
    );
    console.log(
      `  machine: ${os.cpus().length} CPUs, load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} (ratios are only comparable at similar load)`,
    );
    console.log(
      `  baseline sha512sum of the same file: ${shaSeconds.toFixed(2)} s = ${(mb / shaSeconds).toFixed(0)} MiB/s`,
    );
    for (const r of results) {
      console.log(
        `  upload (${r.mode.padEnd(14)}): ${r.seconds.toFixed(2)} s = ${(mb / r.seconds).toFixed(0)} MiB/s; ` +
          `time ratio upload/sha512sum = ${(r.seconds / shaSeconds).toFixed(2)}; peak VmRSS during upload ${(r.peakRssKb / 1024).toFixed(0)} MiB`,
      );
    }
    console.log(
      `  service memory (/proc/${child.pid}/status, sampled every 10 ms): VmRSS before uploads ${(baseRss / 1024).toFixed(0)} MiB, ` +
        `max growth during uploads ${((Math.max(...results.map((r) => r.peakRssKb)) - baseRss) / 1024).toFixed(0)} MiB, VmHWM ${(hwm / 1024).toFixed(0)} MiB ` +
        `(file size ${mb.toFixed(0)} MiB: the upload is streamed, not buffered)`,
    );
  } finally {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child!.once('exit', r));
    }
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
