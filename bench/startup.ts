// Start-up and idle memory of the production command, against a bare Fastify process:
//   - time from spawn to the first 200 on GET /compute/v2.1 (polled every 10 ms);
//   - after BENCH_IDLE_SECONDS (3) idle, VmRSS summed over the whole process tree (npm, sh,
//     wrappers and the server), and the server process alone.
// The commands are `npm start` (scripts/start.sh) and `node dist/server.js` (what it ends in), with
// the fake driver and a fresh temp data dir (first start: migrations, seeding), and the latter again
// on the data dir it made (a restart); the baseline is `node bench/lib/bare-server.mjs`. Each is started BENCH_STARTS (3) times, interleaved;
// `npm start` once more on a data dir whose database holds BENCH_STARTUP_SERVERS (10,000) servers
// (issue 15: <= 250 MiB), idle RSS taken as above and again after one GET /servers/detail.
// The build runs once before (npm start rebuilds only a stale dist/), outside the measured starts.
// Run: npx tsx bench/startup.ts
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, machineLine, median, mib, msSince, report, sleep, treeRssKb } from './lib/common.js';
import { ADMIN_PASSWORD, PRODUCTION_ENV, ROOT, tokenFor, waitFor200 } from './lib/service.js';
import { buildApp } from '../src/app.js';
import { testConfig } from '../src/config.js';
import { insertServers } from '../test/helpers/servers.js';

const STARTS = Number(process.env.BENCH_STARTS ?? 3);
const IDLE_S = Number(process.env.BENCH_IDLE_SECONDS ?? 3);
const MANY = Number(process.env.BENCH_STARTUP_SERVERS ?? 10_000);

interface Sample {
  ms: number;
  treeKb: number;
  biggestKb: number;
  members: string;
  /** tree RSS after one GET /compute/v2.1/servers/detail (with `afterList`) */
  afterListKb?: number;
}

async function measure(
  command: string,
  args: string[],
  env: Record<string, string>,
  opts: { dataDir?: string; afterList?: boolean; keepDataDir?: boolean } = {},
): Promise<Sample> {
  const port = await freePort();
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'novadock-bench-startup-'));
  const t0 = process.hrtime.bigint();
  // Its own process group, so that the whole tree (npm → sh → node …) is ended by this one id.
  const child: ChildProcess = spawn(command, args, {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      ...env,
      PORT: String(port),
      NOVADOCK_PORT: String(port),
      NOVADOCK_HOST: '127.0.0.1',
      NOVADOCK_DATA_DIR: dataDir,
    },
  });
  try {
    await waitFor200(`http://127.0.0.1:${port}/compute/v2.1`, child, 120_000);
    const ms = msSince(t0);
    await sleep(IDLE_S * 1000);
    const tree = treeRssKb(child.pid!);
    let afterListKb: number | undefined;
    if (opts.afterList) {
      const url = `http://127.0.0.1:${port}`;
      const res = await fetch(`${url}/compute/v2.1/servers/detail`, {
        headers: { 'X-Auth-Token': await tokenFor(url) },
      });
      const n = ((await res.json()) as { servers?: unknown[] }).servers?.length;
      if (res.status !== 200 || !n) throw new Error(`servers/detail: ${res.status}, ${n} servers`);
      await sleep(IDLE_S * 1000);
      afterListKb = treeRssKb(child.pid!).totalKb;
    }
    return {
      ms,
      treeKb: tree.totalKb,
      biggestKb: Math.max(...tree.members.map((m) => m.rssKb)),
      members: tree.members.map((m) => `${m.comm} ${mib(m.rssKb).toFixed(0)}`).join(', '),
      afterListKb,
    };
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      /* gone */
    }
    const t = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, 15_000);
    await exited;
    clearTimeout(t);
    await sleep(200); // the server node exits just after its wrappers
    if (!opts.keepDataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A data dir whose database (migrated, bootstrapped) holds `n` ACTIVE servers on the default host. */
async function dataDirWithServers(n: number): Promise<string> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'novadock-bench-startup-many-'));
  const built = await buildApp({
    config: testConfig({
      dataDir,
      databaseUrl: `sqlite://${path.join(dataDir, 'novadock.sqlite')}`,
      adminPassword: ADMIN_PASSWORD,
    }),
    background: false,
    logger: false,
  });
  try {
    const s = built.services;
    const project = (await s.identityRepo.findProjectByName('default', 'admin'))!;
    const host = (await s.hostsRepo.list())[0];
    await insertServers(s, n, { projectId: project.id, hostId: host.id, prefix: 'idle' });
  } finally {
    await built.app.close();
  }
  return dataDir;
}

