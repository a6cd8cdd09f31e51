// Placing is claiming (compute/hosts/scheduler.ts claimHost): the servers of one request, built
// concurrently by the worker, spread over equal hosts as Nova's placement claims make them do, on
// three fake hosts. Before the claims, a burst of 3 landed 2 + 1 (each build weighed usage that did
// not count its siblings yet).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../helpers/app.js';
import { seedImage, unlimitedQuota, waitForStatus } from '../helpers/servers.js';
import { sql } from '../../src/db/sql.js';

let t: TestApp;
let imageId: string;
const S = '/compute/v2.1/servers';

beforeAll(async () => {
  t = await makeTestApp(
    {
      computeHosts: [
        { name: 'fake-b', dockerUrl: 'unix:///fake-b.sock', availabilityZone: 'nova' },
        { name: 'fake-c', dockerUrl: 'unix:///fake-c.sock', availabilityZone: 'nova' },
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

async function burst(prefix: string, n: number): Promise<Record<string, number>> {
  const r = await t.http
    .post(S)
    .set('X-Auth-Token', t.adminToken)
    .set('OpenStack-API-Version', 'compute 2.79')
    .send({
      server: { name: prefix, imageRef: imageId, flavorRef: '6', networks: 'none', min_count: n, max_count: n },
    });
  expect(r.status, JSON.stringify(r.body)).toBe(202);
  const rows = await sql(t.services.db)('instances').where('display_name', 'like', `${prefix}-%`).select('uuid');
  expect(rows).toHaveLength(n);
  const tally: Record<string, number> = {};
  for (const { uuid } of rows) {
    const srv = await waitForStatus(
      () => t.http.get(`${S}/${uuid}`).set('X-Auth-Token', t.adminToken).set('OpenStack-API-Version', 'compute 2.79'),
      'ACTIVE',
    );
    const host = srv.server['OS-EXT-SRV-ATTR:host'] as string;
    tally[host] = (tally[host] ?? 0) + 1;
  }
  return tally;
}

describe('a burst spreads as one request would', () => {
  it('3 servers on 3 equal hosts: one each; then 12 more: four more each', async () => {
    const hosts = (await t.services.hostsRepo.list()).map((h) => h.name);
    expect(hosts).toHaveLength(3);
    expect(await burst('c3', 3)).toEqual(Object.fromEntries(hosts.map((h) => [h, 1])));
    expect(await burst('c12', 12)).toEqual(Object.fromEntries(hosts.map((h) => [h, 4])));
  }, 60_000);
});
