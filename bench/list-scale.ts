// The fake-scale list lines (bench/fake-scale.ts part 3) without its 20-minute API run: N servers
// inserted straight into the database through the test helper (insertServers: one project, spread
// over M fake hosts, names that the name regex does not match, as the API run's), the service in
// this process, each list median over one keep-alive connection (wrk -c1) against a bare Fastify
// route returning the same document, plus the SQL statements of one request. For iterations on the
// list path; the official figures stay fake-scale's (servers created through the API, a child process).
// Run: npx tsx bench/list-scale.ts   (BENCH_SCALE_SERVERS=100000, BENCH_SCALE_HOSTS=100,
//      BENCH_SCALE_LIST_SECONDS=3, BENCH_LIST_ONLY=<substring of a line's name>, BENCH_CPU_PROF=<dir>,
//      BENCH_PG_URL=<url>, BENCH_SCALE_DB=<sqlite file>: seeded once, reused by later runs)
import path from 'node:path';
import Fastify from 'fastify';
import { machineLine, msSince, profiled, report } from './lib/common.js';
import { MICROVERSION, startInProcess } from './lib/service.js';
import { insertServers, unlimitedQuota } from '../test/helpers/servers.js';
import { wrk } from './lib/wrk.js';
import { scaleLists, serveDocuments } from './lib/scale-lists.js';
import { sql } from '../src/db/sql.js';

const N = Number(process.env.BENCH_SCALE_SERVERS ?? 100_000);
const M = Number(process.env.BENCH_SCALE_HOSTS ?? 100);
const SECONDS = Number(process.env.BENCH_SCALE_LIST_SECONDS ?? 3);
const ONLY = process.env.BENCH_LIST_ONLY;

console.log(machineLine());
const KEEP = process.env.BENCH_SCALE_DB;
const svc = await startInProcess('list-scale', {
  fakeHosts: { count: M, vcpus: 128, ramMb: 128 * 1024, diskGb: 10240 },
  ...(KEEP ? { databaseUrl: `sqlite://${path.resolve(KEEP)}` } : {}),
});
const bare = Fastify({ logger: false });
try {
  const t0 = process.hrtime.bigint();
  const projectId = await unlimitedQuota(svc.built.services);
  const hosts = await svc.built.services.hostsRepo.list();
  const seeded = KEEP ? Number((await sql(svc.built.services.db)('instances').count({ n: '*' }))[0].n) : 0;
  for (let h = 0; h < hosts.length; h++) {
    const n = Math.floor(N / hosts.length) + (h < N % hosts.length ? 1 : 0);
    // `scale-<h>00-<i>`: the API run's multi-create names (`scale-<first>-<k>`); the regex below matches none
    if (n && seeded < N)
      await insertServers(svc.built.services, n, { projectId, hostId: hosts[h].id, prefix: `scale-${h}00` });
  }
  if (seeded >= N) {
    // a kept database: start-up reconcile found no fake container for these rows (ERROR, a fault each)
    await sql(svc.built.services.db)('instances').update({ vm_state: 'active', power_state: 1, task_state: null });
    await sql(svc.built.services.db)('instance_faults').delete();
  }
  console.log(`  inserted ${N} servers over ${hosts.length} hosts in ${(msSince(t0) / 1000).toFixed(1)} s`);
  const host = hosts[Math.floor(hosts.length / 2)].name;
  const { documents, port: barePort } = await serveDocuments(bare);
  const headers = { 'X-Auth-Token': svc.token, 'OpenStack-API-Version': `compute ${MICROVERSION}` };
  for (const { name, path: p, targetMs: target } of scaleLists(host)) {
    if (ONLY && !name.includes(ONLY)) continue;
    const { result: r, sql } = await svc.countQueries(() => svc.call('GET', p), 3);
    if (r.status !== 200) throw new Error(`${p}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
    documents.set(p, r.body);
    await wrk(`${svc.url}${p}`, { connections: 1, seconds: 1, headers });
    const label = `list-scale-${name.replace(/[^a-z0-9]+/gi, '-')}`;
    const s = await profiled(label, () => wrk(`${svc.url}${p}`, { connections: 1, seconds: SECONDS, headers }));
    const b = await wrk(`http://127.0.0.1:${barePort}${p}`, { connections: 1, seconds: SECONDS, headers });
    report({
      name: `list-scale ${name} with ${N} servers (median, in process)`,
      value: s.latencyMs.p50,
      unit: 'ms',
      baselineName: 'bare Fastify route, same document',
      baseline: b.latencyMs.p50,
      target: `<= ${target} ms`,
      notes: `${r.body.servers.length} servers; CPU ${(s.cpuUsPerRequest / 1000).toFixed(1)} vs ${(b.cpuUsPerRequest / 1000).toFixed(1)} ms/request; SQL: ${sql.join(' | ')}`,
    });
  }
  const mem = process.memoryUsage();
  console.log(
    `  this process after the lists (service, bench and bare route together): RSS ${(mem.rss / 2 ** 20).toFixed(0)} MiB, ` +
      `heap used ${(mem.heapUsed / 2 ** 20).toFixed(0)} MiB`,
  );
} finally {
  await bare.close();
  await svc.close();
}
