// Bad input to the network API (issue 13's done-when): malformed CIDRs, gateways outside the subnet,
// overlapping ranges, deleting a network with ports, another project's objects, unknown ids. Each is
// answered with Neutron's error body and status (never a 500), and nothing is left half-made: no
// record, no quota used, no Docker network on the engine.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';

const V2 = '/networking/v2.0';
const MISSING = '8d0a5f5e-0000-4000-8000-00000000dead';
let t: TestApp;
let alice: { projectId: string; token: string };
let bob: { projectId: string; token: string };

beforeAll(async () => {
  t = await makeTestApp();
  alice = await makeProjectUser(t, 'bad-alice', 'member');
  bob = await makeProjectUser(t, 'bad-bob', 'member');
}, 60_000);
afterAll(async () => {
  await t?.close();
});

const as = (token: string) => ({
  get: (p: string) => t.http.get(`${V2}${p}`).set('X-Auth-Token', token),
  post: (p: string, body: object) => t.http.post(`${V2}${p}`).set('X-Auth-Token', token).send(body),
  put: (p: string, body: object) => t.http.put(`${V2}${p}`).set('X-Auth-Token', token).send(body),
  del: (p: string) => t.http.delete(`${V2}${p}`).set('X-Auth-Token', token),
});

async function error(res: Promise<{ status: number; body: { NeutronError?: unknown } }>) {
  const r = await res;
  expect(r.status).toBeLessThan(500);
  return [r.status, r.body.NeutronError];
}
const err = (type: string, message: string) => ({ type, message, detail: '' });

