// /os-hosts (below 2.43; 404 from it): the host list from the enabled services with the zone
// filter, a compute host's resources with per-project sums, Nova's 404s, the 501s of a driver
// without host enable/maintenance/power actions, admin only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';

let t: TestApp;
let host: string;
let adminProject: string;
const H = '/compute/v2.1/os-hosts';
const get = (p: string, v = '2.1', token = t.adminToken) =>
  t.http.get(`${H}${p}`).set('X-Auth-Token', token).set('OpenStack-API-Version', `compute ${v}`);

beforeAll(async () => {
  t = await makeTestApp({ heartbeatIntervalSeconds: 3600 });
  adminProject = await unlimitedQuota(t.services);
  host = (await t.services.hostsRepo.list())[0].name;
  const image = await seedImage(t.services);
  for (const name of ['h-1', 'h-2']) {
    const res = await t.http
      .post('/compute/v2.1/servers')
      .set('X-Auth-Token', t.adminToken)
      .set('OpenStack-API-Version', 'compute 2.37')
      .send({ server: { name, imageRef: image.id, flavorRef: '1', networks: 'none' } });
    expect(res.status).toBe(202);
  }
  await t.services.worker.drain();
});
afterAll(async () => {
  await t.close();
});

describe('os-hosts', () => {
  it("lists every enabled service's host with its topic and zone; ?zone= filters", async () => {
    const res = await get('');
    expect(res.status).toBe(200);
    const services = (await t.http.get('/compute/v2.1/os-services').set('X-Auth-Token', t.adminToken)).body
      .services as { host: string; binary: string; zone: string }[];
    expect(res.body.hosts).toEqual(
      services.map((s) => ({ host_name: s.host, service: s.binary.replace('nova-', ''), zone: s.zone })),
    );
    expect(res.body.hosts).toContainEqual({ host_name: host, service: 'compute', zone: 'nova' });
    expect((await get('?zone=nova')).body.hosts.map((h: { service: string }) => h.service)).toEqual(['compute']);
    expect((await get('?zone=elsewhere')).body.hosts).toEqual([]);
  });
  it('a compute host: (total), (used_now), (used_max) and one entry per project', async () => {
    const res = await get(`/${host}`);
    expect(res.status).toBe(200);
    const byProject = Object.fromEntries(
      res.body.host.map((e: { resource: { project: string } }) => [e.resource.project, e.resource]),
    );
    expect(Object.keys(byProject)).toEqual(['(total)', '(used_now)', '(used_max)', adminProject]);
    expect(byProject['(used_max)']).toEqual({ host, project: '(used_max)', cpu: 2, memory_mb: 1024, disk_gb: 2 });
    expect(byProject['(used_now)']).toMatchObject({ cpu: 2, memory_mb: 1024, disk_gb: 2 });
    expect(byProject[adminProject]).toEqual({ host, project: adminProject, cpu: 2, memory_mb: 1024, disk_gb: 2 });
    expect(byProject['(total)'].cpu).toBeGreaterThan(0);
  });
  it("unknown hosts are Nova's 404s; the driver's missing host actions are 501s", async () => {
    expect((await get('/nope')).body).toEqual({
      itemNotFound: { code: 404, message: "Host 'nope' is not mapped to any cell" },
    });
    const put = (h: string, body: object) => t.http.put(`${H}/${h}`).set('X-Auth-Token', t.adminToken).send(body);
    expect((await put('nope', { status: 'enable' })).body.itemNotFound.message).toBe(
      'Compute host nope could not be found.',
    );
    const status = await put(host, { status: 'disable' });
    expect(status.status).toBe(501);
    expect(status.body).toEqual({
      notImplemented: { code: 501, message: 'Virt driver does not implement host disabled status.' },
    });
    expect(JSON.stringify((await put(host, { maintenance_mode: 'enable' })).body)).toContain(
      'Virt driver does not implement host maintenance mode.',
    );
    expect((await put(host, { status: 'sideways' })).status).toBe(400);
    expect((await put(host, {})).status).toBe(400);
    for (const action of ['startup', 'shutdown', 'reboot']) {
      const res = await get(`/${host}/${action}`);
      expect(res.status).toBe(501);
      expect(JSON.stringify(res.body)).toContain('Virt driver does not implement host power management.');
    }
  });
  it('admin only, and gone from 2.43', async () => {
    const member = await makeProjectUser(t, 'os-hosts-member');
    expect((await get('', '2.1', member.token)).status).toBe(403);
    expect((await get('', '2.43')).status).toBe(404);
    expect((await get(`/${host}`, '2.43')).status).toBe(404);
    expect((await get('', '2.42')).status).toBe(200);
  });
});
