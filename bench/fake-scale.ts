// Scale on the fake compute driver: N servers over M fake hosts, the service as a child process.
//   1. creates N servers through the API from C concurrent clients (max_count B per request),
//      waits until none is in BUILD, and counts ACTIVE / ERROR;
//   2. a sequential sample of single boots, each build's duration read from its instance action
//      event (compute__do_build_and_run_instance: the scheduler's choice plus the fake spawn);
//   3. with all N servers present: GET /servers/detail?limit=1000, and filtered lists (status,
//      name regex, host), median over one keep-alive connection (wrk -c1) against a bare Fastify
//      route in this process returning the same document;
//   4. VmRSS of the service's process tree at the end;
//   5. the scheduler's choice itself (Scheduler.selectHost in this process, over M fake hosts and N
//      servers inserted straight into a database of its own), median of 200.
// Fake hosts: NOVADOCK_FAKE_HOSTS=<M> and NOVADOCK_FAKE_HOST_{VCPUS,RAM_MB,DISK_GB}; otherwise the
// service runs with its production defaults (power sync every 10 s, heartbeats).
// 100,000 servers: BENCH_SCALE_SERVERS=100000 BENCH_SCALE_BATCH=100 (max_count per POST).
// Run: npx tsx bench/fake-scale.ts   (BENCH_SCALE_SERVERS=2000, BENCH_SCALE_HOSTS=100,
//      BENCH_SCALE_CONCURRENCY=8, BENCH_SCALE_BATCH=1, BENCH_SCALE_FLAVOR=6 (c1.nano), BENCH_PG_URL=<url>)
import Fastify from 'fastify';
import { machineLine, median, mib, msSince, percentile, report, sleep, treeRssKb } from './lib/common.js';
import { MICROVERSION, startChild, startInProcess, type Child } from './lib/service.js';
import { insertServers, unlimitedQuota } from '../test/helpers/servers.js';
import { wrk } from './lib/wrk.js';
import { scaleLists, serveDocuments } from './lib/scale-lists.js';
import { makeDockerSaveLikeTar } from '../test/helpers/image-tar.js';

const N = Number(process.env.BENCH_SCALE_SERVERS ?? 2000);
const M = Number(process.env.BENCH_SCALE_HOSTS ?? 100);
const C = Number(process.env.BENCH_SCALE_CONCURRENCY ?? 8);
const BATCH = Number(process.env.BENCH_SCALE_BATCH ?? 1);
const FLAVOR = process.env.BENCH_SCALE_FLAVOR ?? '6';
const SAMPLE = Number(process.env.BENCH_SCALE_SAMPLE ?? 20);
const LIST_SECONDS = Number(process.env.BENCH_SCALE_LIST_SECONDS ?? 3);
const fakeHostEnv = {
  NOVADOCK_FAKE_HOSTS: String(M),
  NOVADOCK_FAKE_HOST_VCPUS: process.env.NOVADOCK_FAKE_HOST_VCPUS ?? '128',
  NOVADOCK_FAKE_HOST_RAM_MB: process.env.NOVADOCK_FAKE_HOST_RAM_MB ?? String(128 * 1024),
  NOVADOCK_FAKE_HOST_DISK_GB: process.env.NOVADOCK_FAKE_HOST_DISK_GB ?? '10240',
};
const base = {};

async function hypervisors(svc: Child): Promise<{ name: string; running: number }[]> {
  // 2.87: the last microversion that shows running_vms
  const r = await svc.call('GET', '/compute/v2.1/os-hypervisors/detail', undefined, {
    'OpenStack-API-Version': 'compute 2.87',
  });
  if (r.status !== 200) throw new Error(`hypervisors: ${r.status}`);
  return r.body.hypervisors.map((h: { hypervisor_hostname: string; running_vms?: number }) => ({
    name: h.hypervisor_hostname,
    running: h.running_vms ?? 0,
  }));
}

/** How many servers have `status` (paging through the list with limit/marker). */
async function countStatus(svc: Child, status: string): Promise<number> {
  let n = 0;
  let marker = '';
  for (;;) {
    const r = await svc.call(
      'GET',
      `/compute/v2.1/servers?status=${status}&limit=1000${marker ? `&marker=${marker}` : ''}`,
    );
    if (r.status !== 200) throw new Error(`count ${status}: ${r.status} ${JSON.stringify(r.body)}`);
    n += r.body.servers.length;
    if (r.body.servers.length < 1000) return n;
    marker = r.body.servers[r.body.servers.length - 1].id;
  }
}

