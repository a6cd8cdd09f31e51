// A timeline of N concurrent boots on the real Docker Engine, to see what serializes them: the
// service runs in this process with its classes instrumented from outside (prototype wrappers, no
// change to src/): every Docker API call (docker-modem dial), the task runner's claims and task
// runs, the per-server lock waits, the driver's steps, and the SQL statements with their times.
// Prints per-phase medians, how many Docker calls were in flight over time, and the busiest SQL.
// Run: DOCKER_HOST=unix:///var/run/docker.sock npx tsx scripts/trace-boots.ts [n=20]
// `--sequential` boots the n servers one after another instead and prints one boot's timeline: each
// step's start and end after the POST (medians over the n boots), from the POST to the ACTIVE write
// and the task's end (what bench/boot.ts's sequential line measures).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { median, msSince } from '../bench/lib/common.js';
import { startInProcess } from '../bench/lib/service.js';
import { realisedNetworks, removeServiceNetworks } from '../bench/lib/raw-docker.js';
import { seedImage, unlimitedQuota } from '../test/helpers/servers.js';
import { DockerDriver } from '../src/virt/docker/docker-driver.js';
import { TaskRunner } from '../src/worker/task-runner.js';
import { InstanceLocks } from '../src/worker/instance-locks.js';
import { sql } from '../src/db/sql.js';
import { SecurityGroupEnforcer } from '../src/network/sg-enforcer.js';
import { DockerDataplane } from '../src/network/dataplane.js';
import { NovaNetwork } from '../src/compute/network/nova-network.js';
import { InstancesRepo } from '../src/db/repositories/instances-repo.js';
import { InstanceActions } from '../src/compute/servers/instance-actions.js';
import { ImageImporter } from '../src/images/image-importer.js';
import { ConfigDrives } from '../src/worker/config-drive.js';

const SEQUENTIAL = process.argv.includes('--sequential');
const N = Number(process.argv.filter((a) => !a.startsWith('--'))[2] ?? 20);
const require = createRequire(import.meta.url);
const Modem = require('docker-modem');
const T0 = process.hrtime.bigint();
const now = () => msSince(T0);

interface Span {
  what: string;
  key: string;
  start: number;
  end: number;
}
const spans: Span[] = [];
class Done extends Error {}
function span(what: string, key: string, start: number): void {
  spans.push({ what, key, start, end: now() });
}

// Docker API calls
const dial = Modem.prototype.dial;
Modem.prototype.dial = function (options: { method: string; path: string }, cb: (err: unknown, data: unknown) => void) {
  const start = now();
  const p = options.path
    .replace(/\?.*$/, '')
    .replace(/nova-[0-9a-f-]{36}/, 'nova-*')
    .replace(/[0-9a-f]{64}/, '<id>');
  if (p.includes('/events')) return dial.call(this, options, cb);
  const key = /nova-([0-9a-f-]{36})/.exec(options.path)?.[1] ?? '';
  return dial.call(this, options, (err: unknown, data: unknown) => {
    span(`docker ${options.method} ${p}`, key, start);
    cb(err, data);
  });
};
// Driver steps
type Method = (this: unknown, ...args: unknown[]) => Promise<unknown>;
const patchable = (proto: object) => proto as Record<string, Method>;
for (const m of ['spawn', 'getInfo', 'ensureNetwork', 'imageExists', 'loadImage', 'destroy'] as const) {
  const proto = patchable(DockerDriver.prototype);
  const orig = proto[m];
  proto[m] = async function (...args: unknown[]) {
    const start = now();
    try {
      return await orig.apply(this, args);
    } finally {
      const first = args[0] as string | { instanceUuid?: string } | undefined;
      span(`driver.${m}`, typeof first === 'string' ? first : (first?.instanceUuid ?? ''), start);
    }
  };
}
// Nova's side of the network service: ports at build, plugged after spawn, security group applies
const wrap = (proto: object, m: string, label: string, keyOf: (args: unknown[]) => string) => {
  const p = patchable(proto);
  const orig = p[m];
  p[m] = async function (...args: unknown[]) {
    const start = now();
    try {
      return await orig.apply(this, args);
    } finally {
      span(label, keyOf(args), start);
    }
  };
};
wrap(NovaNetwork.prototype, 'allocate', 'nova.allocate (ports)', (a) => (a[0] as { uuid: string }).uuid);
wrap(NovaNetwork.prototype, 'plugged', 'nova.plugged (ports ACTIVE + filter)', (a) => a[0] as string);
wrap(SecurityGroupEnforcer.prototype, 'apply', 'security group apply (nsenter)', (a) => a[0] as string);
wrap(DockerDataplane.prototype, 'realize', 'dataplane.realize (Docker network)', () => '');
wrap(
  DockerDataplane.prototype,
  'plugged',
  'dataplane.plugged (one port)',
  (a) => (a[0] as { device_id: string }).device_id,
);
wrap(NovaNetwork.prototype, 'networkInfo', 'nova.networkInfo (info cache)', (a) => a[0] as string);
wrap(NovaNetwork.prototype, 'spawnInterfaces', 'nova.spawnInterfaces', (a) => a[0] as string);
wrap(DockerDriver.prototype, 'applyFirewall', 'driver.applyFirewall', (a) => a[0] as string);
wrap(
  InstancesRepo.prototype,
  'updateWithExpectedTaskState',
  'instances.update (task_state CAS)',
  (a) => a[0] as string,
);
wrap(InstanceActions.prototype, 'event', 'actions.event (whole build event)', (a) => a[0] as string);
wrap(ImageImporter.prototype, 'ensureLoaded', 'imageLoader.ensureLoaded', () => '');
wrap(ConfigDrives.prototype, 'write', 'configDrives.write', (a) => (a[0] as { uuid: string }).uuid);
// Task runner: claims (findById + claim) happen in pump; a task's run is execute()
const runner = patchable(TaskRunner.prototype);
const execute = runner.execute;
runner.execute = async function (...args: unknown[]) {
  const row = args[0] as { instance_uuid: string; kind: string };
  const start = now();
  try {
    return await execute.call(this, row);
  } finally {
    span(`task ${row.kind}`, row.instance_uuid, start);
  }
};
const pump = runner.pump;
runner.pump = async function () {
  const start = now();
  try {
    return await pump.call(this);
  } finally {
    span('taskrunner.pump (claims, one by one)', '', start);
  }
};
// Per-server lock: time waiting for it
const run = InstanceLocks.prototype.run;
InstanceLocks.prototype.run = function <T>(key: string, fn: () => Promise<T>): Promise<T> {
  const start = now();
  return run.call(this, key, async () => {
    span('lock wait', key, start);
    const s2 = now();
    try {
      return await fn();
    } finally {
      span('lock held', key, s2);
    }
  }) as Promise<T>;
};

