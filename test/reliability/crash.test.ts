// Crash during work, for real: the service runs as a child process on the real Docker engine;
// 20 servers are being built and 5 stopped when it is killed with SIGKILL. After a restart on the
// same data directory every server settles within 30 s to what Docker shows, no container is left
// without a record, no record points at a missing container without saying so, and no task ran
// twice to a wrong result (one container per server, the one the record names; no task rows left).
// Then SIGTERM during work: the next start finishes the parked tasks.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDocker, TEST_IMAGE } from '../docker/driver-helpers.js';
import { Api, freePort, ServiceProcess, sleep } from './helpers/service-process.js';

const docker = (...args: string[]) =>
  execFileSync('docker', args, { encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const S = '/compute/v2.1/servers';
const SETTLED = new Set(['ACTIVE', 'SHUTOFF', 'ERROR']);
// The promise: every server settles within 30 s of the restart (measured 12 s in a full
// suite run on this 2-core machine; 19–44 s only while other test suites loaded both cores).
const SETTLE_MS = 30_000;

/** Polls the task table (read-only) until no task row is held by another process than `pid` (rows
 * beyond the runner's concurrency wait unclaimed); returns ms. */
async function allClaimedBy(pid: number, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const db = new Database(path.join(dataDir, 'novadock.sqlite'), { readonly: true });
    const rows = db.prepare('select claimed_by from compute_tasks').all() as { claimed_by: string | null }[];
    db.close();
    if (rows.every((r) => r.claimed_by === null || r.claimed_by.includes(`:${pid}:`))) return Date.now() - t0;
    if (Date.now() - t0 > timeoutMs)
      throw new Error(`tasks not re-claimed within ${timeoutMs} ms: ${JSON.stringify(rows)}`);
    await sleep(100);
  }
}

let dataDir: string;
let port: number;
let svc: ServiceProcess;
let api: Api;
let imageId: string;
const all: string[] = [];

beforeAll(async () => {
  await requireDocker();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ndrel-crash-'));
  port = await freePort();
  svc = new ServiceProcess({ dataDir, port });
  await svc.start();
  api = new Api(svc.url);
  await api.login();
  await api.unlimitedQuota(api.projectId);
  const tar = path.join(dataDir, 'busybox.tar');
  docker('image', 'save', TEST_IMAGE, '-o', tar);
  imageId = await api.uploadImage('busybox-rel', fs.readFileSync(tar));
}, 90_000);

afterAll(async () => {
  // Delete through the service when it runs, then force-remove whatever carries our uuids.
  try {
    if (svc?.child && svc.child.exitCode === null) {
      await Promise.all(all.map((id) => api.call('DELETE', `${S}/${id}`).catch(() => undefined)));
      const end = Date.now() + 20_000;
      while (Date.now() < end) {
        const r = await api.call('GET', `${S}?all_tenants=1`).catch(() => null);
        if (r && r.status === 200 && r.body.servers.length === 0) break;
        await sleep(250);
      }
      await svc.terminate();
    }
  } finally {
    for (const id of all) {
      try {
        docker('rm', '-f', `nova-${id}`);
      } catch {
        /* gone */
      }
    }
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}, 90_000);

async function create(name: string): Promise<string> {
  const r = await api.call('POST', S, { server: { name, imageRef: imageId, flavorRef: '1', networks: 'none' } });
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  all.push(r.body.server.id);
  return r.body.server.id;
}

async function statusOf(id: string): Promise<{ status: string; task: string | null; fault?: { message: string } }> {
  const r = await api.call('GET', `${S}/${id}`);
  if (r.status !== 200) return { status: `HTTP ${r.status}`, task: null };
  return { status: r.body.server.status, task: r.body.server['OS-EXT-STS:task_state'], fault: r.body.server.fault };
}

/** Polls (bounded) until every server is in a settled status with no task; returns ms taken. */
async function settle(
  ids: string[],
  timeoutMs: number,
): Promise<{ ms: number; states: Map<string, Awaited<ReturnType<typeof statusOf>>> }> {
  const t0 = Date.now();
  let states = new Map<string, Awaited<ReturnType<typeof statusOf>>>();
  for (;;) {
    states = new Map(await Promise.all(ids.map(async (id) => [id, await statusOf(id)] as const)));
    if ([...states.values()].every((s) => SETTLED.has(s.status) && s.task === null))
      return { ms: Date.now() - t0, states };
    if (Date.now() - t0 > timeoutMs) {
      const db = new Database(path.join(dataDir, 'novadock.sqlite'), { readonly: true });
      const tasks = db.prepare('select id, kind, attempts, claimed_by, lease_until from compute_tasks').all();
      db.close();
      throw new Error(
        `not settled after ${timeoutMs} ms: ${JSON.stringify([...states.entries()].filter(([, s]) => !SETTLED.has(s.status) || s.task))}\ntasks: ${JSON.stringify(tasks)} (now ${new Date().toISOString()})\n${svc.output.slice(-3000)}`,
      );
    }
    await sleep(250);
  }
}

interface Inspected {
  id: string;
  status: string;
  uuid: string;
}
function containersOf(ids: string[]): Map<string, Inspected> {
  const out = new Map<string, Inspected>();
  const listed = docker(
    'ps',
    '-a',
    '--filter',
    'label=io.novadock.managed-by=novadock',
    '--format',
    '{{.ID}} {{.Label "io.novadock.instance-uuid"}} {{.State}}',
  );
  const wanted = new Set(ids);
  for (const line of listed.split('\n').filter(Boolean)) {
    const [id, uuid, status] = line.split(' ');
    if (!wanted.has(uuid)) continue;
    if (out.has(uuid)) throw new Error(`two containers for server ${uuid}`);
    out.set(uuid, { id, status, uuid });
  }
  return out;
}

/** Every server agrees with Docker; the DB holds no task rows and no container outside the records. */
function assertTruth(ids: string[], states: Map<string, Awaited<ReturnType<typeof statusOf>>>): void {
  const containers = containersOf(ids);
  const db = new Database(path.join(dataDir, 'novadock.sqlite'), { readonly: true, fileMustExist: true });
  try {
    expect(db.prepare('select count(*) n from compute_tasks').get()).toEqual({ n: 0 });
    const hostUuid = (db.prepare('select uuid from compute_hosts order by id limit 1').get() as { uuid: string }).uuid;
    const records = new Map(
      (
        db.prepare('select uuid, container_id, deleted from instances').all() as {
          uuid: string;
          container_id: string | null;
          deleted: number;
        }[]
      ).map((r) => [r.uuid, r]),
    );
    // No container of this deployment without a live record.
    const ours = docker(
      'ps',
      '-a',
      '--filter',
      `label=io.novadock.service-id=${hostUuid}`,
      '--format',
      '{{.Label "io.novadock.instance-uuid"}}',
    )
      .split('\n')
      .filter(Boolean);
    for (const uuid of ours) expect(records.get(uuid)?.deleted, `orphaned container for ${uuid}`).toBe(0);
    for (const id of ids) {
      const s = states.get(id)!;
      const c = containers.get(id);
      if (s.status === 'ACTIVE') {
        expect(c?.status, `${id} ACTIVE but docker says ${c?.status}`).toBe('running');
        expect(
          records.get(id)!.container_id?.startsWith(c!.id),
          `${id}: the record names the container that runs`,
        ).toBe(true);
      } else if (s.status === 'SHUTOFF') {
        expect(c?.status, `${id} SHUTOFF but docker says ${c?.status}`).toBe('exited');
      } else {
        expect(s.fault?.message, `${id} ERROR without a fault`).toBeTruthy();
      }
    }
  } finally {
    db.close();
  }
}

describe('kill -9 while 20 servers build and 5 stop', () => {
  it('re-claims every task at once and settles every server to what Docker shows after the restart', async () => {
    const running: string[] = [];
    for (let i = 0; i < 5; i += 1) running.push(await create(`crash-stop-${i}`));
    await settle(running, 30_000);

    const builds = await Promise.all(Array.from({ length: 20 }, (_, i) => create(`crash-build-${i}`)));
    const stops = await Promise.all(running.map((id) => api.call('POST', `${S}/${id}/action`, { 'os-stop': null })));
    expect(stops.map((r) => r.status)).toEqual([202, 202, 202, 202, 202]);
    // Let some of the work get under way (some containers created, some not), then pull the plug.
    await sleep(400);
    const before = containersOf([...builds, ...running]);
    await svc.kill9();
    const buildingAtKill = builds.filter((id) => before.get(id)?.status !== 'running').length;

    await svc.start();
    const t0 = Date.now();
    // Recovery itself is immediate: the dead process's leases are released at start-up, so every
    // task is claimed again within seconds (not after the 60 s lease).
    const claimedMs = await allClaimedBy(svc.child!.pid!, 10_000);
    // The target is 30 s. What remains after the claim is Docker's own work (20 creates +
    // starts, 5 stops), about 2 s per container start on 2 cores shared with other test suites;
    // the bound leaves room for that and the measured time is printed.
    const { states } = await settle([...builds, ...running], SETTLE_MS);
    const settledMs = Date.now() - t0;
    const counts: Record<string, number> = {};
    for (const s of states.values()) counts[s.status] = (counts[s.status] ?? 0) + 1;
    console.info(
      `[reliability] kill -9: ${buildingAtKill}/20 builds not yet running at the kill; restart answered in ${svc.startMs} ms; all tasks re-claimed ${claimedMs} ms later; settled in ${settledMs} ms after restart: ${JSON.stringify(counts)}`,
    );
    for (const id of builds) expect(states.get(id)!.status, id).toBe('ACTIVE');
    for (const id of running) expect(states.get(id)!.status, id).toBe('SHUTOFF');
    assertTruth([...builds, ...running], states);
  }, 180_000);

  it('a container removed while the service was down: the record says so (ERROR, fault) after the restart', async () => {
    const id = await create('crash-gone');
    await settle([id], 30_000);
    await svc.kill9();
    docker('rm', '-f', `nova-${id}`);
    await svc.start();
    const { states } = await settle([id], 10_000);
    expect(states.get(id)!.status).toBe('ERROR');
    expect(states.get(id)!.fault?.message).toMatch(/container missing/);
  }, 60_000);

  it('SIGTERM during work parks the tasks; the next start finishes them', async () => {
    const ids = await Promise.all(Array.from({ length: 6 }, (_, i) => create(`term-build-${i}`)));
    const exit = await svc.terminate();
    expect(exit.code, svc.output.slice(-2000)).toBe(0);
    await svc.start();
    const { states } = await settle(ids, 30_000);
    for (const id of ids) expect(states.get(id)!.status, id).toBe('ACTIVE');
    assertTruth(ids, states);
  }, 90_000);
});
