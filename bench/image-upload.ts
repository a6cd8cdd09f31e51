// Image upload throughput and memory.
//
// Starts the real service as a CHILD process (fake compute driver, temp data dir, loopback port),
// generates a 200 MiB tar (one member of random bytes: a valid tar, incompressible), uploads it with
// PUT /image/v2/images/{id}/file (with Content-Length, and chunked as glanceclient sends it), and
// reports:
//   - upload throughput vs `sha512sum` of the same file in the same run (the service also computes
//     md5 + sha512 and writes the file, so a ratio near 1 means the upload is hash-bound);
//   - the service's memory, from /proc/<pid>/status: the peak of VmRSS sampled every 10 ms during
//     each upload over VmRSS before, and VmHWM at the end.
// Run: npx tsx bench/image-upload.ts [sizeMiB=200]   (BENCH_CPU_PROF=<dir> also profiles the service)
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { randomFillSync } from 'node:crypto';
import { childrenCpuMs, machineLine, median, memKb, mib, report, threadCpuMs } from './lib/common.js';
import { startChild, type Child } from './lib/service.js';
import { makeTar } from '../test/helpers/image-tar.js';

const run = promisify(execFile);
const SIZE_MB = Number(process.argv[2] ?? 200);
const REPEATS = Number(process.env.BENCH_UPLOAD_REPEATS ?? 2);
// BENCH_CPU_PROF=<dir>: the service writes a V8 CPU profile there when it exits.
const profileArgs = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];

/** A one-member tar of `dataBytes` random bytes, written in 1 MiB pieces (never whole in memory). */
function writeTar(file: string, dataBytes: number): void {
  const fd = fs.openSync(file, 'w');
  const header = makeTar([{ name: 'random.bin', data: '' }]).subarray(0, 512); // then patch the size
  header.write(dataBytes.toString(8).padStart(11, '0') + '\0', 124, 'ascii');
  header.write('        ', 148, 'ascii');
  let sum = 0;
  for (const b of header) sum += b;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  fs.writeSync(fd, header);
  const chunk = Buffer.alloc(1024 * 1024);
  for (let left = dataBytes; left > 0; left -= chunk.length) {
    randomFillSync(chunk);
    fs.writeSync(fd, chunk, 0, Math.min(chunk.length, left));
  }
  fs.writeSync(fd, Buffer.alloc(((512 - (dataBytes % 512)) % 512) + 1024));
  fs.closeSync(fd);
}