console.log(machineLine());
execFileSync('bash', ['scripts/build.sh'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
const svcEnv = {
  ...PRODUCTION_ENV,
  NOVADOCK_COMPUTE_DRIVER: 'fake',
  NOVADOCK_ADMIN_PASSWORD: ADMIN_PASSWORD,
  NOVADOCK_LOG_LEVEL: 'warn',
};
const svc: Sample[] = [];
const bare: Sample[] = [];
// The production command itself (what npm start ends in, without npm and the build check around it).
const node: Sample[] = [];
// The same command again on the data dir it just made: a restart, the database already migrated and seeded.
const restart: Sample[] = [];
for (let i = 0; i < STARTS; i++) {
  bare.push(await measure(process.execPath, [path.join(ROOT, 'bench/lib/bare-server.mjs')], {}));
  svc.push(await measure('npm', ['start', '--silent'], svcEnv));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'novadock-bench-startup-'));
  node.push(
    await measure(process.execPath, [path.join(ROOT, 'dist/server.js')], svcEnv, { dataDir, keepDataDir: true }),
  );
  restart.push(await measure(process.execPath, [path.join(ROOT, 'dist/server.js')], svcEnv, { dataDir }));
}
report({
  name: 'startup npm start -> first 200 on /compute/v2.1',
  target: '<= 1000 ms',
  value: median(svc.map((s) => s.ms)),
  unit: 'ms',
  baselineName: 'bare Fastify process (node bare-server.mjs)',
  baseline: median(bare.map((s) => s.ms)),
  notes: `${svc.map((s) => s.ms.toFixed(0)).join('/')} vs ${bare.map((s) => s.ms.toFixed(0)).join('/')} ms`,
});
report({
  name: `startup idle RSS of the whole process tree (${IDLE_S} s after the first 200)`,
  target: '<= 120 MiB',
  value: mib(median(svc.map((s) => s.treeKb))),
  unit: 'MiB',
  baselineName: 'bare Fastify process',
  baseline: mib(median(bare.map((s) => s.treeKb))),
  notes: `tree: ${svc[svc.length - 1].members} (MiB); largest process ${mib(median(svc.map((s) => s.biggestKb))).toFixed(0)} MiB`,
});

report({
  name: 'startup node dist/server.js (the production command, a fresh data dir) -> first 200 on /compute/v2.1',
  target: '<= 1000 ms',
  value: median(node.map((s) => s.ms)),
  unit: 'ms',
  baselineName: 'bare Fastify process (node bare-server.mjs)',
  baseline: median(bare.map((s) => s.ms)),
  notes: `${node.map((s) => s.ms.toFixed(0)).join('/')} ms`,
});
report({
  name: 'startup node dist/server.js restarted on its data dir (database migrated and seeded) -> first 200',
  target: '<= 1000 ms',
  value: median(restart.map((s) => s.ms)),
  unit: 'ms',
  baselineName: 'bare Fastify process (node bare-server.mjs)',
  baseline: median(bare.map((s) => s.ms)),
  notes: `${restart.map((s) => s.ms.toFixed(0)).join('/')} ms; idle RSS ${mib(median(restart.map((s) => s.treeKb))).toFixed(0)} MiB`,
});
report({
  name: `startup idle RSS of node dist/server.js (${IDLE_S} s after the first 200)`,
  target: '<= 120 MiB',
  value: mib(median(node.map((s) => s.treeKb))),
  unit: 'MiB',
  baselineName: 'bare Fastify process',
  baseline: mib(median(bare.map((s) => s.treeKb))),
  notes: `tree: ${node[node.length - 1].members} (MiB)`,
});

const manyDir = await dataDirWithServers(MANY);
const many = await measure('npm', ['start', '--silent'], svcEnv, { dataDir: manyDir, afterList: true });
report({
  name: `startup idle RSS of the whole process tree, ${MANY} servers in the database`,
  value: mib(many.treeKb),
  unit: 'MiB',
  baselineName: 'bare Fastify process',
  baseline: mib(median(bare.map((s) => s.treeKb))),
  target: '<= 250 MiB',
  notes: `tree: ${many.members} (MiB); started in ${many.ms.toFixed(0)} ms; after one GET /servers/detail (1000 servers) ${mib(many.afterListKb!).toFixed(0)} MiB`,
});
