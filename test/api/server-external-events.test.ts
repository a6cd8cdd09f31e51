// POST /os-server-external-events against Nova's server_external_events.py (Zed): the name enum
// per microversion, per-event codes (200/400/404/422) and the overall 200/207, admin-only policy
// after validation, and what the manager does on a Docker host (instance actions for
// volume-extended and power-update; power-update's NotImplementedError fault).
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { insertServers } from '../helpers/servers.js';
import { HostRegistry } from '../../src/compute/hosts/host-registry.js';
import { sql } from '../../src/db/sql.js';

const P = '/compute/v2.1/os-server-external-events';
const NAMES_21 = ['network-changed', 'network-vif-plugged', 'network-vif-unplugged', 'network-vif-deleted'];
/** Each later name, the microversion it arrives at, and the names valid just before it. */
const LATER: [string, string, string, string[]][] = [
  ['volume-extended', '2.51', '2.50', NAMES_21],
  ['power-update', '2.76', '2.75', [...NAMES_21, 'volume-extended']],
  ['accelerator-request-bound', '2.82', '2.81', [...NAMES_21, 'volume-extended', 'power-update']],
  ['volume-reimaged', '2.93', '2.92', [...NAMES_21, 'volume-extended', 'power-update', 'accelerator-request-bound']],
];
const pyList = (xs: string[]) => `[${xs.map((x) => `'${x}'`).join(', ')}]`;

let t: TestApp;
let projectId: string;
let hostId: number;

beforeAll(async () => {
  t = await makeTestApp();
  projectId = (await t.services.identityRepo.findProjectByName('default', 'admin'))!.id;
  hostId = (await t.services.hostsRepo.findByName(HostRegistry.defaultHostName()))!.id;
});
afterAll(async () => {
  await t.close();
});

const post = (body: unknown, version = '2.93', token = t.adminToken) =>
  t.http
    .post(P)
    .set('X-Auth-Token', token)
    .set('OpenStack-API-Version', `compute ${version}`)
    .send(body as object);

/** An ACTIVE, RUNNING server on the default host (straight in the DB: the events never touch the driver). */
async function activeServer(): Promise<string> {
  const [uuid] = await insertServers(t.services, 1, { projectId, hostId, prefix: 'ev' });
  return uuid;
}

async function actions(uuid: string): Promise<{ action: string; request_id: string }[]> {
  const res = await t.http.get(`/compute/v2.1/servers/${uuid}/os-instance-actions`).set('X-Auth-Token', t.adminToken);
  expect(res.status).toBe(200);
  return res.body.instanceActions;
}

async function actionEvents(
  uuid: string,
  requestId: string,
): Promise<{ event: string; result: string; details?: string | null }[]> {
  const res = await t.http
    .get(`/compute/v2.1/servers/${uuid}/os-instance-actions/${requestId}`)
    .set('X-Auth-Token', t.adminToken)
    .set('OpenStack-API-Version', 'compute 2.84');
  expect(res.status).toBe(200);
  return res.body.instanceAction.events;
}

describe('event names by microversion', () => {
  it('2.1 takes the four network events and refuses any other name', async () => {
    for (const name of NAMES_21) {
      const res = await post({ events: [{ name, server_uuid: randomUUID() }] }, '2.1');
      expect([name, res.status]).toEqual([name, 207]);
    }
    const bad = await post({ events: [{ name: 'test-event', server_uuid: randomUUID() }] }, '2.1');
    expect(bad.status).toBe(400);
    expect(bad.body.badRequest.message).toBe(
      `Invalid input for field/attribute name. Value: test-event. 'test-event' is not one of ${pyList(NAMES_21)}`,
    );
  });

  it.each(LATER)("%s arrives at %s (400 at %s with Nova's enum message)", async (name, from, before, earlier) => {
    const event = { name, server_uuid: randomUUID(), tag: 'x' };
    const refused = await post({ events: [event] }, before);
    expect(refused.status).toBe(400);
    expect(refused.body.badRequest.message).toBe(
      `Invalid input for field/attribute name. Value: ${name}. '${name}' is not one of ${pyList(earlier)}`,
    );
    const accepted = await post({ events: [event] }, from);
    expect(accepted.status).toBe(207); // validated, then no such server
    expect(accepted.body.events[0]).toMatchObject({ name, code: 404 });
    expect((await post({ events: [event] }, 'latest')).status).toBe(207);
  });
});