describe('bad input to the network API', () => {
  it('subnets: malformed CIDRs, gateways, pools and overlaps', async () => {
    const a = as(alice.token);
    const net = (await a.post('/networks', { network: { name: 'bad' } }).expect(201)).body.network;
    const sub = (body: object) => a.post('/subnets', { subnet: { network_id: net.id, ip_version: 4, ...body } });
    const invalid = (m: string) => err('HTTPBadRequest', m);
    expect(await error(sub({ cidr: '198.18.100.0/33' }))).toEqual([
      400,
      invalid("Invalid input for cidr. Reason: '198.18.100.0/33' is not a valid IP subnet."),
    ]);
    expect(await error(sub({ cidr: 'not-a-cidr' }))).toEqual([
      400,
      invalid("Invalid input for cidr. Reason: 'not-a-cidr' is not a valid IP subnet."),
    ]);
    expect(await error(sub({ cidr: 'fd00::/64' }))).toEqual([
      400,
      err('InvalidInput', "Invalid input for operation: cidr 'fd00::/64' does not match the ip_version '4'."),
    ]);
    // Neutron accepts a gateway outside the subnet; a Docker bridge cannot have one (docs/network.md)
    expect(await error(sub({ cidr: '198.18.100.0/24', gateway_ip: '198.18.101.1' }))).toEqual([
      400,
      err(
        'InvalidInput',
        'Invalid input for operation: Gateway ip 198.18.101.1 is outside subnet 198.18.100.0/24: a Docker bridge network needs its gateway inside the subnet.',
      ),
    ]);
    expect(await error(sub({ cidr: '198.18.100.0/24', gateway_ip: '198.18.100.255' }))).toEqual([
      400,
      err('InvalidInput', 'Invalid input for operation: Gateway is not valid on subnet.'),
    ]);
    expect(
      await error(
        sub({
          cidr: '198.18.100.0/24',
          allocation_pools: [
            { start: '198.18.100.10', end: '198.18.100.50' },
            { start: '198.18.100.40', end: '198.18.100.60' },
          ],
        }),
      ),
    ).toEqual([
      409,
      err(
        'OverlappingAllocationPools',
        'Found overlapping allocation pools: 198.18.100.10-198.18.100.50 198.18.100.40-198.18.100.60 for subnet 198.18.100.0/24.',
      ),
    ]);
    expect(
      await error(
        sub({ cidr: '198.18.100.0/24', allocation_pools: [{ start: '198.18.100.10', end: '198.18.101.5' }] }),
      ),
    ).toEqual([
      400,
      err(
        'OutOfBoundsAllocationPool',
        'The allocation pool 198.18.100.10-198.18.101.5 spans beyond the subnet cidr 198.18.100.0/24.',
      ),
    ]);
    // a range overlapping another network's subnet (the default private 198.18.248.0/22)
    expect(await error(sub({ cidr: '198.18.249.0/24' }))).toEqual([
      400,
      err(
        'InvalidInput',
        `Invalid input for operation: Requested subnet with cidr: 198.18.249.0/24 for network: ${net.id} overlaps with another subnet.`,
      ),
    ]);
    // none of it was made
    expect((await a.get(`/subnets?network_id=${net.id}`).expect(200)).body.subnets).toEqual([]);
    expect((await a.get(`/quotas/${alice.projectId}/details`).expect(200)).body.quota.subnet.used).toBe(0);
    expect(t.fake.nets.networks.size).toBe(0);
  });

  it('networks in use, other projects, unknown ids', async () => {
    const a = as(alice.token);
    const b = as(bob.token);
    const net = (await a.post('/networks', { network: { name: 'busy' } }).expect(201)).body.network;
    await a.post('/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '198.18.102.0/24' } }).expect(201);
    const port = (
      await a.post('/ports', { port: { network_id: net.id, device_id: 'x', device_owner: 'compute:nova' } }).expect(201)
    ).body.port;
    expect(await error(a.del(`/networks/${net.id}`))).toEqual([
      409,
      err(
        'NetworkInUse',
        `Unable to complete operation on network ${net.id}. There are one or more ports still in use on the network, id for these ports is: ${port.id}.`,
      ),
    ]);
    // another project's objects are not there for bob
    expect(await error(b.get(`/networks/${net.id}`))).toEqual([
      404,
      err('NetworkNotFound', `Network ${net.id} could not be found.`),
    ]);
    expect(await error(b.del(`/networks/${net.id}`))).toEqual([
      404,
      err('NetworkNotFound', `Network ${net.id} could not be found.`),
    ]);
    expect(await error(b.get(`/ports/${port.id}`))).toEqual([
      404,
      err('PortNotFound', `Port ${port.id} could not be found.`),
    ]);
    expect(
      (await b.post('/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '198.18.103.0/24' } })).status,
    ).toBe(404);
    // unknown ids, every resource
    const cases: [string, string, string][] = [
      ['/networks', 'NetworkNotFound', `Network ${MISSING} could not be found.`],
      ['/subnets', 'SubnetNotFound', `Subnet ${MISSING} could not be found.`],
      ['/ports', 'PortNotFound', `Port ${MISSING} could not be found.`],
      ['/routers', 'RouterNotFound', `Router ${MISSING} could not be found`],
      ['/floatingips', 'FloatingIPNotFound', `Floating IP ${MISSING} could not be found`],
      ['/security-groups', 'SecurityGroupNotFound', `Security group ${MISSING} does not exist`],
      ['/security-group-rules', 'SecurityGroupRuleNotFound', `Security group rule ${MISSING} does not exist`],
    ];
    for (const [path, type, message] of cases) {
      expect(await error(a.get(`${path}/${MISSING}`))).toEqual([404, err(type, message)]);
      expect(await error(a.del(`${path}/${MISSING}`))).toEqual([404, err(type, message)]);
    }
    expect(await error(a.post('/ports', { port: { network_id: MISSING } }))).toEqual([
      404,
      err('NetworkNotFound', `Network ${MISSING} could not be found.`),
    ]);
    expect(await error(a.post('/ports', { port: { network_id: net.id, security_groups: [MISSING] } }))).toEqual([
      404,
      err('SecurityGroupNotFound', `Security group ${MISSING} does not exist`),
    ]);
    expect(await error(a.put(`/ports/${MISSING}`, { port: { name: 'x' } }))).toEqual([
      404,
      err('PortNotFound', `Port ${MISSING} could not be found.`),
    ]);
    // non-uuid ids are just unknown
    expect((await error(a.get('/networks/not-a-uuid')))[0]).toBe(404);
    await a.del(`/ports/${port.id}`).expect(204);
    await a.del(`/networks/${net.id}`).expect(204);
    expect(t.fake.nets.networks.size).toBe(0);
  });
});
