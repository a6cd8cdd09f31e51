// The 2.90 hostname as Nova Zed checks it: one schema for create, update and rebuild, whose
// refusal quotes Nova's pattern, a create that refuses one hostname for several servers, and the
// hostname the config drive gives cloud-init.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../helpers/app.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';
import { sql } from '../../src/db/sql.js';

const C = '/compute/v2.1';
const NOVA_PATTERN = '^[a-zA-Z0-9]+[a-zA-Z0-9-]*[a-zA-Z0-9]+$';
let t: TestApp;
let imageId: string;
let serverId: string;
const at = (v: string) => ({ 'X-Auth-Token': t.adminToken, 'OpenStack-API-Version': `compute ${v}` });
const create = (server: Record<string, unknown>, v = '2.92') =>
  t.http
    .post(`${C}/servers`)
    .set(at(v))
    .send({ server: { imageRef: imageId, flavorRef: '1', networks: 'none', ...server } });

beforeAll(async () => {
  t = await makeTestApp();
  await unlimitedQuota(t.services);
  imageId = (await seedImage(t.services)).id;
  const res = await create({ name: 'named', hostname: 'first' });
  expect(res.status).toBe(202);
  serverId = res.body.server.id;
  await t.services.worker.drain();
});
afterAll(async () => {
  await t?.close();
});

describe('hostname (2.90)', () => {
  it("a dotted hostname is refused on create, update and rebuild with the message quoting Nova's pattern", async () => {
    const message = `Invalid input for field/attribute hostname. Value: my.host. 'my.host' does not match '${NOVA_PATTERN}'`;
    const onCreate = await create({ name: 'x', hostname: 'my.host' });
    expect(onCreate.status).toBe(400);
    expect(onCreate.body).toEqual({ badRequest: { code: 400, message } });
    const onUpdate = await t.http
      .put(`${C}/servers/${serverId}`)
      .set(at('2.92'))
      .send({ server: { hostname: 'my.host' } });
    expect(onUpdate.body).toEqual({ badRequest: { code: 400, message } });
    const onRebuild = await t.http
      .post(`${C}/servers/${serverId}/action`)
      .set(at('2.92'))
      .send({ rebuild: { imageRef: imageId, hostname: 'my.host' } });
    expect(onRebuild.body).toEqual({ badRequest: { code: 400, message } });
  });

  it('one character is too short, 64 too long; a valid label is taken', async () => {
    const short = await create({ name: 'x', hostname: 'a' });
    expect(short.body.badRequest.message).toBe(
      "Invalid input for field/attribute hostname. Value: a. 'a' is too short",
    );
    const long = 'a'.repeat(64);
    const tooLong = await create({ name: 'x', hostname: long });
    expect(tooLong.body.badRequest.message).toBe(
      `Invalid input for field/attribute hostname. Value: ${long}. '${long}' is too long`,
    );
    const ok = await t.http
      .put(`${C}/servers/${serverId}`)
      .set(at('2.92'))
      .send({ server: { hostname: 'web-01' } });
    expect(ok.status).toBe(200);
    expect(ok.body.server['OS-EXT-SRV-ATTR:hostname']).toBe('web-01');
  });

  it('one hostname for several servers is a 400 and creates nothing (AmbiguousHostnameForMultipleInstances)', async () => {
    const before = await sql(t.services.db)('instances').count({ n: '*' }).first();
    const res = await create({ name: 'many', hostname: 'shared', min_count: 1, max_count: 2 });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      badRequest: { code: 400, message: 'Unable to allocate a single hostname to multiple instances' },
    });
    const after = await sql(t.services.db)('instances').count({ n: '*' }).first();
    expect(after?.n).toBe(before?.n);
    // max_count 1 with a hostname is one server, as in Nova
    const single = await create({ name: 'one', hostname: 'shared', min_count: 1, max_count: 1 });
    expect(single.status).toBe(202);
  });

  it("the config drive's meta_data.json names the hostname qualified with Nova's default dhcp_domain, after a rebuild too", async () => {
    const metaHostname = () => {
      const drive = t.fake.containers.get(serverId)!.spec.mounts!.find((m) => m.target === '/mnt/config')!;
      return JSON.parse(fs.readFileSync(`${drive.source}/openstack/latest/meta_data.json`, 'utf8')).hostname;
    };
    // written at spawn like Nova's config drive: the hostname booted with (an update does not rewrite it)
    expect(metaHostname()).toBe('first.novalocal');
    const rebuilt = await t.http
      .post(`${C}/servers/${serverId}/action`)
      .set(at('2.92'))
      .send({ rebuild: { imageRef: imageId, hostname: 'rebuilt-1' } });
    expect(rebuilt.status).toBe(202);
    await t.services.worker.drain();
    expect(metaHostname()).toBe('rebuilt-1.novalocal');
  });

  it('several servers without a hostname still get one each from their names', async () => {
    const res = await create({ name: 'multi', min_count: 2, max_count: 2 });
    expect(res.status).toBe(202);
    await t.services.worker.drain();
    const rows = await sql(t.services.db)('instances')
      .where({ display_name: 'multi-1' })
      .orWhere({ display_name: 'multi-2' })
      .select('hostname');
    expect(rows.map((r) => r.hostname).sort()).toEqual(['multi-1', 'multi-2']);
  });
});
