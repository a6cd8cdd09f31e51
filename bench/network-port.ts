// The network service's hot paths against same-run baselines, printed as RESULT lines (the format of
// bench/lib/common.ts on the perf branch: `RESULT <name>: <value> <unit> vs <baseline> <value> <unit> = <ratio>x`):
//  1. POST /networking/v2.0/ports (IPAM in a locked transaction, quota, default security group, view)
//     latency (sequential, median) and throughput (16 concurrent clients) vs a bare Fastify route that
//     parses the same body and answers the same document; interleaved rounds, SQLite file database.
//  2. Docker network connect of a running container with a fixed address: raw (dockerode, one call)
//     vs novadock's driver (connectNetwork: the call plus an inspect for the MAC) vs the dataplane's
//     plug (realise the network, connect, record the port, apply its security groups in the
//     container's namespace). Medians, interleaved, each followed by a disconnect.
//  3. Port + boot on the real engine, sequential, interleaved, against raw Docker create (on the same
//     Docker network, a fixed address in EndpointsConfig, the driver's limits) + start: POST /servers
//     with networks [{uuid}] until ACTIVE, and POST /v2.0/ports + POST /servers on that port until
//     ACTIVE (issue 13: within 1.2x).
// Addresses: BENCH_NETWORK_POOL (a /20, below). Ports: BENCH_PORT_BASE (default: the kernel's).
// Run: npx tsx bench/network-port.ts [sequential=200] [concurrent=800] [connects=20] [boots=8]
//      (BENCH_NETWORK_ONLY=ports|connect|boot runs one part)
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import Fastify from 'fastify';
import { HostRegistry } from '../src/compute/hosts/host-registry.js';
import { dockerNetworkName } from '../src/network/dataplane.js';
import { freePort, report as reportLine, median, msSince } from './lib/common.js';
import { DOCKER_POOL, FAKE_POOL, freshNetwork, rawIp, start, type Service } from './lib/network-service.js';
import {
  FLAVOR,
  TEST_IMAGE,
  docker as engine,
  rawBoot,
  rawRemove,
  removeRawLeftovers,
  savedImageTar,
} from './lib/raw-docker.js';
import { seedImage, unlimitedQuota } from '../test/helpers/servers.js';

const SEQUENTIAL = Number(process.argv[2] ?? 200);
const CONCURRENT = Number(process.argv[3] ?? 800);
const CONNECTS = Number(process.argv[4] ?? 20);
const BOOTS = Number(process.argv[5] ?? 8);
const CLIENTS = 16;
const ROUNDS = 4;

function report(name: string, value: number, unit: string, baselineName: string, baseline: number, notes = ''): void {
  reportLine({ name, value, unit, baselineName, baseline, notes });
}

/** n POSTs to url, `clients` at a time; returns per-request ms and the wall time. */
async function drive(url: string, headers: Record<string, string>, body: string, n: number, clients: number) {
  const lat: number[] = [];
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < n) {
        next++;
        const t = process.hrtime.bigint();
        const r = await fetch(url, { method: 'POST', headers, body });
        await r.arrayBuffer();
        if (r.status !== 201) throw new Error(`POST ${url}: ${r.status}`);
        lat.push(msSince(t));
      }
    }),
  );
  return { lat, wallMs: msSince(t0) };
}

