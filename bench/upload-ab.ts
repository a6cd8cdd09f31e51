// Image upload, A/B: this checkout against another one (BENCH_AB_BASE=<its directory>, e.g. a
// `git worktree add --detach <dir> main` with node_modules linked), both services running at once and
// their uploads interleaved with each other and with `sha512sum` of the same file, so that a machine
// whose load changes from minute to minute (other suites on the same 2 cores) loads both alike.
// bench/image-upload.ts gives the figures of one service; this gives the difference between two.
// Per service and mode, the medians of: MiB/s over the same-run sha512sum, CPU per MiB over all the
// service's threads and on its busiest thread (/proc), minor page faults per MiB, and the peak VmRSS.
// Every upload's digests are compared between the two services.
// Run: BENCH_AB_BASE=<dir> [BENCH_AB_ROUNDS=5] npx tsx bench/upload-ab.ts [sizeMiB=200]
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomFillSync } from 'node:crypto';
import { machineLine, median, memKb, threadStats } from './lib/common.js';
import { startChild, type Child } from './lib/service.js';

const run = promisify(execFile);
const SIZE_MB = Number(process.argv[2] ?? 200);
const ROUNDS = Number(process.env.BENCH_AB_ROUNDS ?? 5);
const BASE = process.env.BENCH_AB_BASE;
if (!BASE) throw new Error('set BENCH_AB_BASE to the directory of the checkout to compare with');

interface Upload {
  seconds: number;
  cpu: number;
  busiest: number;
  faults: number;
  peakKb: number;
  digests: string;
}

async function upload(svc: Child, file: string, mib: number, chunked: boolean): Promise<Upload> {
  const created = await svc.call('POST', '/image/v2/images', {
    name: 'ab',
    container_format: 'docker',
    disk_format: 'raw',
  });
  const id = created.body.id as string;
  const before = threadStats(svc.pid);
  let peakKb = 0;
  const sampler = setInterval(() => (peakKb = Math.max(peakKb, memKb(svc.pid))), 10);
  const args = ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '-T', file, '-H', `X-Auth-Token: ${svc.token}`];
  args.push('-H', 'Content-Type: application/octet-stream', '-H', 'Expect:');
  if (chunked) args.push('-H', 'Transfer-Encoding: chunked');
  const t0 = process.hrtime.bigint();
  const { stdout } = await run('curl', [...args, `${svc.url}/image/v2/images/${id}/file`]);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  clearInterval(sampler);
  if (stdout.trim() !== '204') throw new Error(`upload answered ${stdout}`);
  let cpu = 0;
  let busiest = 0;
  let faults = 0;
  for (const [tid, t] of threadStats(svc.pid)) {
    const b = before.get(tid) ?? { user: 0, sys: 0, faults: 0 };
    const ms = t.user + t.sys - (b.user + b.sys);
    cpu += ms;
    busiest = Math.max(busiest, ms);
    faults += t.faults - b.faults;
  }
  const shown = (await svc.call('GET', `/image/v2/images/${id}`)).body;
  await svc.call('DELETE', `/image/v2/images/${id}`);
  const digests = `${shown.checksum} ${shown.os_hash_value} ${shown.size}`;
  return { seconds, cpu: cpu / mib, busiest: busiest / mib, faults: faults / mib, peakKb, digests };
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'novadock-bench-upload-ab-'));
const file = path.join(work, 'random.bin');
const services: Record<string, Child> = {};
try {
  console.log(machineLine());
  const fd = fs.openSync(file, 'w');
  const piece = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < SIZE_MB; i++) fs.writeSync(fd, randomFillSync(piece));
  fs.closeSync(fd);
  const baseLib = (await import(path.join(path.resolve(BASE), 'bench/lib/service.ts'))) as {
    startChild: typeof startChild;
  };
  services.base = await baseLib.startChild('ab-base', { NOVADOCK_POWER_SYNC_INTERVAL: '0' });
  services.this = await startChild('ab-this', { NOVADOCK_POWER_SYNC_INTERVAL: '0' });
  await run('sha512sum', [file]);
  const digests = new Set<string>();
  for (const svc of Object.values(services)) digests.add((await upload(svc, file, SIZE_MB, false)).digests); // warm-up
  const sha: number[] = [];
  const results: Record<string, Upload[]> = {};
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    await run('sha512sum', [file]);
    sha.push(Number(process.hrtime.bigint() - t0) / 1e9);
    for (const chunked of [false, true]) {
      for (const [name, svc] of Object.entries(services)) {
        const u = await upload(svc, file, SIZE_MB, chunked);
        digests.add(u.digests);
        (results[`${name} ${chunked ? 'chunked' : 'content-length'}`] ??= []).push(u);
      }
    }
  }
  if (digests.size !== 1) throw new Error(`the services stored different digests: ${[...digests].join(' | ')}`);
  const shaS = median(sha);
  console.log(`sha512sum ${(SIZE_MB / shaS).toFixed(0)} MiB/s (median of ${ROUNDS}); load ${os.loadavg().join(' ')}`);
  for (const [key, us] of Object.entries(results)) {
    const m = (f: (u: Upload) => number) => median(us.map(f));
    console.log(
      `RESULT ${key}: ${(shaS / m((u) => u.seconds)).toFixed(3)}x sha512sum (${(SIZE_MB / m((u) => u.seconds)).toFixed(0)} MiB/s), ` +
        `CPU ${m((u) => u.cpu).toFixed(2)} ms/MiB, busiest thread ${m((u) => u.busiest).toFixed(2)}, ` +
        `faults ${m((u) => u.faults).toFixed(0)}/MiB, peak VmRSS ${(Math.max(...us.map((u) => u.peakKb)) / 1024).toFixed(0)} MiB ` +
        `[ratios ${us.map((u) => (shaS / u.seconds).toFixed(2)).join(' ')}; CPU ${us.map((u) => u.cpu.toFixed(2)).join(' ')}]`,
    );
  }
} finally {
  for (const svc of Object.values(services)) await svc.close();
  fs.rmSync(work, { recursive: true, force: true });
}
