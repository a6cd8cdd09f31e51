// 2.91 unshelve to a host, and availability_zone null, on the fake driver with several hosts in
// two zones ("nova": the default host and uh-a1; "zone-b": uh-b1 and uh-b2). Nova's rules
// (compute api unshelve): only an offloaded server (409), an available zone (400), admins only
// for a host (403, unshelve_to_host), the host must exist (400) and lie in the zone the server
// will have (409); the scheduler then places the server on that host only.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';
import type { ImageRow } from '../../src/db/repositories/images-repo.js';
import type { FakeDriver } from '../../src/virt/fake/fake-driver.js';

let t: TestApp;
let image: ImageRow;
let member: { token: string };
const S = '/compute/v2.1/servers';

beforeAll(async () => {
  t = await makeTestApp({
    heartbeatIntervalSeconds: 3600,
    computeHosts: [
      { name: 'uh-a1', dockerUrl: 'unix:///tmp/fake-uh-a1.sock', availabilityZone: 'nova' },
      { name: 'uh-b1', dockerUrl: 'unix:///tmp/fake-uh-b1.sock', availabilityZone: 'zone-b' },
      { name: 'uh-b2', dockerUrl: 'unix:///tmp/fake-uh-b2.sock', availabilityZone: 'zone-b' },
    ],
  });
  image = await seedImage(t.services);
  await unlimitedQuota(t.services);
  member = await makeProjectUser(t, 'unshelve-host', 'member');
});
afterAll(async () => {
  await t.close();
});
beforeEach(async () => {
  t.services.serverShelves.offloadTimeSeconds = 0;
  for (const h of await t.services.hostsRepo.list())
    await t.services.hostsRepo.update(h.id, { disabled: false, forced_down: false });
});

const as = (token: string, version = '2.91') => ({
  post: (url: string, body: unknown) =>
    t.http
      .post(url)
      .set('X-Auth-Token', token)
      .set('OpenStack-API-Version', `compute ${version}`)
      .send(body as object),
  get: (url: string) => t.http.get(url).set('X-Auth-Token', token).set('OpenStack-API-Version', `compute ${version}`),
});
const action = (id: string, body: unknown, v = '2.91', token = t.adminToken) =>
  as(token, v).post(`${S}/${id}/action`, body);
const show = async (id: string) => (await as(t.adminToken).get(`${S}/${id}`)).body.server;
const fakeOf = async (name: string) =>
  (await t.services.hosts.driverFor((await t.services.hostsRepo.findByName(name))!.id)) as FakeDriver;
const setHost = async (name: string, changes: { disabled?: boolean; forced_down?: boolean }) =>
  t.services.hostsRepo.update((await t.services.hostsRepo.findByName(name))!.id, changes);

