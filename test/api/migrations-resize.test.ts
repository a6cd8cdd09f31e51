// Every resize keeps a migration record as Nova's does (type resize, in place: source = destination
// host), and GET /os-migrations lists it: the status sequence through the worker's steps, confirm →
// confirmed, revert → reverted, a failure → error; the fields per microversion (2.1, 2.23, 2.59,
// 2.80); Nova's filters, newest-first paging with markers, changes-since/before; the instance
// action events under Nova's names. /servers/{id}/migrations (live migrations only) stays empty.
// On SQLite and, when TEST_PG_URL is set, on PostgreSQL (a database of its own).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';
import type { ImageRow } from '../../src/db/repositories/images-repo.js';
import { HostRegistry } from '../../src/compute/hosts/host-registry.js';
import { freshPgDatabase, type PgDatabase } from '../helpers/pg-database.js';

let t: TestApp;
let image: ImageRow;
const S = '/compute/v2.1/servers';
const M = '/compute/v2.1/os-migrations';
const HOST = HostRegistry.defaultHostName();
/** every status the shared repository writes, in order (the API side and the worker use the same one) */
let statuses: string[] = [];
/** the records as the API side created them */
let created: Record<string, unknown>[] = [];

const as = (token: string, version = '2.1') => ({
  post: (url: string, body: unknown) =>
    t.http
      .post(url)
      .set('X-Auth-Token', token)
      .set('OpenStack-API-Version', `compute ${version}`)
      .send(body as object),
  get: (url: string) => t.http.get(url).set('X-Auth-Token', token).set('OpenStack-API-Version', `compute ${version}`),
  del: (url: string) =>
    t.http.delete(url).set('X-Auth-Token', token).set('OpenStack-API-Version', `compute ${version}`),
});
const admin = (v = '2.1') => as(t.adminToken, v);
const action = (id: string, body: unknown) => admin().post(`${S}/${id}/action`, body);
const list = async (v: string, query = '') => {
  const res = await admin(v).get(`${M}${query}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { migrations: Record<string, unknown>[]; migrations_links?: { href: string; rel: string }[] };
};
const ofServer = async (id: string, v = '2.1') => (await list(v, `?instance_uuid=${id}`)).migrations;

async function boot(flavorRef = '1'): Promise<string> {
  const res = await admin('2.79').post(S, {
    server: { name: 'mig-vm', imageRef: image.id, flavorRef, networks: 'none' },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  await t.services.worker.drain();
  return res.body.server.id;
}

async function resized(flavorRef = '2', from = '1'): Promise<string> {
  const id = await boot(from);
  expect((await action(id, { resize: { flavorRef } })).status).toBe(202);
  await t.services.worker.drain();
  return id;
}

const BASE_KEYS = [
  'created_at',
  'dest_compute',
  'dest_host',
  'dest_node',
  'id',
  'instance_uuid',
  'new_instance_type_id',
  'old_instance_type_id',
  'source_compute',
  'source_node',
  'status',
  'updated_at',
];
const NOVA_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/;

const engines: [string, string | null][] = [['sqlite', null]];
if (process.env.TEST_PG_URL) engines.push(['postgres', process.env.TEST_PG_URL]);

describe.each(engines)('on %s', (_engine, pgUrl) => {
  let pg: PgDatabase | null = null;
  beforeAll(async () => {
    if (pgUrl) pg = await freshPgDatabase(pgUrl, 'migrations');
    t = await makeTestApp(pg ? { databaseUrl: pg.url } : {});
    image = await seedImage(t.services);
    await unlimitedQuota(t.services);
    const repo = t.services.migrationsRepo;
    const create = repo.create.bind(repo);
    const update = repo.update.bind(repo);
    repo.create = async (m, trx) => {
      statuses.push(m.status);
      const row = await create(m, trx);
      created.push({ ...row });
      return row;
    };
    repo.update = async (id, changes, now, trx) => {
      if (changes.status) statuses.push(changes.status);
      return update(id, changes, now, trx);
    };
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await pg?.drop();
  });
  beforeEach(() => {
    t.fake.clearInjections();
    statuses = [];
    created = [];
  });

  describe('the record of a resize', () => {
    it('pre-migrating at the API, through the worker to finished, confirmed on confirm; fields per microversion', async () => {
      const id = await boot('1');
      t.fake.delay('updateResources', 1500);
      expect((await action(id, { resize: { flavorRef: '2' } })).status).toBe(202);
      // The conductor's record: no destination yet, never updated.
      expect(created).toEqual([
        expect.objectContaining({
          status: 'pre-migrating',
          instance_uuid: id,
          migration_type: 'resize',
          source_compute: HOST,
          source_node: HOST,
          dest_compute: null,
          dest_node: null,
          dest_host: null,
          old_instance_type_id: 1,
          new_instance_type_id: 2,
          updated_at: null,
          hidden: false,
        }),
      ]);
      // While the limits are applied (finish_resize, the docker update held back): post-migrating,
      // the destination claimed.
      const deadline = Date.now() + 5000;
      while ((await t.services.instancesRepo.findByUuid(id))!.task_state !== 'resize_finish') {
        expect(Date.now()).toBeLessThan(deadline);
        await new Promise((r) => setTimeout(r, 20));
      }
      const [pre] = await ofServer(id);
      expect(pre).toMatchObject({
        status: 'post-migrating',
        dest_compute: HOST,
        dest_node: HOST,
        dest_host: '127.0.0.1',
      });
      await t.services.worker.drain();
      expect((await ofServer(id))[0]).toMatchObject({
        status: 'finished',
        dest_compute: HOST,
        dest_node: HOST,
        dest_host: '127.0.0.1',
      });
      expect((await action(id, { confirmResize: null })).status).toBe(204);
      expect(statuses).toEqual([
        'pre-migrating',
        'pre-migrating',
        'migrating',
        'post-migrating',
        'finished',
        'confirmed',
      ]);

      const r21 = await ofServer(id, '2.1');
      expect(r21.length).toBe(1);
      expect(Object.keys(r21[0]).sort()).toEqual(BASE_KEYS);
      expect(r21[0]).toMatchObject({ status: 'confirmed', id: pre.id, source_compute: HOST, dest_compute: HOST });
      expect(r21[0].id).toEqual(expect.any(Number));
      expect(r21[0].created_at).toMatch(NOVA_TIME);
      expect(r21[0].updated_at).toMatch(NOVA_TIME);

      const [r223] = await ofServer(id, '2.23');
      expect(Object.keys(r223).sort()).toEqual([...BASE_KEYS, 'migration_type'].sort());
      expect(r223.migration_type).toBe('resize'); // no links: those are for in-progress live migrations

      const [r259] = await ofServer(id, '2.59');
      expect(Object.keys(r259).sort()).toEqual([...BASE_KEYS, 'migration_type', 'uuid'].sort());
      expect(r259.uuid).toMatch(/^[0-9a-f-]{36}$/);

      const [r280] = await ofServer(id, '2.80');
      const server = (await admin().get(`${S}/${id}`)).body.server;
      expect(Object.keys(r280).sort()).toEqual(
        [...BASE_KEYS, 'migration_type', 'uuid', 'user_id', 'project_id'].sort(),
      );
      expect(r280).toMatchObject({ user_id: server.user_id, project_id: server.tenant_id, uuid: r259.uuid });

      // In-progress live migrations only: a resize never shows there.
      const own = await admin('2.23').get(`${S}/${id}/migrations`);
      expect(own.body).toEqual({ migrations: [] });
    });

    it('revert: reverting at the API, reverted by the worker', async () => {
      const id = await resized();
      statuses = [];
      expect((await action(id, { revertResize: null })).status).toBe(202);
      await t.services.worker.drain();
      expect(statuses).toEqual(['reverting', 'reverted', 'reverted']);
      expect((await ofServer(id))[0]).toMatchObject({
        status: 'reverted',
        old_instance_type_id: 1,
        new_instance_type_id: 2,
      });
      expect((await admin().get(`${S}/${id}`)).body.server.flavor.id).toBe('1');
    });

    it('a failed resize (docker update) leaves the record in error; a second resize has its own record', async () => {
      const id = await boot('1');
      t.fake.failNext('updateResources');
      expect((await action(id, { resize: { flavorRef: '2' } })).status).toBe(202);
      await t.services.worker.drain();
      expect(statuses).toEqual(['pre-migrating', 'pre-migrating', 'migrating', 'post-migrating', 'error']);
      expect((await admin().get(`${S}/${id}`)).body.server.status).toBe('ACTIVE');
      expect((await action(id, { resize: { flavorRef: '2' } })).status).toBe(202);
      await t.services.worker.drain();
      expect((await ofServer(id, '2.59')).map((m) => m.status)).toEqual(['finished', 'error']); // newest first
    });

    it('a failed revert leaves the record in error and the server resized', async () => {
      const id = await resized();
      t.fake.failNext('updateResources');
      expect((await action(id, { revertResize: null })).status).toBe(202);
      await t.services.worker.drain();
      expect((await ofServer(id))[0].status).toBe('error');
      expect((await admin().get(`${S}/${id}`)).body.server.status).toBe('VERIFY_RESIZE');
    });

    it("Nova's instance action events for resize, confirm and revert", async () => {
      const id = await resized();
      const events = async (action: string) => {
        const actions = (await admin('2.51').get(`${S}/${id}/os-instance-actions`)).body.instanceActions as {
          action: string;
          request_id: string;
        }[];
        const req = actions.filter((a) => a.action === action).at(-1)!.request_id;
        const show = await admin('2.51').get(`${S}/${id}/os-instance-actions/${req}`);
        return (show.body.instanceAction.events as { event: string; result: string }[])
          .map((e) => `${e.event} ${e.result}`)
          .sort();
      };
      expect(await events('resize')).toEqual([
        'cold_migrate Success',
        'compute_finish_resize Success',
        'compute_prep_resize Success',
        'compute_resize_instance Success',
        'conductor_migrate_server Success',
      ]);
      expect((await action(id, { revertResize: null })).status).toBe(202);
      await t.services.worker.drain();
      expect(await events('revertResize')).toEqual([
        'compute_finish_revert_resize Success',
        'compute_revert_resize Success',
      ]);
      expect((await action(id, { resize: { flavorRef: '2' } })).status).toBe(202);
      await t.services.worker.drain();
      expect((await action(id, { confirmResize: null })).status).toBe(204);
      expect(await events('confirmResize')).toEqual(['compute_confirm_resize Success']);
    });

    it('is gone with its deleted server, as Nova soft-deletes it with the instance', async () => {
      const id = await resized();
      expect((await ofServer(id)).length).toBe(1);
      expect((await admin().del(`${S}/${id}`)).status).toBe(204);
      await t.services.worker.drain();
      expect(await ofServer(id)).toEqual([]);
    });
  });

  describe('GET /os-migrations filters and paging', () => {
    let a: string;
    let b: string;
    let c: string;
    let member: { projectId: string; userId: string; token: string };

    beforeAll(async () => {
      a = await resized('2', '1');
      b = await resized('3', '1');
      // a third, started by another project's admin
      member = await makeProjectUser(t, 'mig-other', 'admin');
      await unlimitedQuota(t.services, 'mig-other');
      c = await boot('1');
      expect((await as(member.token).post(`${S}/${c}/action`, { resize: { flavorRef: '2' } })).status).toBe(202);
      await t.services.worker.drain();
      expect((await action(a, { confirmResize: null })).status).toBe(204);
    });

    const uuidsOf = (ms: Record<string, unknown>[]) => ms.map((m) => m.instance_uuid);
    const ours = (ms: Record<string, unknown>[]) => uuidsOf(ms).filter((u) => [a, b, c].includes(u as string));

    it('status, instance_uuid, host, source_compute, migration_type, hidden', async () => {
      expect(ours((await list('2.59', '?status=confirmed')).migrations)).toEqual([a]);
      expect(ours((await list('2.59', '?status=finished')).migrations)).toEqual([c, b]);
      expect(ours((await list('2.1', `?instance_uuid=${b}`)).migrations)).toEqual([b]);
      expect(ours((await list('2.59', `?host=${HOST}`)).migrations)).toEqual([c, b, a]);
      expect((await list('2.59', '?host=elsewhere')).migrations).toEqual([]);
      expect(ours((await list('2.59', `?source_compute=${HOST}&instance_uuid=${a}`)).migrations)).toEqual([a]);
      expect((await list('2.59', '?source_compute=elsewhere')).migrations).toEqual([]);
      expect((await list('2.59', `?migration_type=live-migration`)).migrations).toEqual([]);
      expect(ours((await list('2.59', `?migration_type=resize`)).migrations)).toEqual([c, b, a]);
      expect((await list('2.59', '?hidden=true')).migrations).toEqual([]);
      expect(ours((await list('2.59', '?hidden=false')).migrations)).toEqual([c, b, a]);
      // before 2.59: by id, oldest first, and any parameter goes
      expect(ours((await list('2.1', '?whatever=1')).migrations)).toEqual([a, b, c]);
    });

    it('2.80 user_id and project_id: who started the resize', async () => {
      const byUser = await list('2.80', `?user_id=${member.userId}`);
      expect(uuidsOf(byUser.migrations)).toEqual([c]);
      expect(byUser.migrations[0]).toMatchObject({ user_id: member.userId, project_id: member.projectId });
      expect(uuidsOf((await list('2.80', `?project_id=${member.projectId}`)).migrations)).toEqual([c]);
      expect((await list('2.80', `?project_id=${member.projectId}&user_id=nobody`)).migrations).toEqual([]);
    });

    it('2.59 paging: newest first, limit with a next link, marker, an unknown marker is 400', async () => {
      const all = (await list('2.59', `?host=${HOST}`)).migrations;
      const first = await list('2.59', `?host=${HOST}&limit=1`);
      expect(first.migrations).toEqual([all[0]]);
      const next = new URL(first.migrations_links![0].href);
      expect(first.migrations_links![0].rel).toBe('next');
      expect(next.pathname).toBe(M);
      expect(next.searchParams.get('marker')).toBe(all[0].uuid);
      expect(next.searchParams.get('host')).toBe(HOST);
      const second = await list('2.59', `?host=${HOST}&limit=1&marker=${all[0].uuid}`);
      expect(second.migrations).toEqual([all[1]]);
      const rest = await list('2.59', `?host=${HOST}&marker=${all[1].uuid}`);
      expect(rest.migrations).toEqual(all.slice(2));
      expect(rest.migrations_links).toBeUndefined();
      expect((await list('2.59', '?limit=0')).migrations).toEqual([]);
      const bad = await admin('2.59').get(`${M}?marker=nope`);
      expect(bad.status).toBe(400);
      expect(bad.body.badRequest.message).toBe('Marker nope could not be found.');
      // before 2.59 limit and marker mean nothing
      expect((await list('2.58', '?limit=1&marker=nope')).migrations.length).toBe(all.length);
    });

    it('changes-since (2.59) and changes-before (2.66) on updated_at', async () => {
      const all = (await list('2.66', `?host=${HOST}`)).migrations;
      const confirmedAt = `${all.find((m) => m.instance_uuid === a)!.updated_at as string}Z`;
      const since = ours((await list('2.59', `?changes-since=${encodeURIComponent(confirmedAt)}`)).migrations);
      expect(since).toContain(a);
      expect(since).not.toContain(b);
      const before = ours(
        (await list('2.66', `?changes-before=${encodeURIComponent('2000-01-01T00:00:00Z')}`)).migrations,
      );
      expect(before).toEqual([]);
      const upTo = ours(
        (await list('2.66', `?changes-since=2000-01-01T00:00:00Z&changes-before=${encodeURIComponent(confirmedAt)}`))
          .migrations,
      );
      expect(upTo).toContain(a);
      const wrong = await admin('2.66').get(
        `${M}?changes-since=2030-01-01T00:00:00Z&changes-before=2020-01-01T00:00:00Z`,
      );
      expect(wrong.status).toBe(400);
      // before 2.59 the dates are ignored
      expect((await list('2.58', '?changes-since=2999-01-01T00:00:00Z')).migrations.length).toBe(all.length);
    });

    it('admin only', async () => {
      const p = await makeProjectUser(t, 'mig-member', 'member');
      const res = await as(p.token).get(M);
      expect(res.status).toBe(403);
      expect(res.body.forbidden.message).toBe(
        "Policy doesn't allow os_compute_api:os-migrations:index to be performed.",
      );
    });
  });
});
