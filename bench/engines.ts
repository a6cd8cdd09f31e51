// Several real engines: 60 boots spread over three Docker Engines (started by
// scripts/engines-up.sh) by two API replicas sharing one PostgreSQL database and one data dir,
// against 60 boots on one engine by the same two replicas, in the same run. The wall time runs
// from the first POST until every server is ACTIVE (polled every 100 ms).
// Not part of the default `npm run bench` (about 3 minutes): `npm run bench -- engines`.
// Run: npx tsx bench/engines.ts [boots=60]   (BENCH_PG_URL=<url>, else scripts/pg-up.sh gives one;
//      BENCH_KEEP_ENGINES=1 leaves the engines running)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { machineLine, msSince, report, sleep } from './lib/common.js';
import { ROOT, startChild, type Child } from './lib/service.js';
import { freshPgDatabase } from '../test/helpers/pg-database.js';

const BOOTS = Number(process.argv[2] ?? 60);
const TEST_IMAGE = process.env.TEST_IMAGE ?? 'novadock-test/busybox:latest';
const sh = (script: string, env: Record<string, string> = {}) =>
  execFileSync('bash', [path.join(ROOT, 'scripts', script)], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });

async function until(what: string, fn: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

async function listAll(api: Child, q = ''): Promise<{ id: string; status: string; host: string }[]> {
  const r = await api.call('GET', `/compute/v2.1/servers/detail?limit=1000${q}`);
  if (r.status !== 200) throw new Error(`list: ${r.status}`);
  return r.body.servers.map((s: Record<string, string>) => ({
    id: s.id,
    status: s.status,
    host: s['OS-EXT-SRV-ATTR:host'],
  }));
}

/** Two replicas on a fresh database over `engines`; BOOTS boots split between them; the wall time. */
async function scenario(
  label: string,
  engines: string[],
  pgBase: string,
  imageTar: string,
): Promise<{ ms: number; perHost: Record<string, number> }> {
  const pg = await freshPgDatabase(pgBase, `bench_${label}`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `novadock-bench-${label}-`));
  const env = {
    DATABASE_URL: pg.url,
    NOVADOCK_DATA_DIR: dataDir,
    NOVADOCK_COMPUTE_DRIVER: 'docker',
    DOCKER_HOST: engines[0],
    NOVADOCK_COMPUTE_HOSTS: engines
      .slice(1)
      .map((u, i) => `engine-${i + 2}=${u}`)
      .join(','),
    NOVADOCK_STOP_TIMEOUT: '1',
    // Nova's cpu_allocation_ratio (16) lets one 2-CPU engine take 32 one-vCPU servers; the baseline
    // needs all BOOTS on one engine.
    NOVADOCK_CPU_ALLOCATION_RATIO: process.env.NOVADOCK_CPU_ALLOCATION_RATIO ?? '64',
  };
  const replicas: Child[] = [];
  try {
    replicas.push(await startChild(`${label}-a`, env));
    replicas.push(await startChild(`${label}-b`, env));
    const [a, b] = replicas;
    const project = (await a.call('GET', '/identity/v3/projects?name=admin')).body.projects[0].id as string;
    await a.call('PUT', `/compute/v2.1/os-quota-sets/${project}`, { quota_set: { instances: -1, cores: -1, ram: -1 } });
    const image = (
      await a.call('POST', '/image/v2/images', {
        name: 'busybox',
        container_format: 'docker',
        disk_format: 'raw',
        visibility: 'public',
      })
    ).body.id as string;
    const up = await fetch(`${a.url}/image/v2/images/${image}/file`, {
      method: 'PUT',
      headers: { 'X-Auth-Token': a.token, 'Content-Type': 'application/octet-stream' },
      body: fs.readFileSync(imageTar),
    });
    if (up.status !== 204) throw new Error(`upload: ${up.status}`);
    const hosts = (await a.call('GET', '/compute/v2.1/os-hypervisors')).body.hypervisors.map(
      (h: { hypervisor_hostname: string }) => h.hypervisor_hostname,
    ) as string[];
    if (hosts.length !== engines.length)
      throw new Error(`expected ${engines.length} hypervisors, got ${hosts.join(', ')}`);
    const boot = (api: Child, name: string, az?: string) =>
      api.call('POST', '/compute/v2.1/servers', {
        server: { name, imageRef: image, flavorRef: '6', networks: 'auto', ...(az ? { availability_zone: az } : {}) },
      });
    const settle = async (n: number) =>
      until(
        `${n} servers settled`,
        async () => (await listAll(a, '&status=BUILD')).length === 0 && (await listAll(a)).length === n,
        600_000,
      );
    // Warm-up: one boot per engine (loads the image there, creates the bridge), then gone.
    for (const h of hosts) {
      const r = await boot(a, `warm-${h}`, `nova:${h}`);
      if (r.status !== 202) throw new Error(`warm-up: ${r.status} ${JSON.stringify(r.body)}`);
    }
    await settle(hosts.length);
    for (const s of await listAll(a)) await a.call('DELETE', `/compute/v2.1/servers/${s.id}`);
    await until('warm-up deleted', async () => (await listAll(a)).length === 0, 120_000);

    const t0 = process.hrtime.bigint();
    const posted = await Promise.all(Array.from({ length: BOOTS }, (_, i) => boot(i % 2 ? b : a, `e-${i}`)));
    const refused = posted.filter((r) => r.status !== 202);
    if (refused.length) throw new Error(`${refused.length} POSTs refused: ${JSON.stringify(refused[0].body)}`);
    await settle(BOOTS);
    const ms = msSince(t0);
    const servers = await listAll(a);
    const notActive = servers.filter((s) => s.status !== 'ACTIVE');
    if (notActive.length) throw new Error(`${notActive.length} servers not ACTIVE (${notActive[0].status})`);
    const perHost: Record<string, number> = {};
    for (const s of servers) perHost[s.host] = (perHost[s.host] ?? 0) + 1;
    for (const s of servers)
      await (Number.parseInt(s.id.slice(0, 1), 16) % 2 ? b : a).call('DELETE', `/compute/v2.1/servers/${s.id}`);
    await until('all deleted', async () => (await listAll(a)).length === 0, 300_000);
    return { ms, perHost };
  } finally {
    for (const r of replicas) await r.close();
    await pg.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

console.log(machineLine());
const pgBase = process.env.BENCH_PG_URL ?? sh('pg-up.sh').trim();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'novadock-bench-engines-'));
const engines = sh('engines-up.sh', { ENGINES: '3' }).trim().split('\n');
try {
  const tar = path.join(work, 'image.tar');
  execFileSync('docker', ['image', 'save', TEST_IMAGE, '-o', tar]);
  const one = await scenario('one', [engines[0]], pgBase, tar);
  const three = await scenario('three', engines, pgBase, tar);
  report({
    name: `engines ${BOOTS} boots over 3 engines by 2 replicas on PostgreSQL, until all ACTIVE`,
    value: three.ms / 1000,
    unit: 's',
    baselineName: `${BOOTS} boots on one engine, same replicas`,
    baseline: one.ms / 1000,
    notes: `per host ${JSON.stringify(three.perHost)}; one engine ${JSON.stringify(one.perHost)}`,
  });
} finally {
  fs.rmSync(work, { recursive: true, force: true });
  if (process.env.BENCH_KEEP_ENGINES !== '1') sh('engines-down.sh');
}
