// Boot path on the real Docker Engine, each against raw Docker in the same run:
//   - sequential: POST /servers → ACTIVE, networks "none" and "auto", against raw Docker
//     create+start of the same image with the same limits, NetworkMode none and the service's
//     bridge network (`private`); iterations interleaved so that machine load hits both alike;
//   - concurrent: 20 POSTs at once until all 20 are ACTIVE, against 20 concurrent raw create+start.
// The service runs in this process (buildApp, background work on, a loopback port), driven over
// HTTP. "ACTIVE" is observed without polling: the bench awaits the worker becoming idle (the build
// tasks finished), then confirms every status with GET /servers/{id}.
// Run: npx tsx bench/boot.ts [iterations=8] [concurrent=20]
//      (BENCH_BOOT_ROUNDS=1 concurrent rounds, BENCH_CPU_PROF=<dir>, BENCH_PG_URL=<url>)
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { machineLine, median, msSince, profiled, report } from './lib/common.js';
import { startInProcess, type InProcess } from './lib/service.js';
import { seedImage, unlimitedQuota } from '../test/helpers/servers.js';
import { sql } from '../src/db/sql.js';

const N = Number(process.argv[2] ?? 8);
const CONCURRENT = Number(process.argv[3] ?? 20);
const ROUNDS = Number(process.env.BENCH_BOOT_ROUNDS ?? 1);
const TEST_IMAGE = process.env.TEST_IMAGE ?? 'novadock-test/busybox:latest';
const LABEL = 'io.novadock.bench';
const FLAVOR = { id: '6', memoryMb: 64, vcpus: 1 }; // c1.nano
const BRIDGE = 'private'; // the service's network for "auto" (compute/networks.ts)

const dockerHost = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
const docker = new Docker({ socketPath: dockerHost.replace(/^unix:\/\//, '') });

async function rawBoot(image: string, network: 'none' | typeof BRIDGE): Promise<{ elapsed: number; id: string }> {
  const t0 = process.hrtime.bigint();
  const c = await docker.createContainer({
    name: `bench-raw-${randomUUID()}`,
    Image: image,
    Hostname: 'bench',
    Tty: true,
    OpenStdin: true,
    Labels: { [LABEL]: '1' },
    HostConfig: {
      Memory: FLAVOR.memoryMb * 1048576,
      MemorySwap: FLAVOR.memoryMb * 1048576,
      NanoCpus: FLAVOR.vcpus * 1e9,
      PidsLimit: 4096,
      Init: true,
      NetworkMode: network,
      RestartPolicy: { Name: 'no' },
      LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '2' } },
    },
  });
  await c.start();
  return { elapsed: msSince(t0), id: c.id };
}
const rawRemove = (id: string) => docker.getContainer(id).remove({ force: true });

async function svcCreate(svc: InProcess, imageId: string, name: string, networks: 'none' | 'auto'): Promise<string> {
  const res = await svc.call('POST', '/compute/v2.1/servers', {
    server: { name, imageRef: imageId, flavorRef: FLAVOR.id, networks },
  });
  if (res.status !== 202) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.server.id as string;
}
async function assertActive(svc: InProcess, ids: string[]): Promise<void> {
  for (const id of ids) {
    const show = await svc.call('GET', `/compute/v2.1/servers/${id}`);
    if (show.body?.server?.status !== 'ACTIVE')
      throw new Error(
        `${id} not ACTIVE: ${JSON.stringify(show.body?.server?.fault ?? show.body?.server?.status ?? show.body)}`,
      );
  }
}
async function svcDelete(svc: InProcess, ids: string[]): Promise<void> {
  await Promise.all(ids.map((id) => svc.call('DELETE', `/compute/v2.1/servers/${id}`)));
  await svc.built.services.worker.drain();
}

console.log(machineLine());
const dataTar = (dir: string) => {
  const f = path.join(dir, 'image.tar');
  execFileSync('docker', ['image', 'save', TEST_IMAGE, '-o', f]);
  return fs.readFileSync(f);
};
const svc = await startInProcess('boot', { computeDriver: 'docker', dockerHost });
const worker = svc.built.services.worker;
try {
  await unlimitedQuota(svc.built.services);
  const image = await seedImage(svc.built.services, { name: 'busybox', data: dataTar(svc.dataDir) });
  // Warm-up: the first boot loads the image into Docker and creates the bridge network.
  const warm = await svcCreate(svc, image.id, 'bench-warm', 'auto');
  await worker.drain();
  await assertActive(svc, [warm]);
  await svcDelete(svc, [warm]);
  const dockerImage = (await sql(svc.built.services.db)('image_host_loads').where({ image_id: image.id }).first())
    .docker_image_id as string;
  for (const net of ['none', BRIDGE] as const) await rawRemove((await rawBoot(dockerImage, net)).id);

  // Sequential, both network modes, interleaved with raw Docker.
  for (const [networks, rawNet] of [
    ['none', 'none'],
    ['auto', BRIDGE],
  ] as const) {
    const rawTimes: number[] = [];
    const svcTimes: number[] = [];
    await profiled(`boot-sequential-${networks}`, async () => {
      for (let i = 0; i < N; i++) {
        const r = await rawBoot(dockerImage, rawNet);
        rawTimes.push(r.elapsed);
        await rawRemove(r.id);
        const t0 = process.hrtime.bigint();
        const id = await svcCreate(svc, image.id, `bench-${networks}-${i}`, networks);
        await worker.drain();
        svcTimes.push(msSince(t0));
        await assertActive(svc, [id]);
        await svcDelete(svc, [id]);
      }
    });
    report({
      name: `boot sequential POST -> ACTIVE, networks ${networks} (median of ${N})`,
      value: median(svcTimes),
      unit: 'ms',
      baselineName: `raw docker create+start, NetworkMode ${rawNet}`,
      baseline: median(rawTimes),
      target: '<= 1.1',
      notes: `service ${svcTimes.map((t) => t.toFixed(0)).join('/')}; raw ${rawTimes.map((t) => t.toFixed(0)).join('/')}`,
    });
  }

  // Concurrent: CONCURRENT boots at once, until all are ACTIVE.
  const svcWalls: number[] = [];
  const rawWalls: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let t0 = process.hrtime.bigint();
    const raws = await Promise.all(Array.from({ length: CONCURRENT }, () => rawBoot(dockerImage, BRIDGE)));
    rawWalls.push(msSince(t0));
    await Promise.all(raws.map((r) => rawRemove(r.id)));
    const ids = await profiled(`boot-concurrent-${round}`, async () => {
      t0 = process.hrtime.bigint();
      const created = await Promise.all(
        Array.from({ length: CONCURRENT }, (_, i) => svcCreate(svc, image.id, `bench-c${round}-${i}`, 'auto')),
      );
      await worker.drain();
      svcWalls.push(msSince(t0));
      return created;
    });
    await assertActive(svc, ids);
    await svcDelete(svc, ids);
  }
  report({
    name: `boot ${CONCURRENT} concurrent POSTs until all ACTIVE, networks auto`,
    value: median(svcWalls),
    unit: 'ms',
    baselineName: `${CONCURRENT} concurrent raw docker create+start, NetworkMode ${BRIDGE}`,
    baseline: median(rawWalls),
    target: '<= 1.15',
    notes: `${ROUNDS} round(s): service ${svcWalls.map((t) => t.toFixed(0)).join('/')}; raw ${rawWalls.map((t) => t.toFixed(0)).join('/')}`,
  });
} finally {
  const leftovers = await docker.listContainers({ all: true, filters: { label: [LABEL] } });
  for (const c of leftovers)
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => undefined);
  await svc.close();
}
