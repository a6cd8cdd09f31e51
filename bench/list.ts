// List path: GET /compute/v2.1/servers/detail with 1000 servers (inserted straight into the
// database, ACTIVE, each with metadata and a tag), median latency over one keep-alive connection
// (wrk -c1, the whole response received), against a bare Fastify route in this same process
// returning the same document; and the SQL queries one such request runs.
// Run: npx tsx bench/list.ts [servers=1000]   (BENCH_PG_URL=<url> on PostgreSQL)
import Fastify from 'fastify';
import { freePort, machineLine, profiled, report } from './lib/common.js';
import { MICROVERSION, startInProcess } from './lib/service.js';
import { wrk } from './lib/wrk.js';
import { insertServers, unlimitedQuota } from '../test/helpers/servers.js';

const N = Number(process.argv[2] ?? 1000);
const SECONDS = Number(process.env.BENCH_LIST_SECONDS ?? 5);

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
  const s = await profiled('list-servers-detail', () =>
    wrk(`${svc.url}${path}`, { connections: 1, seconds: SECONDS, headers }),
  );
  const b = await wrk(`http://127.0.0.1:${barePort}${path}`, { connections: 1, seconds: SECONDS, headers });
  report({
    name: `list GET /servers/detail, ${N} servers (median, microversion ${MICROVERSION})`,
    value: s.latencyMs.p50,
    unit: 'ms',
    baselineName: 'bare Fastify route, same document',
    baseline: b.latencyMs.p50,
    target: '<= 20 ms',
    notes:
      `p90 ${s.latencyMs.p90.toFixed(1)} vs ${b.latencyMs.p90.toFixed(1)} ms; ${s.requests} vs ${b.requests} requests; ${(JSON.stringify(document).length / 1024).toFixed(0)} KiB; ` +
      `CPU per request ${(s.cpuUsPerRequest / 1000).toFixed(1)} vs ${(b.cpuUsPerRequest / 1000).toFixed(1)} ms`,
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
