// Boot path on the real Docker Engine, each against raw Docker in the same run:
//   - sequential: POST /servers → ACTIVE, networks "none" and "auto", against raw Docker
//     create+start of the same image with the same limits, NetworkMode none and, for "auto" (a port
//     on the shared network 'private'), the same Docker network with a fixed address given at
//     create, as the driver does; iterations interleaved so that machine load hits both alike;
//   - concurrent: 20 POSTs at once until all 20 are ACTIVE, against 20 concurrent raw create+start.
// The service runs in this process (buildApp, background work on, a loopback port), driven over
// HTTP. "ACTIVE" is observed without polling: the bench awaits the worker becoming idle (the build
// tasks finished), then confirms every status with GET /servers/{id}.
// Run: npx tsx bench/boot.ts [iterations=8] [concurrent=20]
//      (BENCH_BOOT_ROUNDS=1 concurrent rounds, BENCH_CPU_PROF=<dir>, BENCH_PG_URL=<url>,
//      BENCH_NETWORK_POOL=<IPv4 /20> for the service's addresses and Docker networks)
import { machineLine, median, msSince, profiled, report } from './lib/common.js';
import { startInProcess, type InProcess } from './lib/service.js';
import {
  FLAVOR,
  rawBoot,
  rawRemove,
  realisedNetworks,
  removeRawLeftovers,
  removeServiceNetworks,
  savedImageTar,
} from './lib/raw-docker.js';
import { seedImage, unlimitedQuota } from '../test/helpers/servers.js';
import { sql } from '../src/db/sql.js';
import { cidrLast, ipText, parseCidr } from '../src/network/ip.js';
import { dockerNetworkName } from '../src/network/dataplane.js';

const N = Number(process.argv[2] ?? 8);
const CONCURRENT = Number(process.argv[3] ?? 20);
const ROUNDS = Number(process.env.BENCH_BOOT_ROUNDS ?? 1);
const dockerHost = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';

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
const svc = await startInProcess('boot', { computeDriver: 'docker', dockerHost });

const worker = svc.built.services.worker;
try {
  await unlimitedQuota(svc.built.services);
  const image = await seedImage(svc.built.services, { name: 'busybox', data: savedImageTar(svc.dataDir) });
  // Warm-up: the first boot loads the image into Docker and realises the private network.
  const warm = await svcCreate(svc, image.id, 'bench-warm', 'auto');
  await worker.drain();
  await assertActive(svc, [warm]);
  await svcDelete(svc, [warm]);
  const dockerImage = (await sql(svc.built.services.db)('image_host_loads').where({ image_id: image.id }).first())
    .docker_image_id as string;
  // "auto" is a port on the shared network 'private' (Docker network novadock-<id>, a fixed address
  // given at create): raw Docker gets the same network, with addresses from the top of its subnet
  // (the service's IPAM gives the lowest free ones).
  const priv = (await svc.call('GET', '/networking/v2.0/networks?name=private')).body.networks[0];
  const BRIDGE = dockerNetworkName(priv.id as string);
  const privSubnet = (await svc.call('GET', `/networking/v2.0/subnets?network_id=${priv.id}`)).body.subnets[0];
  const top = cidrLast(parseCidr(privSubnet.cidr as string)!);
  const rawIp = (i: number) => ipText(4, top - 1n - BigInt(i));
  await rawRemove((await rawBoot(dockerImage, 'none')).id);
  await rawRemove((await rawBoot(dockerImage, BRIDGE, rawIp(0))).id);

  // Sequential, both network modes, interleaved with raw Docker.
  for (const [networks, rawNet] of [
    ['none', 'none'],
    ['auto', BRIDGE],
  ] as const) {
    const rawTimes: number[] = [];
    const svcTimes: number[] = [];
    await profiled(`boot-sequential-${networks}`, async () => {
      for (let i = 0; i < N; i++) {
        const r = await rawBoot(dockerImage, rawNet, rawNet === 'none' ? undefined : rawIp(i));
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
      baselineName: `raw docker create+start, ${rawNet === 'none' ? 'NetworkMode none' : 'the same Docker network, fixed IPv4'}`,
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
    const raws = await Promise.all(
      Array.from({ length: CONCURRENT }, (_, i) => rawBoot(dockerImage, BRIDGE, rawIp(i))),
    );
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
    baselineName: `${CONCURRENT} concurrent raw docker create+start, the same Docker network, fixed IPv4s`,
    baseline: median(rawWalls),
    target: '<= 1.15',
    notes: `${ROUNDS} round(s): service ${svcWalls.map((t) => t.toFixed(0)).join('/')}; raw ${rawWalls.map((t) => t.toFixed(0)).join('/')}`,
  });
} finally {
  await removeRawLeftovers();
  const realised = await realisedNetworks(svc);
  await svc.close();
  await removeServiceNetworks(realised);
}
