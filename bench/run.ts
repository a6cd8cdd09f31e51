// Runs the benchmarks one after another (each in its own process, so one does not warm or load
// the other): `npm run bench` runs all, `npm run bench -- boot` only bench/boot.ts.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const all = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();
const chosen = wanted.length ? all.filter((b) => wanted.includes(b)) : all;
let failed = 0;
for (const name of chosen) {
  console.log(`== bench/${name}.ts`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(dir, `${name}.ts`)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
