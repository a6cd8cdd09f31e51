// The read-mostly server sub-resources Nova has and novadock answers from what it knows
// (os-interface: test/api/nova-network-interfaces.test.ts): os-volume_attachments (no block
// storage: empty, attach → VolumeNotFound), os-security-groups, os-server-password, topology
// (2.78), migrations (2.23, admin) and /os-migrations (admin), /extensions, and the legacy v2 doc.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProjectUser, makeTestApp, type TestApp } from '../helpers/app.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';
import { GOLDEN_DIR } from '../helpers/golden.js';

const golden = (f: string) => JSON.parse(fs.readFileSync(`${GOLDEN_DIR}/${f}`, 'utf8')).response;

let t: TestApp;
let netId: string; // a server on the private network
let bareId: string; // a server with networks "none"
let member: { projectId: string; token: string };
const S = '/compute/v2.1/servers';
const MISSING = '7959a60f-d80a-4fd1-b601-bbf5b938fc8f';
const req = (method: 'get' | 'put' | 'post' | 'delete', url: string, v = '2.1', token?: string) =>
  t.http[method](url)
    .set('X-Auth-Token', token ?? t.adminToken)
    .set('OpenStack-API-Version', `compute ${v}`);
const notFound = (
  res: { status: number; body: Record<string, { code: number; message: string }> },
  message: string,
) => {
  expect(res.status).toBe(404);
  expect(res.body).toEqual({ itemNotFound: { code: 404, message } });
};

beforeAll(async () => {
  t = await makeTestApp({ heartbeatIntervalSeconds: 3600 });
  await unlimitedQuota(t.services);
  const image = await seedImage(t.services);
  netId = (await req('post', S).send({ server: { name: 'with-net', imageRef: image.id, flavorRef: '1' } })).body.server
    .id;
  bareId = (
    await req('post', S, '2.37').send({
      server: { name: 'bare', imageRef: image.id, flavorRef: '1', networks: 'none' },
    })
  ).body.server.id;
  await t.services.worker.drain();
  member = await makeProjectUser(t, 'subres-member', 'member');
  // a server of the member's own
  await req('post', S, '2.37', member.token).send({
    server: { name: 'm', imageRef: image.id, flavorRef: '1', networks: 'none' },
  });
  await t.services.worker.drain();
});
afterAll(async () => {
  await t.close();
});

describe('os-volume_attachments', () => {
  it('empty list; paging params checked; unknown keys 400 from 2.75', async () => {
    expect((await req('get', `${S}/${netId}/os-volume_attachments`)).body).toEqual({ volumeAttachments: [] });
    expect((await req('get', `${S}/${netId}/os-volume_attachments?limit=5&offset=0&junk=1`, '2.74')).body).toEqual({
      volumeAttachments: [],
    });
    const junk = await req('get', `${S}/${netId}/os-volume_attachments?junk=1`, '2.75');
    expect(junk.status).toBe(400);
    expect(junk.body.badRequest.message).toBe("Additional properties are not allowed ('junk' was unexpected)");
    const badLimit = await req('get', `${S}/${netId}/os-volume_attachments?limit=-1`);
    expect(badLimit.body.badRequest.message).toBe(
      "Invalid input for query parameters limit. Value: -1. '-1' does not match '^[0-9]*$'",
    );
    notFound(await req('get', `${S}/${MISSING}/os-volume_attachments`), `Instance ${MISSING} could not be found.`);
  });

  it("show of an unknown attachment is 404 with Nova's wording", async () => {
    notFound(
      await req('get', `${S}/${netId}/os-volume_attachments/${MISSING}`),
      `Instance ${netId} is not attached to volume ${MISSING}`,
    );
  });

  it('attach → 404 VolumeNotFound after the body check; detach → 404 VolumeNotFound', async () => {
    const url = `${S}/${netId}/os-volume_attachments`;
    notFound(
      await req('post', url).send({ volumeAttachment: { volumeId: MISSING } }),
      `Volume ${MISSING} could not be found.`,
    );
    notFound(
      await req('post', url, '2.79').send({
        volumeAttachment: { volumeId: MISSING, tag: 'a', delete_on_termination: true },
      }),
      `Volume ${MISSING} could not be found.`,
    );
    expect(
      (await req('post', url, '2.78').send({ volumeAttachment: { volumeId: MISSING, delete_on_termination: true } }))
        .status,
    ).toBe(400);
    const noId = await req('post', url).send({ volumeAttachment: {} });
    expect(noId.status).toBe(400);
    expect(noId.body.badRequest.message).toContain("'volumeId' is a required property");
    expect((await req('post', url).send({ volumeAttachment: { volumeId: 'not-a-uuid' } })).status).toBe(400);
    notFound(await req('delete', `${url}/${MISSING}`), `Volume ${MISSING} could not be found.`);
    // PUT is a swap below 2.85: admin only, then the attached volume is looked up
    notFound(
      await req('put', `${url}/${MISSING}`).send({ volumeAttachment: { volumeId: MISSING } }),
      `Volume ${MISSING} could not be found.`,
    );
    expect((await req('put', `${url}/${MISSING}`).send({ volumeAttachment: {} })).status).toBe(400);
    const mine = (await req('get', `${S}/detail`, '2.1', member.token)).body.servers[0].id;
    const denied = await req('put', `${S}/${mine}/os-volume_attachments/${MISSING}`, '2.1', member.token).send({
      volumeAttachment: { volumeId: MISSING },
    });
    expect(denied.status).toBe(403);
    expect(denied.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:os-volumes-attachments:swap to be performed.",
    );
  });

  it('attach to a locked server is 409 for its member', async () => {
    const image = await seedImage(t.services);
    const id = (
      await req('post', S, '2.37', member.token).send({
        server: { name: 'lockme', imageRef: image.id, flavorRef: '1', networks: 'none' },
      })
    ).body.server.id;
    await t.services.worker.drain();
    expect((await req('post', `${S}/${id}/action`).send({ lock: null })).status).toBe(202);
    const res = await req('post', `${S}/${id}/os-volume_attachments`, '2.1', member.token).send({
      volumeAttachment: { volumeId: MISSING },
    });
    expect(res.status).toBe(409);
    expect(res.body.conflictingRequest.message).toBe(`Instance ${id} is locked`);
  });
});

