// /os-aggregates as an admin manages them (nova aggregates.py, compute/api.py AggregateAPI):
// create/show/update/delete, add_host/remove_host/set_metadata with Nova's codes and wording, the
// zone configured in NOVADOCK_COMPUTE_HOSTS kept as a read-only aggregate, and the zone an
// aggregate gives a host: the scheduler, server create, os-availability-zone and os-services all
// follow it, servers keep the zone they were built in, and removing the host restores its zone.
// On SQLite and, when TEST_PG_URL is set, on PostgreSQL (a database of its own).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';
import { freshPgDatabase, type PgDatabase } from '../helpers/pg-database.js';
import type { FakeDriver } from '../../src/virt/fake/fake-driver.js';
import type { Test } from 'supertest';

const engines: [string, string | null][] = [['sqlite', null]];
if (process.env.TEST_PG_URL) engines.push(['postgres', process.env.TEST_PG_URL]);

const C = '/compute/v2.1';
const A = `${C}/os-aggregates`;
let t: TestApp;
let member: { token: string };
let imageId: string;

const as = (req: Test, v = '2.1', token = t.adminToken) =>
  req.set('X-Auth-Token', token).set('OpenStack-API-Version', `compute ${v}`);
const create = (aggregate: Record<string, unknown>, v = '2.1') => as(t.http.post(A), v).send({ aggregate });
const show = (id: number | string, v = '2.41') => as(t.http.get(`${A}/${id}`), v);
const update = (id: number, aggregate: Record<string, unknown>) =>
  as(t.http.put(`${A}/${id}`), '2.41').send({ aggregate });
const action = (id: number | string, body: unknown, token?: string) =>
  as(t.http.post(`${A}/${id}/action`), '2.41', token).send(body as object);
const addHost = (id: number, host: string) => action(id, { add_host: { host } });
const removeHost = (id: number, host: string) => action(id, { remove_host: { host } });
const setMetadata = (id: number, metadata: Record<string, string | null>) => action(id, { set_metadata: { metadata } });
const del = (id: number | string) => as(t.http.delete(`${A}/${id}`));
const bad = (message: string) => ({ badRequest: { code: 400, message } });
const conflict = (message: string) => ({ conflictingRequest: { code: 409, message } });
const notFound = (message: string) => ({ itemNotFound: { code: 404, message } });

async function newAggregate(name: string, zone?: string): Promise<number> {
  const res = await create(zone ? { name, availability_zone: zone } : { name });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.aggregate.id;
}

