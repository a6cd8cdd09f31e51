// Boot latency: the median time from POST /servers to ACTIVE on the real Docker Engine, against
// raw Docker create+start of the same image with the same limits, measured in the same run, as a
// ratio. Also: GET /servers/detail with 1000 servers (fake driver), in ms.
//
// The service runs in-process (buildApp, background work on, listening on a loopback port) and is
// driven over HTTP. "ACTIVE" is observed without polling: the bench awaits the worker becoming
// idle (the build task finished) and then confirms the status with GET /servers/{id}.
// Run: npx tsx bench/boot.ts [iterations=10]
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import Docker from 'dockerode';
import { buildApp, type BuiltApp } from '../src/app.js';
import { testConfig } from '../src/config.js';
import type { Services } from '../src/composition/services.js';
import { sql } from '../src/db/sql.js';

const N = Number(process.argv[2] ?? 10);
const TEST_IMAGE = process.env.TEST_IMAGE ?? 'novadock-test/busybox:latest';
const LABEL = 'io.novadock.bench';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

async function start(
  computeDriver: 'docker' | 'fake',
  dataDir: string,
): Promise<{ built: BuiltApp; url: string; token: string }> {
  const built = await buildApp({
    config: testConfig({ computeDriver, dataDir, stopTimeoutSeconds: 1 }),
    background: true,
    logger: false,
  });
  await built.app.listen({ host: '127.0.0.1', port: 0 });
  const addr = built.app.server.address() as { port: number };
  const url = `http://127.0.0.1:${addr.port}`;
  const res = await fetch(`${url}/identity/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'admin', password: 'test-admin-password', domain: { name: 'Default' } } },
        },
        scope: { project: { name: 'admin', domain: { name: 'Default' } } },
      },
    }),
  });
  const token = res.headers.get('x-subject-token');
  if (!token) throw new Error(`no token: ${res.status}`);
  return { built, url, token };
}

async function unlimited(services: Services): Promise<string> {
  const project = (await services.identityRepo.findProjectByName('default', 'admin'))!;
  for (const resource of ['instances', 'cores', 'ram']) {
    await sql(services.db)('quotas')
      .insert({
        project_id: project.id,
        resource,
        hard_limit: -1,
        created_at: new Date().toISOString(),
        updated_at: null,
      })
      .onConflict(['project_id', 'resource'])
      .merge({ hard_limit: -1 });
  }
  return project.id;
}

async function seedImage(services: Services, tar: string): Promise<string> {
  const id = randomUUID();
  const stored = await services.imageStore.write(id, Readable.from([fs.readFileSync(tar)]));
  const now = new Date().toISOString();
  await services.imagesRepo.insert({
    id,
    name: 'busybox',
    status: 'active',
    visibility: 'public',
    owner: null,
    container_format: 'docker',
    disk_format: 'raw',
    size: stored.size,
    virtual_size: null,
    checksum: stored.checksum,
    os_hash_algo: 'sha512',
    os_hash_value: stored.sha512,
    min_disk: 0,
    min_ram: 0,
    protected: false,
    os_hidden: false,
    properties: '{}',
    created_at: now,
    updated_at: now,
  });
  return id;
}

async function api(url: string, token: string, method: string, p: string, body?: unknown) {
  const res = await fetch(`${url}${p}`, {
    method,
    headers: { 'X-Auth-Token': token, 'Content-Type': 'application/json', 'OpenStack-API-Version': 'compute 2.79' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function bootBench(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'novadock-bench-boot-'));
  const tar = path.join(dataDir, 'busybox.tar');
  execFileSync('docker', ['image', 'save', TEST_IMAGE, '-o', tar]);
  const docker = new Docker({ socketPath: '/var/run/docker.sock' });
  const { built, url, token } = await start('docker', dataDir);
  const worker = built.services.worker;
  try {
    await unlimited(built.services);
    const imageId = await seedImage(built.services, tar);
    const flavor = '6'; // c1.nano: 64 MB, 1 vCPU
    const boot = async (name: string) => {
      const t0 = process.hrtime.bigint();
      const res = await api(url, token, 'POST', '/compute/v2.1/servers', {
        server: { name, imageRef: imageId, flavorRef: flavor, networks: 'auto' },
      });
      if (res.status !== 202) throw new Error(`create: ${res.status} ${JSON.stringify(res.body)}`);
      await worker.drain();
      const elapsed = ms(t0);
      const show = await api(url, token, 'GET', `/compute/v2.1/servers/${res.body.server.id}`);
      if (show.body.server.status !== 'ACTIVE')
        throw new Error(`not ACTIVE: ${JSON.stringify(show.body.server.fault ?? show.body.server.status)}`);
      return { id: res.body.server.id as string, elapsed };
    };
    const destroy = async (id: string) => {
      await api(url, token, 'DELETE', `/compute/v2.1/servers/${id}`);
      await worker.drain();
    };

    // Warm-up: the first boot loads the image into Docker and creates the private network.
    const warm = await boot('bench-warm');
    await destroy(warm.id);
    const dockerImage = (await sql(built.services.db)('image_host_loads').where({ image_id: imageId }).first())
      .docker_image_id as string;

    const raw = async () => {
      const t0 = process.hrtime.bigint();
      const c = await docker.createContainer({
        name: `bench-raw-${randomUUID()}`,
        Image: dockerImage,
        Hostname: 'bench',
        Tty: true,
        OpenStdin: true,
        Labels: { [LABEL]: '1' },
        HostConfig: {
          Memory: 64 * 1048576,
          MemorySwap: 64 * 1048576,
          NanoCpus: 1e9,
          PidsLimit: 4096,
          Init: true,
          NetworkMode: 'private',
        },
      });
      await c.start();
      const elapsed = ms(t0);
      await c.remove({ force: true });
      return elapsed;
    };
    await raw(); // warm the raw path too

    const rawTimes: number[] = [];
    const svcTimes: number[] = [];
    for (let i = 0; i < N; i++) {
      // Interleave so that machine load affects both equally.
      rawTimes.push(await raw());
      const b = await boot(`bench-${i}`);
      svcTimes.push(b.elapsed);
      await destroy(b.id);
    }
    const r = median(rawTimes);
    const s = median(svcTimes);
    console.log(
      `boot (n=${N}): POST /servers → ACTIVE median ${s.toFixed(1)} ms; raw docker create+start median ${r.toFixed(1)} ms; ratio ${(s / r).toFixed(3)}`,
    );
  } finally {
    const leftovers = await docker.listContainers({ all: true, filters: { label: [LABEL] } });
    for (const c of leftovers)
      await docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined);
    await built.app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

async function listBench(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'novadock-bench-list-'));
  const { built, url, token } = await start('fake', dataDir);
  try {
    const projectId = await unlimited(built.services);
    const host = (await built.services.hostsRepo.list())[0];
    const flavor = JSON.stringify({
      id: '1',
      name: 'm1.tiny',
      memory_mb: 512,
      vcpus: 1,
      root_gb: 1,
      ephemeral_gb: 0,
      swap: 0,
      extra_specs: {},
    });
    const now = Date.now();
    const rows = Array.from({ length: 1000 }, (_, i) => ({
      uuid: randomUUID(),
      project_id: projectId,
      user_id: 'u',
      display_name: `vm-${i}`,
      hostname: `vm-${i}`,
      host_id: host.id,
      availability_zone: 'nova',
      flavor_id: '1',
      vcpus: 1,
      memory_mb: 512,
      root_gb: 1,
      flavor_json: flavor,
      image_ref: randomUUID(),
      config_drive: '',
      vm_state: 'active',
      power_state: 1,
      reservation_id: 'r-bench',
      created_at: new Date(now - i * 1000).toISOString(),
      updated_at: new Date(now - i * 1000).toISOString(),
      launched_at: new Date(now - i * 1000).toISOString(),
      network: 'private',
      addresses_json: JSON.stringify([
        { network: 'private', version: 4, addr: `198.18.${i >> 8}.${i & 255}`, mac: '02:42:c6:12:00:02' },
      ]),
    }));
    for (let i = 0; i < rows.length; i += 200) {
      const part = rows.slice(i, i + 200);
      await sql(built.services.db)('instances').insert(part);
      await sql(built.services.db)('instance_metadata').insert(
        part.map((r) => ({ instance_uuid: r.uuid, key: 'role', value: 'bench' })),
      );
      await sql(built.services.db)('instance_tags').insert(part.map((r) => ({ instance_uuid: r.uuid, tag: 'bench' })));
    }
    let queries = 0;
    sql(built.services.db).on('query', () => {
      queries++;
    });
    const times: number[] = [];
    for (let i = 0; i < 12; i++) {
      const before = queries;
      // Timed until the last byte has arrived; the bench's own JSON parsing (it shares this process
      // with the service) comes after the clock stops.
      const t0 = process.hrtime.bigint();
      const raw = await fetch(`${url}/compute/v2.1/servers/detail`, {
        headers: { 'X-Auth-Token': token, 'OpenStack-API-Version': 'compute 2.79' },
      });
      const bytes = await raw.arrayBuffer();
      const elapsed = ms(t0);
      const body = JSON.parse(Buffer.from(bytes).toString('utf8')) as { servers: unknown[] };
      if (raw.status !== 200 || body.servers.length !== 1000) throw new Error(`list: ${raw.status}`);
      if (i >= 2) times.push(elapsed);
      if (i === 11)
        console.log(
          `list: GET /servers/detail with 1000 servers median ${median(times).toFixed(1)} ms (n=${times.length}, ${queries - before} SQL queries per request)`,
        );
    }
  } finally {
    await built.app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const which = process.argv[3] ?? 'all';
if (which === 'all' || which === 'boot') await bootBench();
if (which === 'all' || which === 'list') await listBench();