const svc = await startInProcess('trace', {
  computeDriver: 'docker',
  dockerHost: process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock',
});
const statements: { sql: string; start: number; ms: number; uid: string }[] = [];
const knex = sql(svc.built.services.db);
knex.on('query', (q: { sql: string; __knexQueryUid: string }) =>
  statements.push({ sql: q.sql, start: now(), ms: NaN, uid: q.__knexQueryUid }),
);
knex.on('query-response', (_r: unknown, q: { __knexQueryUid: string }) => {
  const e = statements.find((x) => x.uid === q.__knexQueryUid);
  if (e) e.ms = now() - e.start;
});
const worker = svc.built.services.worker;
try {
  await unlimitedQuota(svc.built.services);
  const tar = path.join(svc.dataDir, 'image.tar');
  execFileSync('docker', ['image', 'save', process.env.TEST_IMAGE ?? 'novadock-test/busybox:latest', '-o', tar]);
  const image = await seedImage(svc.built.services, { name: 'busybox', data: fs.readFileSync(tar) });
  const create = async (name: string) => {
    const start = now();
    const r = await svc.call('POST', '/compute/v2.1/servers', {
      server: { name, imageRef: image.id, flavorRef: '6', networks: 'auto' },
    });
    if (r.status !== 202) throw new Error(`${r.status} ${JSON.stringify(r.body)}`);
    span('POST /servers', r.body.server.id, start);
    return r.body.server.id as string;
  };
  const warm = await create('warm');
  await worker.drain();
  await svc.call('DELETE', `/compute/v2.1/servers/${warm}`);
  await worker.drain();
  await svc.built.services.drift.eventWatcher.idle();
  spans.length = 0;
  statements.length = 0;

  if (SEQUENTIAL) {
    const rows = new Map<string, { start: number[]; end: number[] }>();
    const totals: number[] = [];
    // the service's own share: the boot less Docker's create..start (what raw Docker also pays)
    const own: number[] = [];
    const after: number[] = [];
    for (let i = 0; i < N; i++) {
      spans.length = 0;
      const t = now();
      const id = await create(`trace-s${i}`);
      await worker.drain();
      const total = now() - t;
      totals.push(total);
      const mine = (w: string): Span | undefined => spans.find((x) => x.key === id && x.what === w);
      const created = spans.find((x) => x.start >= t && x.what === 'docker POST /containers/create');
      const start = mine('docker POST /containers/nova-*/start');
      if (created && start) {
        own.push(total - (start.end - created.start));
        after.push(t + total - start.end);
      }
      for (const s of spans) {
        if (s.start < t || (s.key && s.key !== id)) continue;
        const r = rows.get(s.what) ?? rows.set(s.what, { start: [], end: [] }).get(s.what)!;
        r.start.push(s.start - t);
        r.end.push(s.end - t);
      }
      await svc.call('DELETE', `/compute/v2.1/servers/${id}`);
      await worker.drain();
      await svc.built.services.drift.eventWatcher.idle();
    }
    console.log(
      `${N} sequential boots: POST -> task done median ${median(totals).toFixed(1)} ms; without Docker's create..start ${median(own).toFixed(1)} ms (${own.map((x) => x.toFixed(0)).join('/')}), of it after the start ${median(after).toFixed(1)} ms`,
    );
    console.log('timeline (ms after the POST, medians; a step seen k times per boot shows each):');
    const lines: { s: number; e: number; what: string }[] = [];
    for (const [what, r] of rows) {
      const k = Math.round(r.start.length / N) || 1;
      for (let j = 0; j < k; j++) {
        const pick = (xs: number[]) => median(xs.filter((_, x) => x % k === j));
        lines.push({ s: pick(r.start), e: pick(r.end), what: k > 1 ? `${what} #${j + 1}` : what });
      }
    }
    for (const l of lines.sort((a, b) => a.s - b.s))
      console.log(
        `  ${l.s.toFixed(1).padStart(7)} ${l.e.toFixed(1).padStart(7)} ${(l.e - l.s).toFixed(1).padStart(7)}  ${l.what}`,
      );
    process.exitCode = 0;
  }
  const t = now();
  const ids = SEQUENTIAL ? [] : await Promise.all(Array.from({ length: N }, (_, i) => create(`trace-${i}`)));
  await worker.drain();
  const wall = now() - t;
  if (SEQUENTIAL) throw new Done();
  const settled = now();
  await svc.built.services.drift.eventWatcher.idle();
  const afterEvents = now() - settled;

  console.log(
    `${N} concurrent boots: all ACTIVE after ${wall.toFixed(0)} ms; event-driven syncs went on ${afterEvents.toFixed(0)} ms longer`,
  );
  const byWhat = new Map<string, number[]>();
  for (const s of spans)
    if (s.start >= t) (byWhat.get(s.what) ?? byWhat.set(s.what, []).get(s.what)!).push(s.end - s.start);
  console.log('\nspans (count, median ms, max ms, sum ms):');
  for (const [w, xs] of [...byWhat].sort((a, b) => b[1].reduce((x, y) => x + y, 0) - a[1].reduce((x, y) => x + y, 0))) {
    console.log(
      `  ${String(xs.length).padStart(4)} ${median(xs).toFixed(1).padStart(8)} ${Math.max(...xs)
        .toFixed(1)
        .padStart(8)} ${xs
        .reduce((x, y) => x + y, 0)
        .toFixed(0)
        .padStart(8)}  ${w}`,
    );
  }
  // Docker calls in flight, sampled every 100 ms
  const docker = spans.filter((s) => s.what.startsWith('docker') && s.start >= t);
  const line: string[] = [];
  for (let x = t; x < t + wall; x += 250) line.push(String(docker.filter((s) => s.start <= x && s.end > x).length));
  console.log(`\nDocker calls in flight every 250 ms: ${line.join(' ')}`);
  const starts = spans
    .filter((s) => s.what === 'docker POST /containers/nova-*/start' && s.start >= t)
    .sort((a, b) => a.start - b.start);
  console.log(
    `container starts issued at (ms after the first POST): ${starts.map((s) => (s.start - t).toFixed(0)).join(' ')}`,
  );
  console.log(
    `container starts done at: ${starts
      .map((s) => (s.end - t).toFixed(0))
      .sort((a, b) => Number(a) - Number(b))
      .join(' ')}`,
  );
  // per server: POST -> task start -> spawn start -> create -> start -> task end
  const per = ids.map((id) => {
    const f = (w: string) => spans.find((s) => s.key === id && s.what === w);
    const post = f('POST /servers');
    const task = f('task build');
    const spawn = f('driver.spawn');
    return {
      post: post!.end - t,
      taskStart: (task?.start ?? NaN) - t,
      spawnStart: (spawn?.start ?? NaN) - t,
      spawnEnd: (spawn?.end ?? NaN) - t,
      taskEnd: (task?.end ?? NaN) - t,
    };
  });
  console.log(
    '\nper server (ms after the first POST): POST answered / task started / driver.spawn called / spawn done / task done',
  );
  for (const p of per.sort((a, b) => a.taskEnd - b.taskEnd))
    console.log(
      `  ${[p.post, p.taskStart, p.spawnStart, p.spawnEnd, p.taskEnd].map((x) => x.toFixed(0).padStart(6)).join(' ')}`,
    );
  const inWindow = statements.filter((q) => q.start >= t);
  const bySql = new Map<string, { n: number; ms: number }>();
  for (const q of inWindow) {
    const k = q.sql.slice(0, 90);
    const e = bySql.get(k) ?? { n: 0, ms: 0 };
    e.n++;
    e.ms += q.ms;
    bySql.set(k, e);
  }
  console.log(
    `\nSQL during the boots: ${inWindow.length} statements (${(inWindow.length / N).toFixed(1)} per server); busiest:`,
  );
  for (const [k, v] of [...bySql].sort((a, b) => b[1].n - a[1].n).slice(0, 15))
    console.log(`  ${String(v.n).padStart(4)} x ${(v.ms / v.n).toFixed(2)} ms  ${k}`);
  await Promise.all(ids.map((id) => svc.call('DELETE', `/compute/v2.1/servers/${id}`)));
  await worker.drain();
} catch (e) {
  if (!(e instanceof Done)) throw e;
} finally {
  const realised = await realisedNetworks(svc);
  await svc.close();
  await removeServiceNetworks(realised);
}
