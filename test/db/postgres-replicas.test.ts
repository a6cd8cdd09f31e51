// Several API replicas on one PostgreSQL database (README: DATABASE_URL "for several API replicas"):
// two apps, both booted at once on a fresh database with their background work on (task runner,
// event watcher, power sync, reclaimer), both on the real Docker Engine, behave as one service:
// servers created through either reach ACTIVE with exactly one spawn each (no task run by both
// workers), both list the same servers, an action sent to B works on A's server, a quota holds
// across both, a delete through A is gone from B with no container left.
//
// Real Docker rather than the fake: the point is what the two workers do to one engine (a task run
// twice would meet its own container; the event watchers of both see every container event), and
// busybox servers boot in well under a second each. Spawns are counted by wrapping each replica's
// driver factory around the real Docker driver.
// Both replicas share one data dir, as replicas share a volume: the image store and the config
// drives are files under it, written by one replica and read by the other's worker.
//
// Needs TEST_PG_URL (npm test sets it up with scripts/pg-up.sh). In CI (CI set) a missing URL fails
// the file; elsewhere the file is skipped, like the PostgreSQL variants of the other tests.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type BuiltApp } from '../../src/app.js';
import { testConfig } from '../../src/config.js';
import { dockerDriverFactory } from '../../src/virt/factory.js';
import type { DriverFactory, SpawnSpec } from '../../src/virt/driver.js';
import { ADMIN_PASSWORD, makeProjectUser, passwordToken, type TestApp } from '../helpers/app.js';
import { docker, TEST_IMAGE } from '../helpers/docker-app.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';
import { freshPgDatabase, type PgDatabase } from '../helpers/pg-database.js';
import { sql } from '../../src/db/sql.js';

const PG_URL = process.env.TEST_PG_URL;
const IN_CI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
const S = '/compute/v2.1/servers';
const V = 'compute 2.79';
const LABEL = 'io.novadock.test=postgres-replicas';

type Http = ReturnType<typeof request>;
interface Replica {
  name: string;
  built: BuiltApp;
  http: Http;
  token: string;
}

/** Each spawn call either replica's worker makes: which replica, which server. */
const spawns: { replica: string; uuid: string }[] = [];

