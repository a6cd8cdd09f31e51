// os-instance-actions on the fake driver: list and show per microversion against Nova's golden
// recordings, paging and changes-since (2.58), events for owners (2.51) and hosts (2.62), deleted servers (2.21).
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';
import type { ImageRow } from '../../src/db/repositories/images-repo.js';
import { GOLDEN_DIR } from '../helpers/golden.js';

const GOLDEN = GOLDEN_DIR;
const golden = (f: string) => JSON.parse(fs.readFileSync(`${GOLDEN}/${f}`, 'utf8')).response.body;
const keys = (o: object) => Object.keys(o).sort();

let t: TestApp;
let image: ImageRow;
let owner: { token: string; userId: string; projectId: string };
let id: string;
const S = '/compute/v2.1/servers';
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

beforeAll(async () => {
  t = await makeTestApp();
  image = await seedImage(t.services);
  await unlimitedQuota(t.services);
  owner = await makeProjectUser(t, 'ia-owner');
  const res = await as(owner.token, '2.79').post(S, {
    server: { name: 'vm', imageRef: image.id, flavorRef: '1', networks: 'none' },
  });
  id = res.body.server.id;
  await t.services.worker.drain();
  for (const body of [
    { 'os-stop': null },
    { 'os-start': null },
    { reboot: { type: 'SOFT' } },
    { pause: null },
    { unpause: null },
  ]) {
    const r = await as(owner.token).post(`${S}/${id}/action`, body);
    expect(r.status).toBe(202);
    await t.services.worker.drain();
  }
});
afterAll(async () => {
  await t.close();
});