describe('os-security-groups and os-server-password', () => {
  it("a networked server is in its project's default group (Neutron's, ingress rules only); a bare one in none", async () => {
    const res = await req('get', `${S}/${netId}/os-security-groups`);
    expect(res.status).toBe(200);
    const [group] = res.body.security_groups;
    const adminProject = (await req('get', `${S}/${netId}`)).body.server.tenant_id;
    expect(Object.keys(group)).toEqual(['id', 'description', 'name', 'tenant_id', 'rules']);
    expect(group).toMatchObject({ name: 'default', tenant_id: adminProject, description: 'Default security group' });
    // Neutron's default group: ingress from its own members (IPv4 and IPv6); egress rules are not Nova's
    expect(group.rules).toHaveLength(2);
    for (const rule of group.rules) {
      expect(rule).toEqual({
        id: expect.any(String),
        parent_group_id: group.id,
        ip_protocol: null,
        from_port: null,
        to_port: null,
        group: { name: 'default', tenant_id: adminProject },
        ip_range: {},
      });
    }
    // server show names the same group
    expect((await req('get', `${S}/${netId}`)).body.server.security_groups).toEqual([{ name: 'default' }]);
    expect((await req('get', `${S}/${bareId}/os-security-groups`)).body).toEqual({ security_groups: [] });
    notFound(await req('get', `${S}/${MISSING}/os-security-groups`), `Instance ${MISSING} could not be found.`);
  });

  it('/os-security-groups below 2.36: the project groups, shown by id (a name is 400 as in Nova); gone from 2.36', async () => {
    const G = '/compute/v2.1/os-security-groups';
    const [group] = (await req('get', `${S}/${netId}/os-security-groups`)).body.security_groups;
    const list = await req('get', G);
    expect(list.status).toBe(200);
    expect(list.body.security_groups).toContainEqual(group);
    expect((await req('get', `${G}/${group.id}`)).body).toEqual({ security_group: group });
    const byName = await req('get', `${G}/default`);
    expect([byName.status, byName.body.badRequest?.message]).toEqual([400, 'Security group id should be uuid']);
    notFound(await req('get', `${G}/${MISSING}`), `Security group ${MISSING} does not exist`);
    expect((await req('get', G, '2.36')).status).toBe(404);
    expect((await req('get', `${G}/${group.id}`, '2.36')).status).toBe(404);
  });

  it('password is "" and DELETE is 204', async () => {
    expect((await req('get', `${S}/${netId}/os-server-password`)).body).toEqual({ password: '' });
    const del = await req('delete', `${S}/${netId}/os-server-password`);
    expect(del.status).toBe(204);
    expect(del.text).toBe('');
    notFound(await req('delete', `${S}/${MISSING}/os-server-password`), `Instance ${MISSING} could not be found.`);
  });
});

describe('topology (2.78)', () => {
  it('404 below 2.78; no NUMA topology from 2.78', async () => {
    expect((await req('get', `${S}/${netId}/topology`, '2.77')).status).toBe(404);
    const res = await req('get', `${S}/${netId}/topology`, '2.78');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ nodes: [], pagesize_kb: null });
    notFound(await req('get', `${S}/${MISSING}/topology`, '2.78'), `Instance ${MISSING} could not be found.`);
  });
});

