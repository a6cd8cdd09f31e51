// GET /servers/{id}/diagnostics on the fake driver: admin only, free-form below 2.48, Nova's 13 keys from 2.48.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';
import { DriverError } from '../../src/errors.js';
import { sql } from '../../src/db/sql.js';

let t: TestApp;
let imageId: string;
const S = '/compute/v2.1/servers';
const STANDARD_KEYS = [
  'config_drive',
  'cpu_details',
  'disk_details',
  'driver',
  'hypervisor',
  'hypervisor_os',
  'memory_details',
  'nic_details',
  'num_cpus',
  'num_disks',
  'num_nics',
  'state',
  'uptime',
];

beforeAll(async () => {
  t = await makeTestApp();
  imageId = (await seedImage(t.services)).id;
  await unlimitedQuota(t.services);
});
afterAll(async () => {
  await t.close();
});

const req = (token: string, v: string) => ({
  get: (url: string) => t.http.get(url).set('X-Auth-Token', token).set('OpenStack-API-Version', `compute ${v}`),
  post: (url: string, body: object) =>
    t.http.post(url).set('X-Auth-Token', token).set('OpenStack-API-Version', `compute ${v}`).send(body),
});
async function boot(flavorRef = '1'): Promise<string> {
  const res = await req(t.adminToken, '2.79').post(S, {
    server: { name: 'diag', imageRef: imageId, flavorRef, networks: 'none' },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  await t.services.worker.drain();
  return res.body.server.id;
}

describe('diagnostics', () => {
  it("2.48: exactly Nova's 13 keys from the driver's stats; state follows the server", async () => {
    const id = await boot('3'); // m1.medium: 2 vCPUs
    const res = await req(t.adminToken, '2.48').get(`${S}/${id}/diagnostics`);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(STANDARD_KEYS);
    // driver: a value Nova's schema (and Tempest's) allows; the hypervisor says what it is
    expect(res.body).toMatchObject({
      state: 'running',
      driver: 'libvirt',
      hypervisor: 'docker',
      num_cpus: 2,
      num_disks: 0,
      memory_details: { maximum: 4096, used: 4 },
    });
    // the flavor's vCPUs, the container's CPU time (1 ms on the fake) shared between them
    expect(res.body.cpu_details).toEqual([
      { id: 0, time: 500_000, utilisation: null },
      { id: 1, time: 500_000, utilisation: null },
    ]);
    await req(t.adminToken, '2.1').post(`${S}/${id}/action`, { suspend: null });
    await t.services.worker.drain();
    expect((await req(t.adminToken, '2.48').get(`${S}/${id}/diagnostics`)).body.state).toBe('suspended');
  });

  it('below 2.48: the free-form libvirt-style keys', async () => {
    const id = await boot();
    const res = await req(t.adminToken, '2.47').get(`${S}/${id}/diagnostics`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ cpu0_time: 1_000_000, memory: 512 * 1024, 'memory-rss': 4096 });
    expect(res.body).not.toHaveProperty('cpu1_time');
  });

  it('non-admin 403; a server without a host is 409 not ready', async () => {
    const id = await boot();
    const member = await makeProjectUser(t, 'diag-member');
    expect((await req(member.token, '2.48').get(`${S}/${id}/diagnostics`)).status).toBe(404);
    await sql(t.services.db)('instances').where({ uuid: id }).update({ project_id: member.projectId });
    const denied = await req(member.token, '2.48').get(`${S}/${id}/diagnostics`);
    expect(denied.status).toBe(403);
    t.fake.failNext('spawn', new DriverError('no'));
    const broken = await boot();
    const r = await req(t.adminToken, '2.48').get(`${S}/${broken}/diagnostics`);
    expect(r.status).toBe(409);
    expect(r.body.conflictingRequest.message).toBe(`Instance ${broken} is not ready`);
  });
});