describe('list', () => {
  it('newest first, with exactly the golden keys at 2.1 and 2.58', async () => {
    const r21 = await as(owner.token).get(`${S}/${id}/os-instance-actions`);
    expect(r21.status).toBe(200);
    const list = r21.body.instanceActions as Record<string, unknown>[];
    expect(list.map((a) => a.action)).toEqual(
      golden('instance_actions_list_2.1.json').instanceActions.map((a: { action: string }) => a.action),
    );
    expect(keys(list[0])).toEqual(keys(golden('instance_actions_list_2.1.json').instanceActions[0]));
    expect(list[0]).toMatchObject({
      instance_uuid: id,
      user_id: owner.userId,
      project_id: owner.projectId,
      message: null,
    });
    expect(list[0].start_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    const r258 = await as(owner.token, '2.58').get(`${S}/${id}/os-instance-actions`);
    expect(keys(r258.body.instanceActions[0])).toEqual(
      keys(golden('instance_actions_list_2.58.json').instanceActions[0]),
    );
  });

  it('2.58: limit and marker page through with a next link; a bad marker or unknown key is 400', async () => {
    const first = await as(owner.token, '2.58').get(`${S}/${id}/os-instance-actions?limit=2`);
    expect(first.body.instanceActions.map((a: { action: string }) => a.action)).toEqual(['unpause', 'pause']);
    expect(first.body.links[0].rel).toBe('next');
    const marker = new URL(first.body.links[0].href).searchParams.get('marker');
    expect(marker).toBe(first.body.instanceActions[1].request_id);
    const second = await as(owner.token, '2.58').get(`${S}/${id}/os-instance-actions?limit=10&marker=${marker}`);
    expect(second.body.instanceActions.map((a: { action: string }) => a.action)).toEqual([
      'reboot',
      'start',
      'stop',
      'create',
    ]);
    expect(second.body.links).toBeUndefined();
    expect((await as(owner.token, '2.58').get(`${S}/${id}/os-instance-actions?marker=req-nope`)).status).toBe(400);
    expect((await as(owner.token, '2.58').get(`${S}/${id}/os-instance-actions?foo=1`)).status).toBe(400);
    // before 2.58 the query is ignored
    expect(
      (await as(owner.token, '2.57').get(`${S}/${id}/os-instance-actions?limit=1`)).body.instanceActions,
    ).toHaveLength(6);
  });

  it('2.58: changes-since filters on updated_at; before 2.66 changes-before is unknown (400)', async () => {
    const future = new Date(Date.now() + 3600_000).toISOString();
    const none = await as(owner.token, '2.58').get(
      `${S}/${id}/os-instance-actions?changes-since=${encodeURIComponent(future)}`,
    );
    expect(none.body.instanceActions).toEqual([]);
    const all = await as(owner.token, '2.58').get(`${S}/${id}/os-instance-actions?changes-since=2000-01-01T00:00:00Z`);
    expect(all.body.instanceActions).toHaveLength(6);
    expect((await as(owner.token, '2.58').get(`${S}/${id}/os-instance-actions?changes-since=yesterday`)).status).toBe(
      400,
    );
    expect(
      (await as(owner.token, '2.58').get(`${S}/${id}/os-instance-actions?changes-before=2000-01-01T00:00:00Z`)).status,
    ).toBe(400);
    const before = await as(owner.token, '2.66').get(
      `${S}/${id}/os-instance-actions?changes-before=2000-01-01T00:00:00Z`,
    );
    expect(before.body.instanceActions).toEqual([]);
  });
});

describe('show', () => {
  const createRequest = async () =>
    (await as(t.adminToken).get(`${S}/${id}/os-instance-actions`)).body.instanceActions.at(-1).request_id as string;

  it('admin: events with traceback; host and hostId from 2.62 (golden keys)', async () => {
    const req = await createRequest();
    const r21 = await as(t.adminToken).get(`${S}/${id}/os-instance-actions/${req}`);
    expect(r21.status).toBe(200);
    const g21 = golden('instance_action_show_create_2.1.json').instanceAction;
    expect(keys(r21.body.instanceAction)).toEqual(keys(g21));
    expect(r21.body.instanceAction.events.map((e: Record<string, unknown>) => [e.event, e.result])).toEqual([
      ['compute__do_build_and_run_instance', 'Success'],
    ]);
    expect(keys(r21.body.instanceAction.events[0])).toEqual(keys(g21.events[0]));
    const r262 = await as(t.adminToken, '2.62').get(`${S}/${id}/os-instance-actions/${req}`);
    const g262 = golden('instance_action_show_create_2.62.json').instanceAction;
    expect(keys(r262.body.instanceAction)).toEqual(keys(g262));
    expect(keys(r262.body.instanceAction.events[0])).toEqual(keys(g262.events[0]));
    expect(r262.body.instanceAction.events[0].hostId).toMatch(/^[0-9a-f]{56}$/);
  });

  it('owner: no events before 2.51; from 2.51 events without traceback; 2.62 hostId but no host', async () => {
    const req = await createRequest();
    expect(
      (await as(owner.token).get(`${S}/${id}/os-instance-actions/${req}`)).body.instanceAction.events,
    ).toBeUndefined();
    const e251 = (await as(owner.token, '2.51').get(`${S}/${id}/os-instance-actions/${req}`)).body.instanceAction
      .events[0];
    expect(keys(e251)).toEqual(['event', 'finish_time', 'result', 'start_time']);
    const e262 = (await as(owner.token, '2.62').get(`${S}/${id}/os-instance-actions/${req}`)).body.instanceAction
      .events[0];
    expect(keys(e262)).toEqual(['event', 'finish_time', 'hostId', 'result', 'start_time']);
  });

  it('an unknown request id is the golden 404; another project sees 404 for the server', async () => {
    const res = await as(t.adminToken).get(`${S}/${id}/os-instance-actions/req-213b0a21-f0e7-4795-a05d-e81db5f98b72`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual(golden('instance_action_show_404.json'));
    const other = await makeProjectUser(t, 'ia-other');
    expect((await as(other.token).get(`${S}/${id}/os-instance-actions`)).status).toBe(404);
  });

  it("a deleted server's actions stay listable from 2.21 (404 before), with the delete recorded", async () => {
    const res = await as(owner.token, '2.79').post(S, {
      server: { name: 'gone', imageRef: image.id, flavorRef: '1', networks: 'none' },
    });
    const gone = res.body.server.id;
    await t.services.worker.drain();
    expect((await as(owner.token).del(`${S}/${gone}`)).status).toBe(204);
    await t.services.worker.drain();
    expect((await as(owner.token, '2.20').get(`${S}/${gone}/os-instance-actions`)).status).toBe(404);
    const after = await as(owner.token, '2.21').get(`${S}/${gone}/os-instance-actions`);
    expect(after.status).toBe(200);
    expect(after.body.instanceActions.map((a: { action: string }) => a.action)).toEqual(['delete', 'create']);
  });
});