console.log(machineLine());
// BENCH_SCALE_ONLY=scheduler: only part 5 (a minute or two instead of the API run's half hour).
if (process.env.BENCH_SCALE_ONLY !== 'scheduler') {
  const svc = await startChild('scale', { ...base, ...fakeHostEnv });
  const bare = Fastify({ logger: false });
  let peakTreeKb = 0;
  const sampler = setInterval(() => {
    peakTreeKb = Math.max(peakTreeKb, treeRssKb(svc.pid).totalKb);
  }, 1000);
  try {
    let hv = await hypervisors(svc);
    if (hv.length !== M)
      throw new Error(`asked for ${M} fake hosts (NOVADOCK_FAKE_HOSTS), the service reports ${hv.length}`);
    console.log(
      `  ${hv.length} fake hosts; creating ${N} servers from ${C} clients, max_count ${BATCH}, flavor ${FLAVOR}`,
    );

    // Unlimited quota for the admin project, and a bootable image.
    const project = (await svc.call('GET', '/identity/v3/projects?name=admin')).body.projects[0].id as string;
    const q = await svc.call('PUT', `/compute/v2.1/os-quota-sets/${project}`, {
      quota_set: { instances: -1, cores: -1, ram: -1 },
    });
    if (q.status !== 200) throw new Error(`quota: ${q.status} ${JSON.stringify(q.body)}`);
    const image = (
      await svc.call('POST', '/image/v2/images', {
        name: 'scale-image',
        container_format: 'docker',
        disk_format: 'raw',
        visibility: 'public',
      })
    ).body.id as string;
    const up = await fetch(`${svc.url}/image/v2/images/${image}/file`, {
      method: 'PUT',
      headers: { 'X-Auth-Token': svc.token, 'Content-Type': 'application/octet-stream' },
      body: makeDockerSaveLikeTar(),
    });
    if (up.status !== 204) throw new Error(`upload: ${up.status}`);

    // 1. N creates from C clients.
    let next = 0;
    let failedPosts = 0;
    const postMs: number[] = [];
    const t0 = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: C }, async () => {
        for (;;) {
          const first = next;
          if (first >= N) return;
          const count = Math.min(BATCH, N - first);
          next += count;
          const tp = process.hrtime.bigint();
          const body = {
            server: {
              name: `scale-${first}`,
              imageRef: image,
              flavorRef: FLAVOR,
              networks: 'none',
              ...(count > 1 ? { min_count: count, max_count: count } : {}),
            },
          };
          const r = await svc.call('POST', '/compute/v2.1/servers', body);
          postMs.push(msSince(tp));
          if (r.status !== 202) {
            failedPosts += count;
            if (failedPosts <= 3) console.log(`  POST answered ${r.status}: ${JSON.stringify(r.body).slice(0, 200)}`);
          }
        }
      }),
    );
    const postWall = msSince(t0);
    let building = 1;
    while (building > 0) {
      building = (await svc.call('GET', '/compute/v2.1/servers?status=BUILD&limit=1')).body.servers.length;
      if (building) await sleep(500);
    }
    const settled = msSince(t0);
    const errors = await countStatus(svc, 'ERROR');
    hv = await hypervisors(svc);
    const onHosts = hv.reduce((s, h) => s + h.running, 0);
    report({
      name: `scale ${N} creates over ${hv.length} fake hosts from ${C} clients: servers in ERROR`,
      value: errors,
      unit: 'servers',
      target: '<= 0 servers',
      notes:
        `${failedPosts} POSTs refused; ${onHosts} on hosts (os-hypervisors running_vms); POSTs ${(N / (postWall / 1000)).toFixed(0)} servers/s, ` +
        `POST median ${median(postMs).toFixed(1)} ms p99 ${percentile(postMs, 99).toFixed(0)} ms; all settled after ${(settled / 1000).toFixed(1)} s`,
    });

    // 2. Sequential single boots: the build event's duration (scheduler choice + fake spawn).
    const buildMs: number[] = [];
    const bootMs: number[] = [];
    for (let i = 0; i < SAMPLE; i++) {
      const tb = process.hrtime.bigint();
      const r = await svc.call('POST', '/compute/v2.1/servers', {
        server: { name: `scale-sample-${i}`, imageRef: image, flavorRef: FLAVOR, networks: 'none' },
      });
      if (r.status !== 202) throw new Error(`sample create: ${r.status} ${JSON.stringify(r.body)}`);
      const id = r.body.server.id as string;
      const requestId = r.headers.get('x-openstack-request-id');
      for (;;) {
        const s = (await svc.call('GET', `/compute/v2.1/servers/${id}`)).body.server;
        if (s.status !== 'BUILD') {
          if (s.status !== 'ACTIVE') throw new Error(`sample ${id}: ${s.status} ${JSON.stringify(s.fault)}`);
          break;
        }
        await sleep(2);
      }
      bootMs.push(msSince(tb));
      const action = (await svc.call('GET', `/compute/v2.1/servers/${id}/os-instance-actions/${requestId}`)).body
        .instanceAction;
      const ev = (action?.events ?? []).find(
        (e: { event: string }) => e.event === 'compute__do_build_and_run_instance',
      );
      if (ev?.start_time && ev?.finish_time)
        buildMs.push(
          Date.parse(ev.finish_time + (ev.finish_time.endsWith('Z') ? '' : 'Z')) -
            Date.parse(ev.start_time + (ev.start_time.endsWith('Z') ? '' : 'Z')),
        );
    }
    report({
      name: `scale build event (scheduler choice + fake spawn) at ${hv.length} hosts, ${N} servers, median of ${SAMPLE}`,
      value: median(buildMs),
      unit: 'ms',
      target: '<= 5 ms',
      notes: `an upper bound of the scheduler's choice; POST -> ACTIVE (polled every 2 ms) median ${median(bootMs).toFixed(1)} ms`,
    });

    // 3. Lists with all servers present, each against the same document from a bare Fastify route.
    const host = hv[Math.floor(hv.length / 2)].name;
    const { documents, port: barePort } = await serveDocuments(bare);
    const headers = { 'X-Auth-Token': svc.token, 'OpenStack-API-Version': `compute ${MICROVERSION}` };
    for (const { name, path: p, targetMs: target } of scaleLists(host)) {
      const r = await svc.call('GET', p);
      if (r.status !== 200) throw new Error(`${p}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
      documents.set(p, r.body);
      await wrk(`${svc.url}${p}`, { connections: 1, seconds: 1, headers });
      const s = await wrk(`${svc.url}${p}`, { connections: 1, seconds: LIST_SECONDS, headers });
      const b = await wrk(`http://127.0.0.1:${barePort}${p}`, { connections: 1, seconds: LIST_SECONDS, headers });
      report({
        name: `scale ${name} with ${N} servers (median)`,
        value: s.latencyMs.p50,
        unit: 'ms',
        baselineName: 'bare Fastify route, same document',
        baseline: b.latencyMs.p50,
        target: `<= ${target} ms`,
        notes: `${r.body.servers.length} servers in the answer; p90 ${s.latencyMs.p90.toFixed(1)} ms`,
      });
    }

    // 4. Memory of the whole tree.
    const tree = treeRssKb(svc.pid);
    peakTreeKb = Math.max(peakTreeKb, tree.totalKb);
    report({
      name: `scale RSS of the service's process tree with ${N} servers`,
      value: mib(tree.totalKb),
      unit: 'MiB',
      target: '<= 300 MiB',
      notes: `peak ${mib(peakTreeKb).toFixed(0)} MiB (sampled every 1 s); ${tree.members.map((m) => `${m.comm} ${mib(m.rssKb).toFixed(0)}`).join(', ')}`,
    });
  } finally {
    clearInterval(sampler);
    await bare.close();
    await svc.close();
  }
}