async function boot(zone?: string): Promise<{ id: string; host: string; zone: string }> {
  const res = await as(t.http.post(`${C}/servers`), '2.79').send({
    server: {
      name: 'agg-vm',
      imageRef: imageId,
      flavorRef: '1',
      networks: 'none',
      ...(zone ? { availability_zone: zone } : {}),
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  await t.services.worker.drain();
  const s = (await as(t.http.get(`${C}/servers/${res.body.server.id}`), '2.79')).body.server;
  expect(s.status).toBe('ACTIVE');
  return { id: s.id, host: s['OS-EXT-SRV-ATTR:host'], zone: s['OS-EXT-AZ:availability_zone'] };
}

async function deleteServer(id: string): Promise<void> {
  expect((await as(t.http.delete(`${C}/servers/${id}`))).status).toBe(204);
  await t.services.worker.drain();
}

const zoneNames = async () =>
  (await as(t.http.get(`${C}/os-availability-zone`))).body.availabilityZoneInfo.map(
    (z: { zoneName: string }) => z.zoneName,
  );
const serviceZone = async (host: string) =>
  (await as(t.http.get(`${C}/os-services?host=${host}&binary=nova-compute`))).body.services[0]?.zone;

describe.each(engines)('on %s', (_engine, pgUrl) => {
  let pg: PgDatabase | null = null;
  beforeAll(async () => {
    pg = pgUrl ? await freshPgDatabase(pgUrl, 'aggregates') : null;
    t = await makeTestApp({
      ...(pg ? { databaseUrl: pg.url } : {}),
      heartbeatIntervalSeconds: 3600,
      computeHosts: [
        { name: 'agg-h1', dockerUrl: 'unix:///tmp/fake-agg-h1.sock', availabilityZone: 'nova' },
        { name: 'agg-h2', dockerUrl: 'unix:///tmp/fake-agg-h2.sock', availabilityZone: 'nova' },
        { name: 'agg-c1', dockerUrl: 'unix:///tmp/fake-agg-c1.sock', availabilityZone: 'zone-c' },
        { name: 'agg-gone', dockerUrl: 'unix:///tmp/fake-agg-gone.sock', availabilityZone: 'nova' },
      ],
    });
    await unlimitedQuota(t.services);
    imageId = (await seedImage(t.services)).id;
    member = await makeProjectUser(t, 'agg-member', 'member');
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await pg?.drop();
  });

  describe('the configured zone', () => {
    it('is a read-only aggregate (id 1) next to the ones an admin creates', async () => {
      const list = await as(t.http.get(A), '2.41');
      expect(list.body.aggregates).toEqual([
        expect.objectContaining({
          id: 1,
          name: 'zone-c',
          availability_zone: 'zone-c',
          hosts: ['agg-c1'],
          metadata: { availability_zone: 'zone-c' },
          deleted: false,
        }),
      ]);
      const reason = 'its zone and hosts come from NOVADOCK_COMPUTE_HOSTS.';
      expect((await update(1, { name: 'renamed' })).body).toEqual(bad(`Cannot update aggregate 1. Reason: ${reason}`));
      expect((await setMetadata(1, { k: 'v' })).body).toEqual(
        bad(`Cannot update metadata of aggregate 1. Reason: ${reason}`),
      );
      expect((await addHost(1, 'agg-h1')).body).toEqual(conflict(`Cannot add host to aggregate 1. Reason: ${reason}`));
      expect((await del(1)).body).toEqual(bad(`Cannot remove host from aggregate 1. Reason: ${reason}`));
      expect((await create({ name: 'zone-c' })).body).toEqual(conflict('Aggregate zone-c already exists.'));
    });
  });

  describe('create, show, update, delete', () => {
    it('creates with the 2.1 shape (no hosts, no metadata; uuid from 2.41) and shows it', async () => {
      const res = await create({ name: 'crud-1', availability_zone: 'crud-zone' });
      expect(res.status).toBe(200);
      const a = res.body.aggregate;
      expect(Object.keys(a).sort()).toEqual([
        'availability_zone',
        'created_at',
        'deleted',
        'deleted_at',
        'id',
        'name',
        'updated_at',
      ]);
      expect(a).toMatchObject({
        name: 'crud-1',
        availability_zone: 'crud-zone',
        deleted: false,
        deleted_at: null,
        updated_at: null,
      });
      expect(a.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
      const withUuid = await create({ name: 'crud-2' }, '2.41');
      expect(withUuid.body.aggregate).toMatchObject({
        availability_zone: null,
        uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      const shown = await show(a.id);
      expect(shown.body.aggregate).toMatchObject({
        id: a.id,
        hosts: [],
        metadata: { availability_zone: 'crud-zone' },
        uuid: expect.any(String),
      });
      expect((await show(a.id, '2.40')).body.aggregate.uuid).toBeUndefined();
    });

    it('refuses a taken name (409), the internal zone, bad bodies and bad ids (400), members (403), unknown ids (404)', async () => {
      expect((await create({ name: 'crud-1' })).body).toEqual(conflict('Aggregate crud-1 already exists.'));
      const internal = await create({ name: 'crud-internal', availability_zone: 'internal' });
      expect(internal.status).toBe(400);
      expect(internal.body.badRequest.message).toContain('internal');
      for (const body of [
        {},
        { name: 'x', extra: 1 },
        { name: 'x', availability_zone: 'a:b' },
        { name: '' },
        { name: ' lead' },
      ]) {
        expect((await create(body)).status, JSON.stringify(body)).toBe(400);
      }
      expect((await create({ name: 'x', extra: 1 })).body.badRequest.message).toContain(
        "Additional properties are not allowed ('extra' was unexpected)",
      );
      expect((await show('abc')).body).toEqual(bad('Invalid input received: id must be an integer'));
      expect((await show(9999)).body).toEqual(notFound('Aggregate 9999 could not be found.'));
      expect((await show('99999999999')).body).toEqual(notFound('Aggregate 99999999999 could not be found.'));
      expect((await del(9999)).body).toEqual(notFound('Aggregate 9999 could not be found.'));
      const denied = await as(t.http.post(A), '2.1', member.token).send({ aggregate: { name: 'mine' } });
      expect(denied.body).toEqual({
        forbidden: { code: 403, message: "Policy doesn't allow os_compute_api:os-aggregates:create to be performed." },
      });
      const deniedAction = await action(1, { add_host: { host: 'agg-h1' } }, member.token);
      expect(deniedAction.body.forbidden.message).toBe(
        "Policy doesn't allow os_compute_api:os-aggregates:add_host to be performed.",
      );
    });

    it('updates the name and the zone, refuses a taken name and an empty zone, and deletes', async () => {
      const id = await newAggregate('upd-1');
      await newAggregate('upd-2');
      // PUT takes a name with surrounding spaces and drops them (nova common.normalize_name)
      const renamed = await update(id, { name: '  upd-renamed ', availability_zone: 'upd-zone' });
      expect(renamed.status).toBe(200);
      expect(renamed.body.aggregate).toMatchObject({
        name: 'upd-renamed',
        availability_zone: 'upd-zone',
        metadata: { availability_zone: 'upd-zone' },
      });
      expect(renamed.body.aggregate.updated_at).not.toBeNull();
      expect((await update(id, { name: 'upd-2' })).body).toEqual(conflict('Aggregate upd-2 already exists.'));
      expect((await update(id, { availability_zone: null })).body).toEqual(
        bad(
          `Cannot update aggregate ${id}. Reason: Aggregate upd-renamed does not support empty named availability zone.`,
        ),
      );
      expect((await update(id, {})).status).toBe(400);
      const gone = await del(id);
      expect(gone.status).toBe(200);
      expect(gone.text).toBe('');
      expect((await show(id)).status).toBe(404);
    });
  });

  describe('actions', () => {
    it("add_host, remove_host and set_metadata with Nova's rules and wording", async () => {
      const id = await newAggregate('act-1');
      expect((await action(id, {})).body).toEqual(bad('Malformed request body'));
      expect((await action(id, { frobnicate: {} })).body).toEqual(bad('There is no such action: frobnicate'));
      expect((await action(id, { add_host: { host: 'a b' } })).status).toBe(400);
      expect((await addHost(id, 'no-such-host')).body).toEqual(
        notFound('Compute host no-such-host could not be found.'),
      );
      expect((await addHost(9999, 'agg-h2')).body).toEqual(notFound('Aggregate 9999 could not be found.'));
      const added = await addHost(id, 'agg-h2');
      expect(added.status).toBe(200);
      expect(added.body.aggregate).toMatchObject({ id, hosts: ['agg-h2'], metadata: {} });
      expect((await addHost(id, 'agg-h2')).body).toEqual(conflict(`Aggregate ${id} already has host agg-h2.`));
      expect((await del(id)).body).toEqual(
        bad(`Cannot remove host from aggregate ${id}. Reason: Host aggregate is not empty.`),
      );

      const meta = await setMetadata(id, { k1: 'v1', k2: 'v2' });
      expect(meta.body.aggregate.metadata).toEqual({ k1: 'v1', k2: 'v2' });
      expect((await setMetadata(id, { k1: null, k3: 'v3' })).body.aggregate.metadata).toEqual({ k2: 'v2', k3: 'v3' });
      expect((await setMetadata(id, { 'bad/key': 'x' })).status).toBe(400);
      expect((await setMetadata(id, { availability_zone: null })).body).toEqual(
        bad(
          `Cannot update metadata of aggregate ${id}. Reason: Aggregate act-1 does not support empty named availability zone.`,
        ),
      );

      // a host in one zone cannot join an aggregate of another zone
      expect((await setMetadata(id, { availability_zone: 'act-zone-a' })).status).toBe(200);
      const other = await newAggregate('act-2', 'act-zone-b');
      expect((await addHost(other, 'agg-h2')).body).toEqual(
        conflict(
          `Cannot add host to aggregate ${other}. Reason: One or more hosts already in availability zone(s) ['act-zone-a'].`,
        ),
      );
      const sameZone = await newAggregate('act-3', 'act-zone-a');
      expect((await addHost(sameZone, 'agg-h2')).status).toBe(200);
      expect((await setMetadata(sameZone, { availability_zone: 'act-zone-b' })).body).toEqual(
        bad(
          `Cannot update metadata of aggregate ${sameZone}. Reason: One or more hosts already in availability zone(s) ['act-zone-a'].`,
        ),
      );

      expect((await removeHost(id, 'no-such-host')).body).toEqual(
        notFound(`Cannot remove host no-such-host in aggregate ${id}`),
      );
      expect((await removeHost(id, 'agg-h1')).body).toEqual(notFound(`Cannot remove host agg-h1 in aggregate ${id}`));
      for (const [agg, host] of [
        [id, 'agg-h2'],
        [sameZone, 'agg-h2'],
      ] as const) {
        const removed = await removeHost(agg, host);
        expect(removed.status).toBe(200);
        expect(removed.body.aggregate.hosts).toEqual([]);
      }
      for (const agg of [id, other, sameZone]) expect((await del(agg)).status).toBe(200);
    });
  });

  describe('the zone an aggregate gives its hosts', () => {
    it("places servers, lists the zone, and restores the host's zone on removal; servers never move", async () => {
      const az1 = await newAggregate('zone-agg', 'az1');
      expect(
        (
          await as(t.http.post(`${C}/servers`), '2.79').send({
            server: { name: 'x', imageRef: imageId, flavorRef: '1', networks: 'none', availability_zone: 'az1' },
          })
        ).body,
      ).toEqual(bad('The requested availability zone is not available'));
      expect(await zoneNames()).not.toContain('az1');

      expect((await addHost(az1, 'agg-h1')).status).toBe(200);
      expect(await zoneNames()).toEqual(expect.arrayContaining(['az1', 'nova', 'zone-c']));
      const detail = (await as(t.http.get(`${C}/os-availability-zone/detail`))).body.availabilityZoneInfo;
      expect(Object.keys(detail.find((z: { zoneName: string }) => z.zoneName === 'az1').hosts)).toEqual(['agg-h1']);
      expect(await serviceZone('agg-h1')).toBe('az1');

      const inAz1 = await boot('az1');
      expect(inAz1).toMatchObject({ host: 'agg-h1', zone: 'az1' });
      // the default zone no longer reaches agg-h1
      for (let i = 0; i < 3; i++) {
        const s = await boot('nova');
        expect(s.host).not.toBe('agg-h1');
        expect(s.zone).toBe('nova');
        await deleteServer(s.id);
      }

      // agg-h1 has a server: it cannot change zone, whichever way is tried
      expect((await setMetadata(az1, { availability_zone: 'az9' })).body).toEqual(
        bad(`Cannot update metadata of aggregate ${az1}. Reason: One or more hosts contain instances in this zone.`),
      );
      expect((await update(az1, { availability_zone: 'az9' })).body).toEqual(
        bad(`Cannot update aggregate ${az1}. Reason: One or more hosts contain instances in this zone.`),
      );
      expect((await removeHost(az1, 'agg-h1')).body).toEqual(conflict(`Cannot remove host agg-h1 in aggregate ${az1}`));
      const az2 = await newAggregate('zone-agg-2', 'az2');
      const onH2 = await boot('nova');
      expect(onH2.host).not.toBe('agg-h1');
      expect((await addHost(az2, onH2.host)).body).toEqual(
        conflict(
          `Cannot add host to aggregate ${az2}. Reason: The host cannot be added to the aggregate as the availability zone of the host would change ` +
            `from 'None' to 'az2' but the host already has 1 instance(s). Changing the AZ of an existing instance is not supported by this action. ` +
            'Move the instances away from this host then try again. If you need to move the instances between AZs then you can use ' +
            'shelve_offload and unshelve to achieve this..',
        ),
      );
      await deleteServer(onH2.id);
      // renaming keeps the zone, and the server keeps the zone it was built in
      expect((await update(az1, { name: 'zone-agg-renamed' })).status).toBe(200);
      expect(
        (await as(t.http.get(`${C}/servers/${inAz1.id}`), '2.79')).body.server['OS-EXT-AZ:availability_zone'],
      ).toBe('az1');

      await deleteServer(inAz1.id);
      expect((await removeHost(az1, 'agg-h1')).status).toBe(200);
      expect(await serviceZone('agg-h1')).toBe('nova');
      expect(await zoneNames()).not.toContain('az1');
      for (const agg of [az1, az2]) expect((await del(agg)).status).toBe(200);
    });

    it('a configured host joins another zone while in the aggregate, and returns to its configured zone', async () => {
      const az3 = await newAggregate('zone-agg-3', 'az3');
      expect((await addHost(az3, 'agg-c1')).status).toBe(200);
      expect(await serviceZone('agg-c1')).toBe('az3');
      // the configured zone's aggregate no longer lists it, and the zone has no host left
      expect((await show(1)).body.aggregate.hosts).toEqual([]);
      expect(await zoneNames()).not.toContain('zone-c');
      const s = await boot('az3');
      expect(s).toMatchObject({ host: 'agg-c1', zone: 'az3' });
      await deleteServer(s.id);
      expect((await removeHost(az3, 'agg-c1')).status).toBe(200);
      expect(await serviceZone('agg-c1')).toBe('zone-c');
      expect((await show(1)).body.aggregate.hosts).toEqual(['agg-c1']);
      expect((await boot('zone-c')).host).toBe('agg-c1');
      expect((await del(az3)).status).toBe(200);
    });
  });

  describe('a deleted compute service', () => {
    it("leaves its aggregates, as Nova's service delete does", async () => {
      const id = await newAggregate('gone-agg', 'az-gone');
      expect((await addHost(id, 'agg-gone')).status).toBe(200);
      const svc = (await as(t.http.get(`${C}/os-services?host=agg-gone&binary=nova-compute`), '2.53')).body.services[0];
      expect(svc.zone).toBe('az-gone');
      expect((await as(t.http.delete(`${C}/os-services/${svc.id}`), '2.53')).status).toBe(204);
      expect((await show(id)).body.aggregate.hosts).toEqual([]);
      expect((await del(id)).status).toBe(200);
    });
  });

  describe('2.81 image pre-caching', () => {
    it('loads the images on the hosts of an aggregate an admin made, and nowhere else', async () => {
      const fake = async (name: string) =>
        (await t.services.hosts.driverFor((await t.services.hostsRepo.findByName(name))!.id)) as FakeDriver;
      const loads = async (name: string) => (await fake(name)).calls.filter((c) => c.startsWith('loadImage')).length;
      const id = await newAggregate('cache-agg');
      expect((await addHost(id, 'agg-h2')).status).toBe(200);
      const before = { h1: await loads('agg-h1'), h2: await loads('agg-h2') };
      const image = await seedImage(t.services, { name: 'agg-cache-image' });
      const res = await as(t.http.post(`${A}/${id}/images`), '2.81').send({ cache: [{ id: image.id }] });
      expect(res.status).toBe(202);
      await t.services.worker.drain();
      expect(await loads('agg-h2')).toBe(before.h2 + 1);
      expect(await loads('agg-h1')).toBe(before.h1);
      expect((await removeHost(id, 'agg-h2')).status).toBe(200);
      expect((await del(id)).status).toBe(200);
    });
  });

  describe("unshelve into an aggregate's zone (2.77)", () => {
    it("takes the zone as available and places the server on the aggregate's host", async () => {
      const booted = await boot('nova');
      expect((await as(t.http.post(`${C}/servers/${booted.id}/action`)).send({ shelve: null })).status).toBe(202);
      await t.services.worker.drain();
      const id = await newAggregate('unshelve-agg', 'az-unshelve');
      expect((await addHost(id, 'agg-h2')).status).toBe(200);
      const res = await as(t.http.post(`${C}/servers/${booted.id}/action`), '2.77').send({
        unshelve: { availability_zone: 'az-unshelve' },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      await t.services.worker.drain();
      const s = (await as(t.http.get(`${C}/servers/${booted.id}`), '2.79')).body.server;
      expect(s).toMatchObject({
        status: 'ACTIVE',
        'OS-EXT-SRV-ATTR:host': 'agg-h2',
        'OS-EXT-AZ:availability_zone': 'az-unshelve',
      });
      await deleteServer(booted.id);
      expect((await removeHost(id, 'agg-h2')).status).toBe(200);
      expect((await del(id)).status).toBe(200);
    });
  });
});