describe('migrations', () => {
  it('/servers/{id}/migrations: 404 below 2.23, admin only, empty; show 404', async () => {
    expect((await req('get', `${S}/${netId}/migrations`, '2.22')).status).toBe(404);
    expect((await req('get', `${S}/${netId}/migrations`, '2.23')).body).toEqual({ migrations: [] });
    const mine = (await req('get', `${S}/detail`, '2.1', member.token)).body.servers[0].id;
    const denied = await req('get', `${S}/${mine}/migrations`, '2.23', member.token);
    expect(denied.status).toBe(403);
    expect(denied.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:servers:migrations:index to be performed.",
    );
    notFound(
      await req('get', `${S}/${netId}/migrations/1`, '2.23'),
      `In-progress live migration 1 is not found for server ${netId}.`,
    );
  });

  it("abort (2.24) and force_complete (2.22): the server is never live-migrating, so 409 from Nova's state check", async () => {
    expect((await req('delete', `${S}/${netId}/migrations/1`, '2.23')).status).toBe(404);
    const abort = await req('delete', `${S}/${netId}/migrations/1`, '2.24');
    expect(abort.status).toBe(409);
    expect(abort.body.conflictingRequest.message).toBe(
      `Cannot 'abort live migration' instance ${netId} while it is in task_state None`,
    );
    const url = `${S}/${netId}/migrations/1/action`;
    expect((await req('post', url, '2.21').send({ force_complete: null })).status).toBe(404);
    const force = await req('post', url, '2.22').send({ force_complete: null });
    expect(force.status).toBe(409);
    expect(force.body.conflictingRequest.message).toBe(
      `Cannot 'force_complete' instance ${netId} while it is in task_state None`,
    );
    expect((await req('post', url, '2.22').send({ nope: null })).body.badRequest.message).toBe(
      'There is no such action: nope',
    );
    expect((await req('post', url, '2.22').send({ force_complete: 1 })).status).toBe(400);
    const mine = (await req('get', `${S}/detail`, '2.1', member.token)).body.servers[0].id;
    expect((await req('delete', `${S}/${mine}/migrations/1`, '2.24', member.token)).status).toBe(403);
  });

  it('/os-migrations: admin only, empty, query checked from 2.59', async () => {
    expect((await req('get', '/compute/v2.1/os-migrations?anything=1')).body).toEqual({ migrations: [] });
    expect((await req('get', '/compute/v2.1/os-migrations?status=done&host=h&limit=1', '2.59')).body).toEqual({
      migrations: [],
    });
    const unknown = await req('get', '/compute/v2.1/os-migrations?anything=1', '2.59');
    expect(unknown.status).toBe(400);
    expect(unknown.body.badRequest.message).toBe("Additional properties are not allowed ('anything' was unexpected)");
    expect((await req('get', '/compute/v2.1/os-migrations?changes-before=2026-01-01T00:00:00Z', '2.65')).status).toBe(
      400,
    );
    expect((await req('get', '/compute/v2.1/os-migrations?changes-before=2026-01-01T00:00:00Z', '2.66')).status).toBe(
      200,
    );
    const order = await req(
      'get',
      '/compute/v2.1/os-migrations?changes-since=2026-02-01T00:00:00Z&changes-before=2026-01-01T00:00:00Z',
      '2.66',
    );
    expect(order.body.badRequest.message).toBe(
      'The value of changes-since must be less than or equal to changes-before.',
    );
    const badDate = await req('get', '/compute/v2.1/os-migrations?changes-since=yesterday', '2.59');
    expect(badDate.body.badRequest.message).toBe(
      "Invalid input for query parameters changes-since. Value: yesterday. 'yesterday' is not a 'date-time'",
    );
    const marker = await req('get', `/compute/v2.1/os-migrations?marker=${MISSING}`, '2.59');
    expect(marker.body.badRequest.message).toBe(`Marker ${MISSING} could not be found.`);
    const denied = await req('get', '/compute/v2.1/os-migrations', '2.1', member.token);
    expect(denied.status).toBe(403);
    expect(denied.body.forbidden.message).toBe(
      "Policy doesn't allow os_compute_api:os-migrations:index to be performed.",
    );
  });
});

describe('extensions and the legacy v2 version document', () => {
  it("/extensions is Nova's list (golden), for any member; show by alias; unknown 404", async () => {
    const res = await req('get', '/compute/v2.1/extensions', '2.1', member.token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(golden('extensions_list.json').body);
    const one = await req('get', '/compute/v2.1/extensions/os-volumes');
    expect(one.body).toEqual({
      extension: golden('extensions_list.json').body.extensions.find(
        (e: { alias: string }) => e.alias === 'os-volumes',
      ),
    });
    notFound(await req('get', '/compute/v2.1/extensions/os-nope'), 'The resource could not be found.');
  });

  it('/compute/v2 serves the v2.0 document the version list links to (golden)', async () => {
    const list = await t.http.get('/compute/');
    const v2 = list.body.versions.find((v: { id: string }) => v.id === 'v2.0');
    const href = new URL(v2.links[0].href).pathname;
    expect(href).toBe('/compute/v2/');
    const want = golden('version_v2_legacy_GET.json').body;
    for (const path of [href, '/compute/v2']) {
      const res = await t.http.get(path);
      expect(res.status).toBe(200);
      const got = JSON.parse(JSON.stringify(res.body).replaceAll(/http:\/\/[^"]+?\/compute\/v2\//g, 'X'));
      const exp = JSON.parse(JSON.stringify(want).replaceAll('http://127.0.0.1:28774/v2/', 'X'));
      expect(got).toEqual(exp);
    }
  });
});
