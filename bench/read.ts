// Read path: GET /compute/v2.1/servers/{id} throughput at 16 connections (wrk, a separate process)
// against a bare Fastify route in this same process returning the same document, measured in the
// same run, rounds interleaved so that machine load hits both alike; the CPU time per request of
// each (steadier than req/s on a loaded machine); and the SQL queries one
// such request runs.
// Run: npx tsx bench/read.ts   (BENCH_READ_SECONDS=3 per round, BENCH_READ_ROUNDS=4,
//      BENCH_CPU_PROF=<dir> profiles the service's rounds, BENCH_PG_URL=<url> on PostgreSQL)
import Fastify from 'fastify';
import { freePort, machineLine, median, profiled, report } from './lib/common.js';
import { MICROVERSION, startInProcess } from './lib/service.js';
import { wrk } from './lib/wrk.js';
import { seedImage, unlimitedQuota } from '../test/helpers/servers.js';

const SECONDS = Number(process.env.BENCH_READ_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_READ_ROUNDS ?? 4);
const CONNECTIONS = 16;

const svc = await startInProcess('read');
const bare = Fastify({ logger: false });
try {
  console.log(machineLine());
  await unlimitedQuota(svc.built.services);
  const image = await seedImage(svc.built.services, { name: 'bench-image' });
  const created = await svc.call('POST', '/compute/v2.1/servers', {
    server: { name: 'bench-read', imageRef: image.id, flavorRef: '1', networks: 'auto', metadata: { role: 'bench' } },
  });
  if (created.status !== 202) throw new Error(`create: ${created.status} ${JSON.stringify(created.body)}`);
  const id = created.body.server.id as string;
  await svc.built.services.worker.drain();
  const path = `/compute/v2.1/servers/${id}`;
  const { result: shown, queries, sql } = await svc.countQueries(() => svc.call('GET', path), 20);
  if (shown.status !== 200 || shown.body.server.status !== 'ACTIVE')
    throw new Error(`show: ${shown.status} ${JSON.stringify(shown.body)}`);
  const document = shown.body;

  // The baseline: the same document from a bare Fastify route (no auth, no DB, default serializer).
  bare.get('/compute/v2.1/servers/:id', async () => document);
  const barePort = await freePort();
  await bare.listen({ host: '127.0.0.1', port: barePort });
  const headers = { 'X-Auth-Token': svc.token, 'OpenStack-API-Version': `compute ${MICROVERSION}` };
  const svcUrl = `${svc.url}${path}`;
  const bareUrl = `http://127.0.0.1:${barePort}${path}`;

  // Warm-up (JIT, caches, connection set-up) of both, not measured.
  await wrk(svcUrl, { connections: CONNECTIONS, seconds: 2, headers });
  await wrk(bareUrl, { connections: CONNECTIONS, seconds: 2, headers });
  const svcRuns = [];
  const bareRuns = [];
  for (let r = 0; r < ROUNDS; r++) {
    svcRuns.push(
      await profiled(`read-servers-show-${r}`, () =>
        wrk(svcUrl, { connections: CONNECTIONS, seconds: SECONDS, headers }),
      ),
    );
    bareRuns.push(await wrk(bareUrl, { connections: CONNECTIONS, seconds: SECONDS, headers }));
  }
  const s = median(svcRuns.map((x) => x.requestsPerSec));
  const b = median(bareRuns.map((x) => x.requestsPerSec));
  report({
    name: `read GET /servers/{id} (${CONNECTIONS} connections, microversion ${MICROVERSION})`,
    value: s,
    unit: 'req/s',
    baselineName: 'bare Fastify route, same document',
    baseline: b,
    target: '>= 0.3',
    notes:
      `p50 ${median(svcRuns.map((x) => x.latencyMs.p50)).toFixed(2)} ms vs ${median(bareRuns.map((x) => x.latencyMs.p50)).toFixed(2)} ms; ` +
      `${ROUNDS}x${SECONDS}s rounds, each ${svcRuns.map((x) => x.requestsPerSec.toFixed(0)).join('/')} vs ${bareRuns.map((x) => x.requestsPerSec.toFixed(0)).join('/')}; ` +
      `${JSON.stringify(document).length} bytes`,
  });
  // CPU time per request: the server's work, whatever the machine's load does to throughput.
  report({
    name: 'read CPU time per GET /servers/{id}',
    value: median(svcRuns.map((x) => x.cpuUsPerRequest)),
    unit: 'µs',
    baselineName: 'bare Fastify route, same document',
    baseline: median(bareRuns.map((x) => x.cpuUsPerRequest)),
    notes:
      'user+system time of the process serving (the service and the bare route share this process, one at a time), per request; its inverse bounds req/s on one core',
  });
  report({
    name: 'read SQL queries per GET /servers/{id}',
    value: queries,
    unit: 'queries',
    notes: `mean of 20 requests: ${sql.join(' | ')}`,
  });
} finally {
  await bare.close();
  await svc.close();
}
