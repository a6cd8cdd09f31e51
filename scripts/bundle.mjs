// Bundles the compiled service (dist/server.js and the modules it imports, our own and the npm
// packages') into dist/server.js plus lazily loaded chunks, with esbuild. Why: resolving, reading
// and linking some 340 ESM files of ours and ~700 CommonJS files of node_modules one by one was
// about 0.4 s of every start-up and ~10 MiB of idle memory (issue 15); one file is read and
// compiled once. tsc has already type-checked and compiled src/ to dist/ (with source maps, which
// esbuild follows back to src/). Left outside the bundle, loaded from node_modules at run time:
// native addons (better-sqlite3), dockerode (loaded only with the first Docker host's driver, and
// it carries ssh2's optional native code), the database drivers knex names but we never use, and
// the xterm files the console page serves as they are.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const out = path.join(dist, '.bundle');

const external = [
  'better-sqlite3',
  'dockerode',
  'pg-native',
  // knex's other dialects' drivers (required only when such a client is configured)
  'mysql',
  'mysql2',
  'mariadb',
  'oracledb',
  'tedious',
  'sqlite3',
  'pg-query-stream',
  '@xterm/*',
];

fs.rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: [path.join(dist, 'server.js')],
  outdir: out,
  bundle: true,
  splitting: true, // a dynamic import() stays lazy: its module becomes a chunk loaded on first use
  format: 'esm',
  platform: 'node',
  target: `node${process.versions.node.split('.')[0]}`,
  sourcemap: 'linked',
  external,
  // CommonJS packages inside an ES module bundle still call require() for Node's built-ins.
  banner: {
    js: "import { createRequire as __bundleRequire } from 'node:module';\nconst require = __bundleRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
// The bundle takes the entry's place; the per-file modules stay beside it (readable stack frames
// in development, and what the source maps of the bundle were built from).
for (const f of fs.readdirSync(out)) fs.renameSync(path.join(out, f), path.join(dist, f));
fs.rmSync(out, { recursive: true });
