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
import { randomFillSync } from 'node:crypto';
import { childrenCpuMs, machineLine, median, memKb, mib, report, threadStats } from './lib/common.js';
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

/**
 * One PUT of `file` by curl (a lean client: it reads the file and writes the socket in 64 KiB
 * pieces, nothing else; the client shares the machine's cores with the service, so its CPU is
 * reported too). Expect: 100-continue is turned off (curl would otherwise wait for the 100).
 */
async function upload(
  svc: Child,
  id: string,
  file: string,
  chunked: boolean,
): Promise<{
  seconds: number;
  peakRssKb: number;
  cpuMs: number;
  busiestMs: number;
  clientMs: number;
  threads: { user: number; sys: number }[];
}> {
  let peak = 0;
  const cpuBefore = threadStats(svc.pid);
  const clientBefore = childrenCpuMs();
  const sampler = setInterval(() => {
    peak = Math.max(peak, memKb(svc.pid));
  }, 10);
  const t0 = process.hrtime.bigint();
  const args = ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '-T', file, '-H', `X-Auth-Token: ${svc.token}`];
  args.push('-H', 'Content-Type: application/octet-stream', '-H', 'Expect:');
  if (chunked) args.push('-H', 'Transfer-Encoding: chunked');
  const { stdout } = await run('curl', [...args, `http://127.0.0.1:${svc.port}/image/v2/images/${id}/file`]);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const times = [...threadStats(svc.pid)].map(([tid, t]) => {
    const before = cpuBefore.get(tid) ?? { user: 0, sys: 0 };
    return { user: t.user - before.user, sys: t.sys - before.sys };
  });
  const spent = times.map((t) => t.user + t.sys);
  clearInterval(sampler);
  peak = Math.max(peak, memKb(svc.pid));
  if (stdout.trim() !== '204') throw new Error(`upload answered ${stdout}`);
  return {
    seconds,
    peakRssKb: peak,
    cpuMs: spent.reduce((a, b) => a + b, 0),
    busiestMs: Math.max(...spent),
    threads: times.filter((t) => t.user + t.sys > 0).sort((a, b) => b.user + b.sys - a.user - a.sys),
    clientMs: childrenCpuMs() - clientBefore,
  };
}

/** The service's busiest threads' CPU per MiB (user+system), from the upload with the median total. */
function perThread(results: { cpuMs: number; threads: { user: number; sys: number }[] }[], size: number): string {
  const sorted = [...results].sort((a, b) => a.cpuMs - b.cpuMs);
  const mid = sorted[Math.floor((sorted.length - 1) / 2)];
  return mid.threads
    .slice(0, 6)
    .map((t) => `${(t.user / size).toFixed(2)}+${(t.sys / size).toFixed(2)}`)
    .join(' / ');
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
  /** One upload of the file as a new image, checked against sha512sum's digest, then deleted. */
  const checkedUpload = async (chunked: boolean) => {
    const created = await svc!.call('POST', '/image/v2/images', {
      name: 'bench',
      container_format: 'docker',
      disk_format: 'raw',
    });
    const id = created.body.id as string;
    const r = await upload(svc!, id, file, chunked);
    const shown = (await svc!.call('GET', `/image/v2/images/${id}`)).body;
    if (shown.os_hash_value !== expectedSha || shown.size !== bytes)
      throw new Error('stored image does not match the file');
    await svc!.call('DELETE', `/image/v2/images/${id}`);
    return r;
  };
  // An unmeasured first upload, as sha512sum's first run above: the service's first one also
  // starts the hash workers and pays the kernel's first touch of 200 MiB of new page cache (a
  // 200 MiB file write measured 1.1-2.0 ms/MiB of system time the first time here, 0.13-0.16 after).
  expectedSha = (await run('sha512sum', [file])).stdout.split(' ')[0];
  const warm = await checkedUpload(false);
  console.log(
    `warm-up upload (not counted): ${(size / warm.seconds).toFixed(0)} MiB/s, ${(warm.cpuMs / size).toFixed(2)} ms/MiB`,
  );
  const results: (Awaited<ReturnType<typeof upload>> & { mode: string })[] = [];
  for (let i = 0; i < REPEATS; i++) {
    // Interleaved: the baseline, then one upload of each kind.
    const s0 = process.hrtime.bigint();
    const c0 = childrenCpuMs();
    expectedSha = (await run('sha512sum', [file])).stdout.split(' ')[0];
    shaTimes.push(Number(process.hrtime.bigint() - s0) / 1e9);
    shaCpu.push(childrenCpuMs() - c0);
    for (const chunked of [false, true]) {
      const r = await checkedUpload(chunked);
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
        `runs ${mine.map((r) => (size / r.seconds).toFixed(0)).join('/')} vs ${shaTimes.map((s) => (size / s).toFixed(0)).join('/')} MiB/s`,
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
    notes:
      `per thread, busiest first (user+system ms/MiB, the median upload): ${perThread(results, size)}; ` +
      `each upload all threads ${results.map((r) => r.cpuMs.toFixed(0)).join('/')} ms, sha512sum ${shaCpu.join('/')} ms; ` +
      `the client (curl) ${(median(results.map((r) => r.clientMs)) / size).toFixed(2)} ms/MiB`,
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