// 5. The scheduler's choice, in this process: M fake hosts, N servers spread over them.
{
  const local = await startInProcess('scale-scheduler', {
    fakeHosts: {
      count: M,
      vcpus: Number(fakeHostEnv.NOVADOCK_FAKE_HOST_VCPUS),
      ramMb: Number(fakeHostEnv.NOVADOCK_FAKE_HOST_RAM_MB),
      diskGb: Number(fakeHostEnv.NOVADOCK_FAKE_HOST_DISK_GB),
    },
  });
  try {
    const projectId = await unlimitedQuota(local.built.services);
    const hosts = await local.built.services.hostsRepo.list();
    for (let h = 0; h < hosts.length; h++) {
      const n = Math.floor(N / hosts.length) + (h < N % hosts.length ? 1 : 0);
      if (n)
        await insertServers(local.built.services, n, {
          projectId,
          hostId: hosts[h].id,
          prefix: `h${h}`,
          // the flavor the API run creates (c1.nano): 1,000 servers of 512 MB fill a fake host's RAM
          memoryMb: 64,
        });
    }
    // Inserting 100,000 rows takes minutes: a heartbeat round now, so no host counts as down.
    await local.built.services.hostHealth.beat();
    const scheduler = local.built.services.scheduler;
    const spec = { memoryMb: 64, vcpus: 1, availabilityZone: null };
    for (let i = 0; i < 20; i++) await scheduler.selectHost(spec);
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t = process.hrtime.bigint();
      await scheduler.selectHost(spec);
      times.push(msSince(t));
    }
    const { queries } = await local.countQueries(() => scheduler.selectHost(spec), 20);
    report({
      name: `scale scheduler choice (selectHost) at ${hosts.length} hosts, ${N} servers, median of 200`,
      value: median(times),
      unit: 'ms',
      target: '<= 5 ms',
      notes: `p90 ${percentile(times, 90).toFixed(2)} ms; ${queries.toFixed(1)} SQL statements per choice`,
    });
  } finally {
    await local.close();
  }
}
