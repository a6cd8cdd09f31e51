// The `group` scheduler hint: servers become members at create, the scheduler honours the group's
// policy across several compute hosts, and 2.71 shows the group on the server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../helpers/app.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';

let t: TestApp;
let imageId: string;
const H = (v = '2.79') => ({ 'OpenStack-API-Version': `compute ${v}` });

beforeAll(async () => {
  t = await makeTestApp(
    {
      heartbeatIntervalSeconds: 3600,
      computeHosts: [
        { name: 'extra-1', dockerUrl: 'unix:///tmp/fake-extra-1.sock', availabilityZone: 'nova' },
        { name: 'extra-2', dockerUrl: 'unix:///tmp/fake-extra-2.sock', availabilityZone: 'nova' },
      ],
    },
    { background: true },
  );
  await unlimitedQuota(t.services);
  imageId = (await seedImage(t.services)).id;
});
afterAll(async () => {
  await t.close();
});

async function group(policy: string, rules?: Record<string, number>): Promise<string> {
  const res = await t.http
    .post('/compute/v2.1/os-server-groups')
    .set('X-Auth-Token', t.adminToken)
    .set(H('2.64'))
    .send({ server_group: { name: `g-${policy}`, policy, ...(rules ? { rules } : {}) } });
  expect(res.status).toBe(200);
  return res.body.server_group.id;
}

async function boot(name: string, groupId: string): Promise<{ id: string; server: Record<string, unknown> }> {
  const res = await t.http
    .post('/compute/v2.1/servers')
    .set('X-Auth-Token', t.adminToken)
    .set(H())
    .send({
      server: { name, imageRef: imageId, flavorRef: '6', networks: 'none' },
      'os:scheduler_hints': { group: groupId },
    });
  expect(res.status).toBe(202);
  const id = res.body.server.id as string;
  // Bounded wait until the build has settled (ACTIVE or ERROR).
  for (let i = 0; i < 200; i++) {
    await t.services.worker.drain();
    const r = await t.http.get(`/compute/v2.1/servers/${id}`).set('X-Auth-Token', t.adminToken).set(H());
    if (r.body.server.status !== 'BUILD') return { id, server: r.body.server };
    await new Promise((ok) => setTimeout(ok, 25));
  }
  throw new Error(`server ${id} stayed in BUILD`);
}

describe('server group placement', () => {
  it('anti-affinity puts each member on another host, and fails when no host is left', async () => {
    const g = await group('anti-affinity');
    const hosts = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const s = await boot(`anti-${i}`, g);
      expect(s.server.status).toBe('ACTIVE');
      expect(s.server.server_groups).toEqual([g]);
      hosts.add(String(s.server['OS-EXT-SRV-ATTR:host']));
    }
    expect(hosts.size).toBe(3);
    const fourth = await boot('anti-3', g);
    expect(fourth.server.status).toBe('ERROR');
    expect((fourth.server.fault as { message: string }).message).toMatch(/No valid host was found/);
    const members = await t.http.get(`/compute/v2.1/os-server-groups/${g}`).set('X-Auth-Token', t.adminToken);
    expect(members.body.server_group.members).toHaveLength(4);
  });

  it("affinity keeps every member on the first member's host", async () => {
    const g = await group('affinity');
    const hosts = new Set<string>();
    for (let i = 0; i < 3; i++) hosts.add(String((await boot(`aff-${i}`, g)).server['OS-EXT-SRV-ATTR:host']));
    expect(hosts.size).toBe(1);
  });

  it('an unknown group is a 400', async () => {
    const res = await t.http
      .post('/compute/v2.1/servers')
      .set('X-Auth-Token', t.adminToken)
      .set(H())
      .send({
        server: { name: 'x', imageRef: imageId, flavorRef: '6', networks: 'none' },
        'os:scheduler_hints': { group: '00000000-0000-4000-8000-000000000000' },
      });
    expect(res.status).toBe(400);
    expect(res.body.badRequest.message).toMatch(/Invalid server group/);
  });
});