function countingDockerFactory(replica: string, base: DriverFactory): DriverFactory {
  return async (host: Parameters<DriverFactory>[0]) => {
    const driver = await base(host);
    return new Proxy(driver, {
      get(target, prop, receiver) {
        if (prop === 'spawn') {
          return (spec: SpawnSpec) => {
            spawns.push({ replica, uuid: spec.instanceUuid });
            return target.spawn({
              ...spec,
              extraLabels: { ...spec.extraLabels, 'io.novadock.test': 'postgres-replicas' },
            });
          };
        }
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const ourContainers = () =>
  docker('ps', '-a', '--filter', `label=${LABEL}`, '--format', '{{.Names}}').split('\n').filter(Boolean);
const containerOf = (id: string) =>
  docker('ps', '-a', '--filter', `name=^nova-${id}$`, '--format', '{{.Names}} {{.State}}');

if (!PG_URL && IN_CI) {
  describe('several API replicas on one PostgreSQL database', () => {
    it('needs TEST_PG_URL', () => {
      throw new Error(
        'TEST_PG_URL is not set: run the tests with `npm test` (scripts/test.sh starts PostgreSQL with scripts/pg-up.sh) or export TEST_PG_URL=$(bash scripts/pg-up.sh)',
      );
    });
  });
}

describe.skipIf(!PG_URL)('several API replicas on one PostgreSQL database', () => {
  let pg: PgDatabase | null = null;
  let dataDir = '';
  let a: Replica;
  let b: Replica;
  let imageId = '';

  beforeAll(async () => {
    pg = await freshPgDatabase(PG_URL!, 'replicas');
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'novadock-replicas-'));
    const tar = path.join(dataDir, 'busybox.tar');
    docker('image', 'save', TEST_IMAGE, '-o', tar);
    // Both at once on the empty database: migrations, identity bootstrap, host registration and
    // start-up reconciliation race each other as two replicas starting together do.
    const boot = async (name: string): Promise<Replica> => {
      const config = testConfig({ computeDriver: 'docker', databaseUrl: pg!.url, dataDir, stopTimeoutSeconds: 1 });
      const built = await buildApp({
        config,
        driverFactory: countingDockerFactory(name, dockerDriverFactory(config)),
        background: true,
        logger: false,
      });
      await built.app.ready();
      const http = request(built.app.server);
      return { name, built, http, token: await passwordToken(http, 'admin', ADMIN_PASSWORD, 'admin') };
    };
    const booted = await Promise.allSettled([boot('A'), boot('B')]);
    const failed = booted.find((r) => r.status === 'rejected');
    if (failed) {
      // close the one that did boot, so that afterAll can drop the database
      await Promise.allSettled(
        booted.map((r) => (r.status === 'fulfilled' ? r.value.built.app.close() : Promise.resolve())),
      );
      throw failed.reason;
    }
    [a, b] = booted.map((r) => (r as PromiseFulfilledResult<Replica>).value);
    await unlimitedQuota(a.built.services);
    imageId = (await seedImage(a.built.services, { name: 'busybox', data: fs.readFileSync(tar) })).id;
  }, 60_000);

  afterAll(async () => {
    for (const name of (() => {
      try {
        return ourContainers();
      } catch {
        return [];
      }
    })()) {
      try {
        docker('rm', '-f', name);
      } catch {
        /* already gone */
      }
    }
    await Promise.allSettled([a?.built.app.close(), b?.built.app.close()]);
    await pg?.drop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  const get = (r: Replica, id: string) =>
    r.http.get(`${S}/${id}`).set('X-Auth-Token', r.token).set('OpenStack-API-Version', V);
  const create = (r: Replica, name: string, token = r.token) =>
    r.http
      .post(S)
      .set('X-Auth-Token', token)
      .set('OpenStack-API-Version', V)
      .send({ server: { name, imageRef: imageId, flavorRef: '1', networks: 'none' } });
  const statusOn = async (r: Replica, id: string) => (await get(r, id)).body.server?.status as string | undefined;

  const created: string[] = [];

  it('servers created alternately through A and B all reach ACTIVE, each spawned exactly once', async () => {
    for (let i = 0; i < 8; i++) {
      const r = i % 2 ? b : a;
      const res = await create(r, `rep-${i}`);
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      created.push(res.body.server.id);
    }
    await until('8 servers ACTIVE', async () => {
      const states = await Promise.all(created.map((id, i) => statusOn(i % 2 ? a : b, id))); // read through the other replica
      if (states.includes('ERROR')) throw new Error(`a server went to ERROR: ${states}`);
      return states.every((s) => s === 'ACTIVE');
    });
    for (const id of created) {
      expect(
        spawns.filter((s) => s.uuid === id),
        `spawns of ${id}`,
      ).toHaveLength(1);
      expect(containerOf(id)).toBe(`nova-${id} running`);
    }
    // Both workers did work (each claims what its own API enqueued), and none ran another's again.
    expect(new Set(spawns.filter((s) => created.includes(s.uuid)).map((s) => s.replica))).toEqual(new Set(['A', 'B']));
    // Nothing left in the task table: every task ran, once, and was finished (a worker deletes its
    // row just after writing ACTIVE, so the last rows may still be going when ACTIVE shows).
    await until('the task table empty', async () =>
      sql(a.built.services.db)('compute_tasks')
        .count({ n: '*' })
        .then(([r]) => Number(r.n) === 0),
    );
  });

  it('both replicas list the same servers with the same states', async () => {
    const list = async (r: Replica) => {
      const res = await r.http
        .get(`${S}/detail`)
        .set('X-Auth-Token', r.token)
        .set('OpenStack-API-Version', V)
        .expect(200);
      return (res.body.servers as { id: string; status: string; 'OS-EXT-STS:power_state': number }[])
        .map((s) => `${s.id} ${s.status} ${s['OS-EXT-STS:power_state']}`)
        .sort();
    };
    const [la, lb] = await Promise.all([list(a), list(b)]);
    expect(la).toHaveLength(8);
    expect(la).toEqual(created.map((id) => `${id} ACTIVE 1`).sort());
    expect(lb).toEqual(la);
  });

  it('an action sent to B works on a server created through A: stop there is SHUTOFF seen from A', async () => {
    const id = created[0]; // created through A
    await b.http.post(`${S}/${id}/action`).set('X-Auth-Token', b.token).send({ 'os-stop': null }).expect(202);
    await until('SHUTOFF seen from A', async () => {
      const s = (await get(a, id)).body.server;
      return s.status === 'SHUTOFF' && s['OS-EXT-STS:task_state'] === null && s['OS-EXT-STS:power_state'] === 4;
    });
    expect(containerOf(id)).toBe(`nova-${id} exited`);
    // and the other replica's drift handling does not undo it
    await new Promise((r) => setTimeout(r, 500));
    expect(await statusOn(b, id)).toBe('SHUTOFF');
    await a.http.post(`${S}/${id}/action`).set('X-Auth-Token', a.token).send({ 'os-start': null }).expect(202);
    await until('ACTIVE again seen from B', async () => (await statusOn(b, id)) === 'ACTIVE');
    expect(spawns.filter((s) => s.uuid === id)).toHaveLength(1);
  });

  it('concurrent creates split across both replicas never exceed a project quota of 3', async () => {
    const { projectId, token: scoped } = await makeProjectUser(
      { services: a.built.services, http: a.http } as unknown as TestApp,
      'replica-quota',
      'member',
    );
    await b.http
      .put(`/compute/v2.1/os-quota-sets/${projectId}`)
      .set('X-Auth-Token', b.token)
      .send({ quota_set: { instances: 3 } })
      .expect(200);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => create(i % 2 ? b : a, `quota-${i}`, scoped)),
    );
    const accepted = results.filter((r) => r.status === 202);
    expect(results.map((r) => r.status).sort()).toEqual([202, 202, 202, 403, 403, 403, 403, 403, 403, 403]);
    expect(results.find((r) => r.status === 403)!.body.forbidden.message).toBe(
      'Quota exceeded for instances: Requested 1, but already used 3 of 3 instances',
    );
    const ids = accepted.map((r) => r.body.server.id as string);
    const [{ n }] = await sql(b.built.services.db)('instances')
      .where({ project_id: projectId, deleted: false })
      .count({ n: '*' });
    expect(Number(n)).toBe(3);
    const get2 = (r: Replica, id: string) =>
      r.http.get(`${S}/${id}`).set('X-Auth-Token', scoped).set('OpenStack-API-Version', V);
    await until('the 3 accepted servers ACTIVE', async () => {
      const states = await Promise.all(ids.map(async (id) => (await get2(b, id)).body.server?.status));
      return states.every((s) => s === 'ACTIVE');
    });
    for (const id of ids) expect(spawns.filter((s) => s.uuid === id)).toHaveLength(1);
    // delete them through B, to leave only the first test's servers
    for (const id of ids) await b.http.delete(`${S}/${id}`).set('X-Auth-Token', scoped).expect(204);
    await until('the quota servers gone', async () => ids.every((id) => containerOf(id) === ''));
  });

  it('a delete through A is gone from B, with no container left', async () => {
    for (const id of created) await a.http.delete(`${S}/${id}`).set('X-Auth-Token', a.token).expect(204);
    await until('all deleted servers 404 on B', async () => {
      const codes = await Promise.all(created.map(async (id) => (await get(b, id)).status));
      return codes.every((c) => c === 404);
    });
    await until('no container left', async () => ourContainers().length === 0);
    const listed = await b.http.get(`${S}/detail`).set('X-Auth-Token', b.token).expect(200);
    expect(listed.body.servers).toEqual([]);
  });
});