describe('per-event codes and the overall status', () => {
  it('all accepted: 200, each event echoed with code 200 and status completed (whatever status was sent)', async () => {
    const a = await activeServer();
    const res = await post({
      events: [
        { name: 'network-changed', server_uuid: a, tag: 'foo', status: 'in-progress' },
        { name: 'network-vif-plugged', server_uuid: a.toUpperCase(), status: 'failed' },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      events: [
        { name: 'network-changed', server_uuid: a, tag: 'foo', status: 'completed', code: 200 },
        { name: 'network-vif-plugged', server_uuid: a.toUpperCase(), status: 'completed', code: 200 },
      ],
    });
  });

  it('found and unknown servers mixed: 207, 200 for the found one and 404 (failed) for the other', async () => {
    const a = await activeServer();
    const missing = randomUUID();
    const res = await post(
      {
        events: [
          { name: 'network-vif-unplugged', server_uuid: missing, tag: 'p1' },
          { name: 'network-vif-deleted', server_uuid: a, tag: 'p2' },
        ],
      },
      '2.1',
    );
    expect(res.status).toBe(207);
    expect(res.body.events).toEqual([
      { name: 'network-vif-unplugged', server_uuid: missing, tag: 'p1', status: 'failed', code: 404 },
      { name: 'network-vif-deleted', server_uuid: a, tag: 'p2', status: 'completed', code: 200 },
    ]);
  });

  it('no server known: still 207 with a 404 per event (Nova dropped the overall 404 for bug 1855752)', async () => {
    const res = await post({
      events: [
        { name: 'network-changed', server_uuid: randomUUID() },
        { name: 'network-changed', server_uuid: randomUUID() },
      ],
    });
    expect(res.status).toBe(207);
    expect(res.body.events.map((e: { code: number; status: string }) => [e.code, e.status])).toEqual([
      [404, 'failed'],
      [404, 'failed'],
    ]);
  });

  it('a server without a host (BUILD, scheduling; or shelved offloaded) gets 422', async () => {
    const [building] = await insertServers(t.services, 1, { projectId, hostId: null, prefix: 'bld' });
    await sql(t.services.db)('instances')
      .where({ uuid: building })
      .update({ vm_state: 'building', task_state: 'scheduling', power_state: 0, launched_at: null });
    const [offloaded] = await insertServers(t.services, 1, { projectId, hostId: null, prefix: 'off' });
    await sql(t.services.db)('instances')
      .where({ uuid: offloaded })
      .update({ vm_state: 'shelved_offloaded', power_state: 0 });
    const a = await activeServer();
    const res = await post({
      events: [
        { name: 'network-vif-plugged', server_uuid: building, tag: 'port' },
        { name: 'network-changed', server_uuid: offloaded },
        { name: 'network-changed', server_uuid: a },
      ],
    });
    expect(res.status).toBe(207);
    expect(res.body.events.map((e: { code: number; status: string }) => [e.code, e.status])).toEqual([
      [422, 'failed'],
      [422, 'failed'],
      [200, 'completed'],
    ]);
  });

  it('volume-extended, power-update and accelerator-request-bound need a tag (400 per event); volume-reimaged does not', async () => {
    const a = await activeServer();
    const res = await post({
      events: ['volume-extended', 'power-update', 'accelerator-request-bound', 'volume-reimaged'].map((name) => ({
        name,
        server_uuid: a,
      })),
    });
    expect(res.status).toBe(207);
    expect(res.body.events.map((e: { code: number }) => e.code)).toEqual([400, 400, 400, 200]);
    expect(await actions(a)).toEqual([]); // nothing was accepted that records an action
  });

  it('a deleted server is still found (Nova reads deleted rows): accepted on its last host', async () => {
    const a = await activeServer();
    await sql(t.services.db)('instances')
      .where({ uuid: a })
      .update({ deleted: true, vm_state: 'deleted', deleted_at: new Date().toISOString() });
    const res = await post({ events: [{ name: 'network-vif-unplugged', server_uuid: a }] });
    expect([res.status, res.body.events[0].code]).toEqual([200, 200]);
  });
});

describe('what the events do on a Docker host', () => {
  it('network events record nothing (there is no Neutron)', async () => {
    const a = await activeServer();
    const res = await post({ events: NAMES_21.map((name) => ({ name, server_uuid: a, tag: 'port-1' })) });
    expect(res.status).toBe(200);
    expect(await actions(a)).toEqual([]);
  });

  it('volume-extended: an extend_volume action whose compute_extend_volume event succeeds (no such attachment)', async () => {
    const a = await activeServer();
    const res = await post({ events: [{ name: 'volume-extended', server_uuid: a, tag: randomUUID() }] }, '2.51');
    expect(res.status).toBe(200);
    const requestId = res.headers['x-openstack-request-id'];
    const list = await actions(a);
    expect(list.map((x) => [x.action, x.request_id])).toEqual([['extend_volume', requestId]]);
    expect((await actionEvents(a, requestId)).map((e) => [e.event, e.result])).toEqual([
      ['compute_extend_volume', 'Success'],
    ]);
  });

  it('power-update POWER_OFF on an ACTIVE server: a stop action, NotImplementedError from the driver (Error event, fault), server unchanged and idle', async () => {
    const a = await activeServer();
    const res = await post({ events: [{ name: 'power-update', server_uuid: a, tag: 'POWER_OFF' }] }, '2.76');
    expect(res.status).toBe(200);
    const requestId = res.headers['x-openstack-request-id'];
    expect((await actions(a)).map((x) => x.action)).toEqual(['stop']);
    const [event] = await actionEvents(a, requestId);
    expect(event).toMatchObject({ event: 'compute_power_update', result: 'Error', details: 'NotImplementedError' });
    const row = (await t.services.instancesRepo.findByUuid(a))!;
    expect([row.vm_state, row.task_state, row.power_state]).toEqual(['active', null, 1]);
    const fault = await sql(t.services.db)('instance_faults').where({ instance_uuid: a }).first();
    expect([fault.code, fault.message]).toEqual([500, 'NotImplementedError']);
  });

  it('power-update in a state it does not apply to is a no-op: POWER_ON on ACTIVE records start with a Success event, no fault', async () => {
    const a = await activeServer();
    const res = await post({ events: [{ name: 'power-update', server_uuid: a, tag: 'POWER_ON' }] });
    const requestId = res.headers['x-openstack-request-id'];
    expect((await actions(a)).map((x) => x.action)).toEqual(['start']);
    expect((await actionEvents(a, requestId)).map((e) => [e.event, e.result])).toEqual([
      ['compute_power_update', 'Success'],
    ]);
    expect(await sql(t.services.db)('instance_faults').where({ instance_uuid: a }).first()).toBeUndefined();
  });

  it('power-update with a tag other than POWER_ON/POWER_OFF: code 200, but skipped (no action)', async () => {
    const a = await activeServer();
    const res = await post({ events: [{ name: 'power-update', server_uuid: a, tag: 'REBOOT' }] });
    expect([res.status, res.body.events[0].code]).toEqual([200, 200]);
    expect(await actions(a)).toEqual([]);
  });

  it("a failed power-update ends its host's batch: a later volume-extended keeps its action but gets no event", async () => {
    const [a, b] = [await activeServer(), await activeServer()];
    const res = await post({
      events: [
        { name: 'power-update', server_uuid: a, tag: 'POWER_OFF' },
        { name: 'volume-extended', server_uuid: b, tag: randomUUID() },
      ],
    });
    expect(res.status).toBe(200);
    const requestId = res.headers['x-openstack-request-id'];
    expect((await actions(b)).map((x) => x.action)).toEqual(['extend_volume']);
    expect(await actionEvents(b, requestId)).toEqual([]);
  });
});

describe('policy and bad bodies', () => {
  it('a member gets 403 for a valid body, and the 400 for a bad one first (validation precedes policy)', async () => {
    const member = await makeProjectUser(t, 'see-proj', 'member');
    const ok = await post({ events: [{ name: 'network-changed', server_uuid: randomUUID() }] }, '2.93', member.token);
    expect(ok.status).toBe(403);
    expect(ok.body).toEqual({
      forbidden: {
        code: 403,
        message: "Policy doesn't allow os_compute_api:os-server-external-events:create to be performed.",
      },
    });
    expect((await post({ events: [] }, '2.93', member.token)).status).toBe(400);
  });

  it("field errors carry Nova's wording", async () => {
    const u = randomUUID();
    const cases: [unknown, string][] = [
      [{ events: [] }, 'Invalid input for field/attribute events. Value: []. [] is too short'],
      [{ events: 'x' }, "Invalid input for field/attribute events. Value: x. 'x' is not of type 'array'"],
      [
        { events: [{ name: 'network-changed', server_uuid: 'nope' }] },
        "Invalid input for field/attribute server_uuid. Value: nope. 'nope' is not a 'uuid'",
      ],
      [
        { events: [{ name: 'network-changed', server_uuid: u, status: 'done' }] },
        "Invalid input for field/attribute status. Value: done. 'done' is not one of ['failed', 'completed', 'in-progress']",
      ],
      [
        { events: [{ name: 'network-changed', server_uuid: u, tag: 7 }] },
        "Invalid input for field/attribute tag. Value: 7. 7 is not of type 'string'",
      ],
      [
        { events: [{ name: 'network-changed', server_uuid: u, tag: 't'.repeat(256) }] },
        `Invalid input for field/attribute tag. Value: ${'t'.repeat(256)}. '${'t'.repeat(256)}' is too long`,
      ],
    ];
    for (const [body, message] of cases) {
      const res = await post(body);
      expect({ body, status: res.status, message: res.body.badRequest?.message }).toEqual({
        body,
        status: 400,
        message,
      });
    }
  });

  it('missing or unexpected keys are 400 (the jsonschema message; see the report for the field prefix)', async () => {
    const u = randomUUID();
    const cases: [unknown, string][] = [
      [{}, "'events' is a required property"],
      [
        { events: [{ name: 'network-changed', server_uuid: u }], extra: 1 },
        "Additional properties are not allowed ('extra' was unexpected)",
      ],
      [{ events: [{ name: 'network-changed' }] }, "'server_uuid' is a required property"],
      [{ events: [{ server_uuid: u }] }, "'name' is a required property"],
      [
        { events: [{ name: 'network-changed', server_uuid: u, code: 200 }] },
        "Additional properties are not allowed ('code' was unexpected)",
      ],
      [{ events: ['network-changed'] }, "'network-changed' is not of type 'object'"],
    ];
    for (const [body, message] of cases) {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(res.body.badRequest.message.endsWith(message)).toBe(true);
    }
  });

  it('a body that is not JSON is a 400 Nova fault', async () => {
    const res = await t.http
      .post(P)
      .set('X-Auth-Token', t.adminToken)
      .set('Content-Type', 'application/json')
      .send('{"events": [');
    expect(res.status).toBe(400);
    expect(res.body.badRequest.code).toBe(400);
  });
});