async function upload(
  svc: Child,
  id: string,
  file: string,
  chunked: boolean,
): Promise<{ seconds: number; peakRssKb: number; cpuMs: number; busiestMs: number }> {
  let peak = 0;
  const cpuBefore = threadCpuMs(svc.pid);
  const sampler = setInterval(() => {
    peak = Math.max(peak, memKb(svc.pid));
  }, 10);
  const t0 = process.hrtime.bigint();
  const status = await new Promise<number>((resolve, reject) => {
    const headers: Record<string, string | number> = {
      'X-Auth-Token': svc.token,
      'Content-Type': 'application/octet-stream',
    };
    if (chunked) headers['Transfer-Encoding'] = 'chunked';
    else headers['Content-Length'] = fs.statSync(file).size;
    const r = http.request(
      { host: '127.0.0.1', port: svc.port, method: 'PUT', path: `/image/v2/images/${id}/file`, headers },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      },
    );
    r.on('error', reject);
    fs.createReadStream(file, { highWaterMark: 64 * 1024 }).pipe(r);
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const spent = [...threadCpuMs(svc.pid)].map(([tid, ms]) => ms - (cpuBefore.get(tid) ?? 0));
  clearInterval(sampler);
  peak = Math.max(peak, memKb(svc.pid));
  if (status !== 204) throw new Error(`upload answered ${status}`);
  return { seconds, peakRssKb: peak, cpuMs: spent.reduce((a, b) => a + b, 0), busiestMs: Math.max(...spent) };
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'novadock-bench-upload-'));
const file = path.join(work, 'random.tar');
let svc: Child | undefined;
try {
  console.log(machineLine());
  writeTar(file, SIZE_MB * 1024 * 1024);
  const bytes = fs.statSync(file).size;
  const size = bytes / 1024 / 1024;
  svc = await startChild('upload', { NOVADOCK_POWER_SYNC_INTERVAL: '0' }, profileArgs);
  const baseRss = memKb(svc.pid);
  const shaTimes: number[] = [];
  const shaCpu: number[] = [];
  let expectedSha = '';
  await run('sha512sum', [file]); // warms the page cache for both
  const results: { mode: string; seconds: number; peakRssKb: number; cpuMs: number; busiestMs: number }[] = [];
  for (let i = 0; i < REPEATS; i++) {
    // Interleaved: the baseline, then one upload of each kind.
    const s0 = process.hrtime.bigint();
    const c0 = childrenCpuMs();
    expectedSha = (await run('sha512sum', [file])).stdout.split(' ')[0];
    shaTimes.push(Number(process.hrtime.bigint() - s0) / 1e9);
    shaCpu.push(childrenCpuMs() - c0);
    for (const chunked of [false, true]) {
      const created = await svc.call('POST', '/image/v2/images', {
        name: 'bench',
        container_format: 'docker',
        disk_format: 'raw',
      });
      const id = created.body.id as string;
      const r = await upload(svc, id, file, chunked);
      const shown = (await svc.call('GET', `/image/v2/images/${id}`)).body;
      if (shown.os_hash_value !== expectedSha || shown.size !== bytes)
        throw new Error('stored image does not match the file');
      await svc.call('DELETE', `/image/v2/images/${id}`);
      results.push({ mode: chunked ? 'chunked' : 'content-length', ...r });
    }
  }
  const hwm = memKb(svc.pid, 'VmHWM');
  const sha = median(shaTimes);
  for (const mode of ['content-length', 'chunked']) {
    const mine = results.filter((r) => r.mode === mode);
    const secs = median(mine.map((r) => r.seconds));
    report({
      name: `upload ${size.toFixed(0)} MiB PUT /image/v2/images/{id}/file (${mode})`,
      value: size / secs,
      unit: 'MiB/s',
      baselineName: 'sha512sum of the same file',
      baseline: size / sha,
      target: '>= 0.7',
      notes:
        `peak VmRSS ${mib(Math.max(...mine.map((r) => r.peakRssKb))).toFixed(0)} MiB (before ${mib(baseRss).toFixed(0)} MiB); ` +
        `${mine.map((r) => (size / r.seconds).toFixed(0)).join('/')} vs ${shaTimes.map((s) => (size / s).toFixed(0)).join('/')} MiB/s`,
    });
  }
  // CPU time steadies what wall time cannot on a shared machine: the service's threads together,
  // and its busiest thread (an upload cannot go faster than that one, whatever the cores).
  report({
    name: `upload CPU time per MiB (service, all threads, both modes)`,
    value: median(results.map((r) => r.cpuMs)) / size,
    unit: 'ms',
    baselineName: 'sha512sum',
    baseline: median(shaCpu) / size,
    notes: `busiest thread ${(median(results.map((r) => r.busiestMs)) / size).toFixed(2)} ms/MiB (the receiving thread); each upload all threads ${results.map((r) => r.cpuMs.toFixed(0)).join('/')} ms, sha512sum ${shaCpu.join('/')} ms`,
  });
  const growth = mib(Math.max(...results.map((r) => r.peakRssKb)) - baseRss);
  report({
    name: `upload peak memory growth during a ${size.toFixed(0)} MiB upload`,
    value: growth,
    unit: 'MiB',
    baselineName: 'file size',
    baseline: size,
    notes: `VmRSS before ${mib(baseRss).toFixed(0)} MiB, VmHWM at the end ${mib(hwm).toFixed(0)} MiB; flat memory: the growth does not follow the file size`,
  });
} finally {
  await svc?.close();
  fs.rmSync(work, { recursive: true, force: true });
}
