// List path: GET /compute/v2.1/servers/detail with 1000 servers (inserted straight into the
// database, ACTIVE, each with metadata and a tag), median latency over one keep-alive connection
// (wrk -c1, the whole response received), against a bare Fastify route in this same process
// returning the same document, rounds interleaved so that machine load hits both alike; the CPU
// time per request of each (steady where latency swings with the load); and the SQL queries one
// such request runs.
// Run: npx tsx bench/list.ts [servers=1000]   (BENCH_LIST_SECONDS=3 per round, BENCH_LIST_ROUNDS=4,
//      BENCH_PG_URL=<url> on PostgreSQL)
import Fastify from 'fastify';
import { freePort, machineLine, median, profiled, report } from './lib/common.js';
import { MICROVERSION, startInProcess } from './lib/service.js';
import { wrk, type WrkResult } from './lib/wrk.js';
import { insertServers, unlimitedQuota } from '../test/helpers/servers.js';

const N = Number(process.argv[2] ?? 1000);
const SECONDS = Number(process.env.BENCH_LIST_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_LIST_ROUNDS ?? 4);

const svc = await startInProcess('list');
const bare = Fastify({ logger: false });
try {
  console.log(machineLine());
  const projectId = await unlimitedQuota(svc.built.services);
  const host = (await svc.built.services.hostsRepo.list())[0];
  await insertServers(svc.built.services, N, { projectId, hostId: host.id, prefix: 'vm' });
  const path = '/compute/v2.1/servers/detail';
  const { result: listed, queries, sql } = await svc.countQueries(() => svc.call('GET', path), 20);
  if (listed.status !== 200 || listed.body.servers.length !== N)
    throw new Error(`list: ${listed.status} ${listed.body?.servers?.length}`);
  const document = listed.body;
  bare.get(path, async () => document);
  const barePort = await freePort();
  await bare.listen({ host: '127.0.0.1', port: barePort });
  const headers = { 'X-Auth-Token': svc.token, 'OpenStack-API-Version': `compute ${MICROVERSION}` };
  await wrk(`${svc.url}${path}`, { connections: 1, seconds: 1, headers });
  await wrk(`http://127.0.0.1:${barePort}${path}`, { connections: 1, seconds: 1, headers });
  const svcRuns: WrkResult[] = [];
  const bareRuns: WrkResult[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    svcRuns.push(
      await profiled(`list-servers-detail-${r}`, () =>
        wrk(`${svc.url}${path}`, { connections: 1, seconds: SECONDS, headers }),
      ),
    );
    bareRuns.push(await wrk(`http://127.0.0.1:${barePort}${path}`, { connections: 1, seconds: SECONDS, headers }));
  }
  const p50 = (runs: WrkResult[]) => median(runs.map((x) => x.latencyMs.p50));
  report({
    name: `list GET /servers/detail, ${N} servers (median, microversion ${MICROVERSION})`,
    value: p50(svcRuns),
    unit: 'ms',
    baselineName: 'bare Fastify route, same document',
    baseline: p50(bareRuns),
    target: '<= 20 ms',
    notes:
      `p90 ${median(svcRuns.map((x) => x.latencyMs.p90)).toFixed(1)} vs ${median(bareRuns.map((x) => x.latencyMs.p90)).toFixed(1)} ms; ` +
      `${ROUNDS}x${SECONDS}s rounds, medians ${svcRuns.map((x) => x.latencyMs.p50.toFixed(0)).join('/')} vs ${bareRuns.map((x) => x.latencyMs.p50.toFixed(0)).join('/')} ms; ` +
      `${(JSON.stringify(document).length / 1024).toFixed(0)} KiB`,
  });
  report({
    name: `list CPU time per GET /servers/detail (${N} servers)`,
    value: median(svcRuns.map((x) => x.cpuUsPerRequest)) / 1000,
    unit: 'ms',
    baselineName: 'bare Fastify route, same document',
    baseline: median(bareRuns.map((x) => x.cpuUsPerRequest)) / 1000,
    notes: 'user+system time of this process (service and bare route, one at a time) per request',
  });
  report({
    name: `list SQL queries per GET /servers/detail (${N} servers)`,
    value: queries,
    unit: 'queries',
    notes: `mean of 20 requests: ${sql.join(' | ')}`,
  });
} finally {
  await bare.close();
  await svc.close();
}
