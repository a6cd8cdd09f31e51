// Runs the benchmarks one after another, each in its own process (so one does not warm or load
// the other), in the order of issue 16's table, then prints every RESULT line again as a summary.
// `npm run bench` runs all, `npm run bench -- read list` only those; scripts/bench-setup.sh runs
// first (wrk, Docker). BENCH_SUMMARY_FILE=<path> also writes the summary as a Markdown table.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineLine } from './lib/common.js';

const ORDER = ['read', 'list', 'boot', 'network-port', 'image-upload', 'fake-scale', 'startup'];
/** Run only when named (minutes of their own): `npm run bench -- engines`. */
const ON_REQUEST = ['engines'];
const dir = path.dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const found = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.replace(/\.ts$/, ''));
const all = [...ORDER.filter((b) => found.includes(b)), ...found.filter((b) => !ORDER.includes(b)).sort()];
const unknown = wanted.filter((w) => !all.includes(w));
if (unknown.length) {
  console.error(`no such bench: ${unknown.join(', ')} (have: ${all.join(', ')})`);
  process.exit(2);
}
const chosen = wanted.length ? all.filter((b) => wanted.includes(b)) : all.filter((b) => !ON_REQUEST.includes(b));

const setup = spawnSync('bash', [path.join(dir, '../scripts/bench-setup.sh'), ...chosen], { stdio: 'inherit' });
if (setup.status !== 0) {
  console.error('bench set-up failed');
  process.exit(1);
}
process.env.DOCKER_HOST ??= 'unix:///var/run/docker.sock';

const results: string[] = [];
const failed: string[] = [];
const started = Date.now();
const startLine = machineLine();
// The machine's 1-minute load average every 10 s of the run (other users' work shows here).
const loads: number[] = [os.loadavg()[0]];
const sampler = setInterval(() => loads.push(os.loadavg()[0]), 10_000);
for (const name of chosen) {
  console.log(`== bench/${name}.ts`);
  const t0 = Date.now();
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(dir, `${name}.ts`)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buf = '';
    child.stdout.on('data', (c: Buffer) => {
      process.stdout.write(c);
      buf += c.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('RESULT ')) results.push(line.slice('RESULT '.length));
      }
    });
    child.on('exit', (c) => resolve(c));
  });
  console.log(
    `== bench/${name}.ts: ${code === 0 ? 'done' : `FAILED (exit ${code})`} in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  );
  if (code !== 0) failed.push(name);
}

clearInterval(sampler);
const sorted = [...loads].sort((a, b) => a - b);
const loadLine = `1-min load average during the run: min ${sorted[0].toFixed(1)}, median ${sorted[sorted.length >> 1].toFixed(1)}, max ${sorted[sorted.length - 1].toFixed(1)} (${loads.length} samples); ${os.cpus().length} CPUs, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM`;
const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
console.log(`\n== summary (${when} UTC, ${((Date.now() - started) / 1000).toFixed(0)} s; at the start ${startLine})`);
console.log(loadLine);
for (const r of results) console.log(r);
if (failed.length) console.log(`FAILED: ${failed.join(', ')}`);
if (process.env.BENCH_SUMMARY_FILE) {
  const rows = results.map((r) => {
    const m = /^(.*?): (.*?)(?: \[(.*)\])?$/.exec(r);
    return m ? `| ${m[1]} | ${m[2]} | ${m[3] ?? ''} |` : `| ${r} | | |`;
  });
  fs.writeFileSync(
    process.env.BENCH_SUMMARY_FILE,
    [
      `${when} UTC; ${startLine}`,
      '',
      loadLine,
      '',
      '| what | result vs same-run baseline | details |',
      '| --- | --- | --- |',
      ...rows,
      '',
    ].join('\n'),
  );
}
process.exit(failed.length ? 1 : 0);
