// Forcing a host through the availability zone ("zone:host", "zone:host:node", "zone::node",
// ":host"), the admin-only legacy of `nova boot --availability-zone nova:myhost`: the server lands
// on that host, takes the zone only when the host is in it, and Nova's 400/403 otherwise.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';

const C = '/compute/v2.1';
let t: TestApp;
let imageId: string;
let host: { name: string; zone: string };
let member: { token: string };
const create = (availability_zone: string, extra: Record<string, unknown> = {}, token = t.adminToken, v = '2.79') =>
  t.http
    .post(`${C}/servers`)
    .set('X-Auth-Token', token)
    .set('OpenStack-API-Version', `compute ${v}`)
    .send({
      server: { name: 'forced', imageRef: imageId, flavorRef: '1', networks: 'none', availability_zone, ...extra },
    });
const show = async (id: string) =>
  (
    await t.http
      .get(`${C}/servers/${id}`)
      .set('X-Auth-Token', t.adminToken)
      .set('OpenStack-API-Version', 'compute 2.79')
  ).body.server;

beforeAll(async () => {
  t = await makeTestApp();
  await unlimitedQuota(t.services);
  imageId = (await seedImage(t.services)).id;
  const [row] = await t.services.hostsRepo.list();
  host = { name: row.name, zone: row.availability_zone };
  member = await makeProjectUser(t, 'forced-member', 'member');
});
afterAll(async () => {
  await t?.close();
});

describe('availability_zone zone:host[:node]', () => {
  it('"zone:host" and "zone::node" put the server on that host in that zone', async () => {
    for (const az of [
      `${host.zone}:${host.name}`,
      `${host.zone}::${host.name}`,
      `${host.zone}:${host.name}:${host.name}`,
    ]) {
      const res = await create(az);
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      await t.services.worker.drain();
      const s = await show(res.body.server.id);
      expect(s.status, az).toBe('ACTIVE');
      expect(s['OS-EXT-SRV-ATTR:host']).toBe(host.name);
      expect(s['OS-EXT-AZ:availability_zone']).toBe(host.zone);
    }
  });

  it('":host" or a zone the host is not in: the server gets the host\'s own zone, never the one asked for', async () => {
    for (const az of [`:${host.name}`, `elsewhere:${host.name}`]) {
      const res = await create(az);
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      await t.services.worker.drain();
      const s = await show(res.body.server.id);
      expect(s.status).toBe('ACTIVE');
      expect(s['OS-EXT-AZ:availability_zone'], az).toBe(host.zone);
    }
  });

  it("Nova's refusals: members (403), too many colons, an unknown host, and both ways of asking at once (2.74)", async () => {
    const asMember = await create(`${host.zone}:${host.name}`, {}, member.token);
    expect(asMember.status).toBe(403);
    expect(asMember.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:servers:create:forced_host to be performed.",
    );
    const colons = await create('a:b:c:d');
    expect(colons.body).toEqual({
      badRequest: { code: 400, message: 'Invalid input received: Unable to parse availability_zone' },
    });
    const unknown = await create(`${host.zone}:nohost`);
    expect(unknown.body).toEqual({ badRequest: { code: 400, message: 'Compute host nohost could not be found.' } });
    const both = await create(`${host.zone}:${host.name}`, { host: host.name }, t.adminToken, '2.74');
    expect(both.body).toEqual({
      badRequest: {
        code: 400,
        message:
          'One mechanism with host and/or hypervisor_hostname and another mechanism with zone:host:node are mutually exclusive.',
      },
    });
  });

  it('a plain zone is still checked, and a member may still ask for one', async () => {
    const nowhere = await create('nowhere');
    expect(nowhere.body).toEqual({
      badRequest: { code: 400, message: 'The requested availability zone is not available' },
    });
    const ok = await create(host.zone, {}, member.token);
    expect(ok.status).toBe(202);
  });
});