async function portCreate(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'novadock-bench-port-'));
  const svc = await start('fake', dataDir, FAKE_POOL);
  const bare = Fastify({ logger: false });
  try {
    const admin = (await svc.built.services.identityRepo.findProjectByName('default', 'admin'))!;
    await svc.call('PUT', `/networking/v2.0/quotas/${admin.id}`, { quota: { port: -1, network: -1, subnet: -1 } });
    const sample = await svc.call('POST', '/networking/v2.0/ports', {
      port: { network_id: await freshNetwork(svc, 'bench-sample') },
    });
    bare.post('/networking/v2.0/ports', async (req, reply) => {
      void req.body;
      return reply.code(201).send(sample.body);
    });
    await bare.listen({ host: '127.0.0.1', port: await freePort() });
    const bareUrl = `http://127.0.0.1:${(bare.server.address() as { port: number }).port}/networking/v2.0/ports`;
    const headers = { 'X-Auth-Token': svc.token, 'Content-Type': 'application/json' };
    const svcSeq: number[] = [];
    const bareSeq: number[] = [];
    const svcRps: number[] = [];
    const bareRps: number[] = [];
    const perRound = Math.ceil(SEQUENTIAL / ROUNDS);
    const concPerRound = Math.ceil(CONCURRENT / ROUNDS);
    for (let r = 0; r < ROUNDS; r++) {
      const body = JSON.stringify({ port: { network_id: await freshNetwork(svc, `bench-${r}`) } });
      svcSeq.push(...(await drive(`${svc.url}/networking/v2.0/ports`, headers, body, perRound, 1)).lat);
      bareSeq.push(...(await drive(bareUrl, headers, body, perRound, 1)).lat);
      const body2 = JSON.stringify({ port: { network_id: await freshNetwork(svc, `bench-c${r}`) } });
      const s = await drive(`${svc.url}/networking/v2.0/ports`, headers, body2, concPerRound, CLIENTS);
      svcRps.push((concPerRound / s.wallMs) * 1000);
      const b = await drive(bareUrl, headers, body2, concPerRound, CLIENTS);
      bareRps.push((concPerRound / b.wallMs) * 1000);
    }
    const ips = (await svc.built.services.network.repo.ports()).flatMap((p) => p.fixed_ips.map((f) => f.ip_address));
    if (new Set(ips).size !== ips.length) throw new Error('an address was given twice');
    report(
      'POST /v2.0/ports latency (sequential, median)',
      median(svcSeq),
      'ms',
      'bare Fastify route',
      median(bareSeq),
      `n=${svcSeq.length}, ${ROUNDS} interleaved rounds, SQLite file`,
    );
    report(
      `POST /v2.0/ports throughput (${CLIENTS} clients)`,
      median(svcRps),
      'req/s',
      'bare Fastify route',
      median(bareRps),
      `n=${CONCURRENT}, median of ${ROUNDS} rounds; ${ips.length} ports, all addresses distinct`,
    );
  } finally {
    await bare.close();
    await svc.built.app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function connect(): Promise<Service | null> {
  const docker = new Docker({
    socketPath: (process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock').replace(/^unix:\/\//, ''),
  });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'novadock-bench-connect-'));
  const svc = await start('docker', dataDir, DOCKER_POOL);
  const s = svc.built.services;
  const host = (await s.hostsRepo.findByName(HostRegistry.defaultHostName()))!;
  const driver = await s.hosts.driverFor(host.id);
  const uuid = randomUUID();
  const name = `nova-${uuid}`;
  const networkId = await freshNetwork(svc, 'bench-connect', true);
  const dockerName = dockerNetworkName(networkId);
  try {
    const c = await docker.createContainer({
      name,
      Image: TEST_IMAGE,
      Cmd: ['sleep', '3600'],
      Labels: { 'io.novadock.managed-by': 'novadock', 'io.novadock.service-id': host.uuid },
      HostConfig: { NetworkMode: 'novadock-detached', Init: true },
    });
    await docker
      .getNetwork('novadock-detached')
      .disconnect({ Container: name, Force: true })
      .catch(() => undefined);
    await c.start();
    const net = docker.getNetwork(dockerName);
    const raw: number[] = [];
    const viaDriver: number[] = [];
    const viaPlug: number[] = [];
    const portRow = (
      await svc.call('POST', '/networking/v2.0/ports', { port: { network_id: networkId, device_id: uuid } })
    ).body.port;
    const ip = portRow.fixed_ips[0].ip_address as string;
    // warm-up, not measured: the first plug realises the Docker network
    await s.network.dataplane.plug((await s.network.repo.port(portRow.id))!, host.id, host.name);
    await s.network.dataplane.unplug((await s.network.repo.port(portRow.id))!);
    for (let i = 0; i < CONNECTS; i++) {
      let t = process.hrtime.bigint();
      await net.connect({ Container: name, EndpointConfig: { IPAMConfig: { IPv4Address: ip } } });
      raw.push(msSince(t));
      await net.disconnect({ Container: name, Force: true });
      t = process.hrtime.bigint();
      await driver.connectNetwork(uuid, { network: dockerName, ipv4: ip });
      viaDriver.push(msSince(t));
      await driver.disconnectNetwork(uuid, dockerName);
      const row = (await s.network.repo.port(portRow.id))!;
      t = process.hrtime.bigint();
      await s.network.dataplane.plug(row, host.id, host.name);
      viaPlug.push(msSince(t));
      await s.network.dataplane.unplug((await s.network.repo.port(portRow.id))!);
    }
    // one security group apply (iptables-restore + ip6tables-restore through nsenter) vs spawning nsenter alone
    const apply: number[] = [];
    const spawnOnly: number[] = [];
    if (driver.firewallSupported()) {
      await s.network.dataplane.plug((await s.network.repo.port(portRow.id))!, host.id, host.name);
      const pid = (await c.inspect()).State.Pid;
      for (let i = 0; i < CONNECTS; i++) {
        let t = process.hrtime.bigint();
        await s.network.firewall.apply(uuid, host.id);
        apply.push(msSince(t));
        t = process.hrtime.bigint();
        execFileSync('nsenter', [`--net=/proc/${pid}/ns/net`, 'true']);
        spawnOnly.push(msSince(t));
      }
      report(
        'security group apply in the container namespace',
        median(apply),
        'ms',
        'nsenter true (process spawn only)',
        median(spawnOnly),
        `median of ${CONNECTS}; default group, v4 + v6 tables`,
      );
    }
    const enforced = s.network.sgEnforced
      ? 'security groups applied in the namespace'
      : 'security groups not enforced here';
    report(
      'docker network connect, fixed IPv4 (driver.connectNetwork)',
      median(viaDriver),
      'ms',
      'raw dockerode connect',
      median(raw),
      `median of ${CONNECTS}, interleaved; + inspect for the MAC`,
    );
    report(
      'port plug, fixed IPv4 (dataplane.plug)',
      median(viaPlug),
      'ms',
      'raw dockerode connect',
      median(raw),
      `median of ${CONNECTS}; realise + connect + record + ${enforced}`,
    );
    return svc;
  } finally {
    await docker
      .getContainer(name)
      .remove({ force: true })
      .catch(() => undefined);
    await docker
      .getNetwork(dockerName)
      .remove()
      .catch(() => undefined);
    await svc.built.app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * The 'port + boot' lines (issue 13: within 1.2x of raw docker create with the address + start).
 * Sequential, interleaved: raw, then networks [{uuid}], then a pre-made port; each until ACTIVE
 * (the worker idle, then GET /servers/{id} says ACTIVE), then removed.
 */
async function portAndBoot(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'novadock-bench-portboot-'));
  const svc = await start('docker', dataDir, DOCKER_POOL);
  const s = svc.built.services;
  let dockerName = '';
  try {
    const projectId = await unlimitedQuota(s);
    await svc.call('PUT', `/networking/v2.0/quotas/${projectId}`, { quota: { port: -1, network: -1, subnet: -1 } });
    const image = await seedImage(s, { name: 'busybox', data: savedImageTar(dataDir) });
    const networkId = await freshNetwork(svc, 'bench-port-boot', true);
    dockerName = dockerNetworkName(networkId);
    const boot = async (name: string, networks: object[]) => {
      const res = await svc.call('POST', '/compute/v2.1/servers', {
        server: { name, imageRef: image.id, flavorRef: FLAVOR.id, networks },
      });
      if (res.status !== 202) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
      await s.worker.drain();
      const id = res.body.server.id as string;
      const shown = (await svc.call('GET', `/compute/v2.1/servers/${id}`)).body.server;
      if (shown?.status !== 'ACTIVE') throw new Error(`${id} not ACTIVE: ${JSON.stringify(shown?.fault ?? shown)}`);
      return id;
    };
    const remove = async (id: string) => {
      await svc.call('DELETE', `/compute/v2.1/servers/${id}`);
      await s.worker.drain();
    };
    // Warm-up, not measured: loads the image into Docker and realises the network.
    await remove(await boot('bench-warm', [{ uuid: networkId }]));
    const dockerImage = (await s.imagesRepo.findHostLoad(image.id, (await s.hostsRepo.list())[0].id))!.docker_image_id;
    const raw: number[] = [];
    const onNetwork: number[] = [];
    const onPort: number[] = [];
    for (let i = 0; i < BOOTS; i++) {
      const r = await rawBoot(dockerImage, dockerName, rawIp(i));
      raw.push(r.elapsed);
      await rawRemove(r.id);
      let t = process.hrtime.bigint();
      const a = await boot(`bench-net-${i}`, [{ uuid: networkId }]);
      onNetwork.push(msSince(t));
      await remove(a);
      t = process.hrtime.bigint();
      const made = await svc.call('POST', '/networking/v2.0/ports', { port: { network_id: networkId } });
      if (made.status !== 201) throw new Error(`port: ${made.status} ${JSON.stringify(made.body)}`);
      const b = await boot(`bench-port-${i}`, [{ port: made.body.port.id }]);
      onPort.push(msSince(t));
      await remove(b);
      await svc.call('DELETE', `/networking/v2.0/ports/${made.body.port.id as string}`);
    }
    const rawName = 'raw docker create (same Docker network, fixed IPv4) + start';
    const ms = (xs: number[]) => xs.map((x) => x.toFixed(0)).join('/');
    reportLine({
      name: `port + boot: POST /servers networks [{uuid}] -> ACTIVE (median of ${BOOTS})`,
      value: median(onNetwork),
      unit: 'ms',
      baselineName: rawName,
      baseline: median(raw),
      target: '<= 1.2',
      notes: `service ${ms(onNetwork)}; raw ${ms(raw)}`,
    });
    reportLine({
      name: `port + boot: POST /v2.0/ports + POST /servers networks [{port}] -> ACTIVE (median of ${BOOTS})`,
      value: median(onPort),
      unit: 'ms',
      baselineName: rawName,
      baseline: median(raw),
      target: '<= 1.2',
      notes: `service ${ms(onPort)}; raw ${ms(raw)}`,
    });
  } finally {
    await removeRawLeftovers();
    await svc.built.app.close();
    if (dockerName)
      await engine
        .getNetwork(dockerName)
        .remove()
        .catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

console.log(
  `machine: ${os.cpus().length} CPUs, load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
const only = process.env.BENCH_NETWORK_ONLY; // 'ports' | 'connect' | 'boot'
if (!only || only === 'ports') await portCreate();
if (!only || only === 'connect') await connect();
if (!only || only === 'boot') await portAndBoot();