/** A server booted (in `zone` when given), shelved and offloaded. */
async function offloaded(zone?: string, token = t.adminToken): Promise<string> {
  const res = await as(token, '2.79').post(S, {
    server: {
      name: 'uh',
      imageRef: image.id,
      flavorRef: '1',
      networks: 'none',
      ...(zone ? { availability_zone: zone } : {}),
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  await t.services.worker.drain();
  const id = res.body.server.id;
  expect((await action(id, { shelve: null }, '2.1', token)).status).toBe(202);
  await t.services.worker.drain();
  expect((await show(id)).status).toBe('SHELVED_OFFLOADED');
  return id;
}

describe('unshelve to a host (2.91)', () => {
  it('places the server on the named host of its zone, not where the scheduler would have', async () => {
    const id = await offloaded('zone-b');
    expect((await show(id))['OS-EXT-SRV-ATTR:host']).toBeNull();
    // uh-b1 would win a free choice (equal free RAM: the lower id); ask for uh-b2
    const res = await action(id, { unshelve: { host: 'uh-b2' } });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    await t.services.worker.drain();
    const s = await show(id);
    expect(s).toMatchObject({
      status: 'ACTIVE',
      'OS-EXT-SRV-ATTR:host': 'uh-b2',
      'OS-EXT-AZ:availability_zone': 'zone-b',
    });
    expect((await fakeOf('uh-b2')).containers.get(id)?.status).toBe('running');
    expect((await fakeOf('uh-b1')).containers.has(id)).toBe(false);
  });

  it('with availability_zone and host together, both must agree (409 otherwise)', async () => {
    const id = await offloaded('zone-b');
    const clash = await action(id, { unshelve: { availability_zone: 'zone-b', host: 'uh-a1' } });
    expect(clash.status).toBe(409);
    expect(clash.body.conflictingRequest.message).toBe('Host "uh-a1" is not in the availability zone "zone-b".');
    // without a zone, the server's own zone (zone-b) is the one the host must be in
    const pinned = await action(id, { unshelve: { host: 'uh-a1' } });
    expect(pinned.status).toBe(409);
    expect(pinned.body.conflictingRequest.message).toBe('Host "uh-a1" is not in the availability zone "zone-b".');
    expect((await show(id))['OS-EXT-STS:task_state']).toBeNull();
    // moving zone and host at once
    expect((await action(id, { unshelve: { availability_zone: 'nova', host: 'uh-a1' } })).status).toBe(202);
    await t.services.worker.drain();
    expect(await show(id)).toMatchObject({
      status: 'ACTIVE',
      'OS-EXT-SRV-ATTR:host': 'uh-a1',
      'OS-EXT-AZ:availability_zone': 'nova',
    });
  });

  it('availability_zone null unpins the server: with a host in any zone, or alone', async () => {
    const id = await offloaded('zone-b');
    expect((await action(id, { unshelve: { availability_zone: null, host: 'uh-a1' } })).status).toBe(202);
    await t.services.worker.drain();
    expect(await show(id)).toMatchObject({
      status: 'ACTIVE',
      'OS-EXT-SRV-ATTR:host': 'uh-a1',
      'OS-EXT-AZ:availability_zone': 'nova',
    });

    // alone: pinned to zone-b, whose hosts are all disabled, the server still finds a host elsewhere
    const other = await offloaded('zone-b');
    const stuck = await offloaded('zone-b'); // stays pinned: nowhere to go
    await setHost('uh-b1', { disabled: true });
    await setHost('uh-b2', { disabled: true });
    expect((await action(stuck, { unshelve: null })).status).toBe(202);
    await t.services.worker.drain();
    expect((await show(stuck)).status).toBe('SHELVED_OFFLOADED');
    const res = await action(other, { unshelve: { availability_zone: null } });
    expect(res.status).toBe(202);
    await t.services.worker.drain();
    const s = await show(other);
    expect(s.status).toBe('ACTIVE');
    expect(['uh-a1', (await t.services.hostsRepo.list())[0].name]).toContain(s['OS-EXT-SRV-ATTR:host']);
    expect(s['OS-EXT-AZ:availability_zone']).toBe('nova');
  });

  it('a named host the scheduler cannot use leaves the server offloaded (no other host is tried)', async () => {
    const id = await offloaded('zone-b');
    await setHost('uh-b2', { disabled: true });
    expect((await action(id, { unshelve: { host: 'uh-b2' } })).status).toBe(202);
    await t.services.worker.drain();
    const s = await show(id);
    expect(s).toMatchObject({
      status: 'SHELVED_OFFLOADED',
      'OS-EXT-STS:task_state': null,
      'OS-EXT-SRV-ATTR:host': null,
    });
    expect((await fakeOf('uh-b1')).containers.has(id)).toBe(false);
    await setHost('uh-b2', { disabled: false });
    expect((await action(id, { unshelve: { host: 'uh-b2' } })).status).toBe(202);
    await t.services.worker.drain();
    expect(await show(id)).toMatchObject({ status: 'ACTIVE', 'OS-EXT-SRV-ATTR:host': 'uh-b2' });
  });

  it('refuses a host that does not exist (400), and a host for a server that is only SHELVED (409)', async () => {
    const id = await offloaded('zone-b');
    const missing = await action(id, { unshelve: { host: 'nowhere' } });
    expect(missing.status).toBe(400);
    expect(missing.body.badRequest.message).toBe('Compute host nowhere could not be found.');

    t.services.serverShelves.offloadTimeSeconds = -1;
    const res = await as(t.adminToken, '2.79').post(S, {
      server: { name: 'kept', imageRef: image.id, flavorRef: '1', networks: 'none' },
    });
    await t.services.worker.drain();
    const kept = res.body.server.id;
    expect((await action(kept, { shelve: null })).status).toBe(202);
    await t.services.worker.drain();
    expect((await show(kept)).status).toBe('SHELVED');
    const shelved = await action(kept, { unshelve: { host: 'uh-a1' } });
    expect(shelved.status).toBe(409);
    expect(shelved.body.conflictingRequest.message).toBe(
      `Specifying an availability zone or a host when unshelving server "${kept}" with status "shelved" is not supported. The server status must be SHELVED_OFFLOADED.`,
    );
    // an empty host is no host (nova tests `if host:`): a plain unshelve
    expect((await action(kept, { unshelve: { host: '' } })).status).toBe(202);
    await t.services.worker.drain();
    expect((await show(kept)).status).toBe('ACTIVE');
  });

  it('a host is for admins (os_compute_api:os-shelve:unshelve_to_host); the owner may still unshelve', async () => {
    const id = await offloaded(undefined, member.token);
    const denied = await action(id, { unshelve: { host: 'uh-a1' } }, '2.91', member.token);
    expect(denied.status).toBe(403);
    expect(denied.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:os-shelve:unshelve_to_host to be performed.",
    );
    // the zone is checked before the policy (nova: _validate_unshelve_az first)
    const zone = await action(id, { unshelve: { availability_zone: 'atlantis', host: 'uh-a1' } }, '2.91', member.token);
    expect(zone.status).toBe(400);
    expect(zone.body.badRequest.message).toBe('The requested availability zone is not available');
    expect((await action(id, { unshelve: { availability_zone: null } }, '2.91', member.token)).status).toBe(202);
    await t.services.worker.drain();
    expect((await show(id)).status).toBe('ACTIVE');
  });

  it('host and a null zone exist only from 2.91; {"unshelve": {}} is valid there', async () => {
    const id = await offloaded('zone-b');
    const early = await action(id, { unshelve: { host: 'uh-b1' } }, '2.90');
    expect(early.status).toBe(400);
    // Nova's 2.77 schema lists 'required' before 'additionalProperties', so the zone is what it names.
    expect(early.body.badRequest.message).toBe(
      "Invalid input for field/attribute unshelve. Value: {'host': 'uh-b1'}. 'availability_zone' is a required property",
    );
    expect(
      (await action(id, { unshelve: { availability_zone: 'zone-b', host: 'uh-b1' } }, '2.90')).body.badRequest.message,
    ).toContain("Additional properties are not allowed ('host' was unexpected)");
    expect((await action(id, { unshelve: { availability_zone: null } }, '2.90')).status).toBe(400);
    expect((await action(id, { unshelve: { host: 1 } })).status).toBe(400);
    expect((await action(id, { unshelve: {} })).status).toBe(202);
    await t.services.worker.drain();
    expect(await show(id)).toMatchObject({ status: 'ACTIVE', 'OS-EXT-AZ:availability_zone': 'zone-b' });
  });
});
