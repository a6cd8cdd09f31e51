// Server-create options that Nova passes on to the hypervisor, Cinder or Neutron: personality
// (injected files, below 2.57), block_device_mapping(_v2) and security_groups. Each is either
// honoured (files reach the container, the boot-image mapping boots, the default group is
// accepted) or answered with Nova's own status and words.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../helpers/app.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';
import type { ImageRow } from '../../src/db/repositories/images-repo.js';
import { defaultGroupId } from '../../src/compute/servers/security-groups.js';
import { sql } from '../../src/db/sql.js';

let t: TestApp;
let image: ImageRow;
let projectId: string;
const S = '/compute/v2.1/servers';
const b64 = (s: string) => Buffer.from(s).toString('base64');

beforeAll(async () => {
  t = await makeTestApp({ heartbeatIntervalSeconds: 3600 });
  image = await seedImage(t.services);
  projectId = await unlimitedQuota(t.services);
});
afterAll(async () => {
  await t.close();
});

function create(server: Record<string, unknown>, version = '2.56') {
  return t.http
    .post(S)
    .set('X-Auth-Token', t.adminToken)
    .set('OpenStack-API-Version', `compute ${version}`)
    .send({
      server: {
        name: 'opt',
        flavorRef: '1',
        ...(Number(version.split('.')[1]) >= 37 ? { networks: 'none' } : {}),
        ...server,
      },
    });
}
const withImage = (server: Record<string, unknown>, version?: string) =>
  create({ imageRef: image.id, ...server }, version);

async function expectFault(
  res: { status: number; body: Record<string, { message: string; code: number }> },
  status: number,
  message: string | RegExp,
) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  const fault = status === 400 ? res.body.badRequest : res.body.forbidden;
  expect(fault?.code).toBe(status);
  if (typeof message === 'string') expect(fault.message).toBe(message);
  else expect(fault.message).toMatch(message);
}

async function bootsActive(res: { status: number; body: { server: { id: string } } }): Promise<string> {
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  await t.services.worker.drain();
  const show = await t.http.get(`${S}/${res.body.server.id}`).set('X-Auth-Token', t.adminToken);
  expect(show.body.server.status).toBe('ACTIVE');
  return res.body.server.id;
}

describe('personality (file injection)', () => {
  it('below 2.57 the files are written into the container before it starts', async () => {
    const id = await bootsActive(
      await withImage({
        personality: [
          { path: '/etc/motd', contents: b64('hello from personality\n') },
          { path: '/opt/app/conf.ini', contents: b64('a=1') },
        ],
      }),
    );
    expect(t.fake.injectedFiles(id)).toEqual({ '/etc/motd': 'hello from personality\n', '/opt/app/conf.ini': 'a=1' });
  });

  it('a server booted without personality gets no files', async () => {
    const id = await bootsActive(await withImage({}));
    expect(t.fake.injectedFiles(id)).toEqual({});
  });

  it('from 2.57 the schema refuses personality', async () => {
    const res = await withImage({ personality: [{ path: '/etc/motd', contents: b64('x') }] }, '2.57');
    await expectFault(res, 400, /personality/);
  });

  it('contents that are not base64 are a schema 400 (Nova checks the base64 format in the schema)', async () => {
    const res = await withImage({ personality: [{ path: '/x', contents: 'not base64!' }] });
    await expectFault(res, 400, /^Invalid input for field\/attribute contents\./);
  });

  it('an item without path or contents is 400', async () => {
    await expectFault(
      await withImage({ personality: [{ contents: b64('x') }] }),
      400,
      "Bad personality format: missing 'path'",
    );
    await expectFault(
      await withImage({ personality: [{ path: '/x' }] }),
      400,
      "Bad personality format: missing 'contents'",
    );
  });

  it('more files than injected_files (5) is 403 "Personality file limit exceeded"', async () => {
    const files = Array.from({ length: 6 }, (_, i) => ({ path: `/f${i}`, contents: b64('x') }));
    await expectFault(await withImage({ personality: files }), 403, 'Personality file limit exceeded');
  });

  it('a path over injected_file_path_bytes (255) is 403, and is reported before an oversized content', async () => {
    const longPath = `/${'p'.repeat(255)}`;
    await expectFault(
      await withImage({ personality: [{ path: longPath, contents: b64('x') }] }),
      403,
      'Personality file path exceeds maximum 255',
    );
    const big = 'A'.repeat(10244);
    await expectFault(
      await withImage({ personality: [{ path: longPath, contents: big }] }),
      403,
      'Personality file path exceeds maximum 255',
    );
  });

  it('contents over injected_file_content_bytes (10240, counted in base64 characters) is 403', async () => {
    await expectFault(
      await withImage({ personality: [{ path: '/big', contents: 'A'.repeat(10244) }] }),
      403,
      'Personality file content exceeds maximum 10240',
    );
    await bootsActive(await withImage({ personality: [{ path: '/fits', contents: 'A'.repeat(10240) }] }));
  });

  it("the project's own limits apply (os-quota-sets)", async () => {
    const put = await t.http
      .put(`/compute/v2.1/os-quota-sets/${projectId}`)
      .set('X-Auth-Token', t.adminToken)
      .send({ quota_set: { injected_files: 1, injected_file_path_bytes: 10 } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    try {
      await expectFault(
        await withImage({
          personality: [
            { path: '/a', contents: 'AA==' },
            { path: '/b', contents: 'AA==' },
          ],
        }),
        403,
        'Personality file limit exceeded',
      );
      await expectFault(
        await withImage({ personality: [{ path: '/abcdefghijk', contents: 'AA==' }] }),
        403,
        'Personality file path exceeds maximum 10',
      );
    } finally {
      await t.http
        .put(`/compute/v2.1/os-quota-sets/${projectId}`)
        .set('X-Auth-Token', t.adminToken)
        .send({ quota_set: { injected_files: 5, injected_file_path_bytes: 255 } })
        .expect(200);
    }
  });

  it("a user's own limit applies too; the message names the project's limit, as Nova's does", async () => {
    const admin = await sql(t.services.db)('users').where({ name: 'admin' }).first();
    const url = `/compute/v2.1/os-quota-sets/${projectId}?user_id=${admin.id}`;
    const put = await t.http
      .put(url)
      .set('X-Auth-Token', t.adminToken)
      .send({ quota_set: { injected_files: 1, injected_file_content_bytes: 8 } });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    try {
      await expectFault(
        await withImage({
          personality: [
            { path: '/a', contents: 'AA==' },
            { path: '/b', contents: 'AA==' },
          ],
        }),
        403,
        'Personality file limit exceeded',
      );
      await expectFault(
        await withImage({ personality: [{ path: '/a', contents: 'AAAAAAAAAAAA' }] }),
        403,
        'Personality file content exceeds maximum 10240',
      );
      await bootsActive(await withImage({ personality: [{ path: '/a', contents: 'AAAAAAAA' }] }));
    } finally {
      await t.http.delete(url).set('X-Auth-Token', t.adminToken).expect(202);
    }
  });

  it('rebuild below 2.57 injects its own personality into the new container (and only that)', async () => {
    const id = await bootsActive(
      await withImage({ personality: [{ path: '/etc/motd', contents: b64('from create') }] }),
    );
    const rebuild = (body: Record<string, unknown>, version = '2.56') =>
      t.http
        .post(`${S}/${id}/action`)
        .set('X-Auth-Token', t.adminToken)
        .set('OpenStack-API-Version', `compute ${version}`)
        .send({ rebuild: { imageRef: image.id, ...body } });
    await expectFault(
      await rebuild({ personality: Array.from({ length: 6 }, (_, i) => ({ path: `/f${i}`, contents: 'AA==' })) }),
      403,
      'Personality file limit exceeded',
    );
    await expectFault(
      await rebuild({ personality: [{ path: '/x', contents: 'not base64!' }] }),
      400,
      /^Invalid input for field\/attribute contents\./,
    );
    await expectFault(await rebuild({ personality: [{ path: '/x', contents: 'AA==' }] }, '2.57'), 400, /personality/);
    const res = await rebuild({ personality: [{ path: '/etc/issue', contents: b64('from rebuild') }] });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    await t.services.worker.drain();
    expect(t.fake.injectedFiles(id)).toEqual({ '/etc/issue': 'from rebuild' });
    expect((await rebuild({})).status).toBe(202);
    await t.services.worker.drain();
    expect(t.fake.injectedFiles(id)).toEqual({});
  });

  it('the image is checked before the files (Nova checks file quota after the image)', async () => {
    const files = Array.from({ length: 6 }, (_, i) => ({ path: `/f${i}`, contents: 'AA==' }));
    await expectFault(
      await create({ imageRef: randomUUID(), personality: files }),
      400,
      'Can not find requested image',
    );
  });
});

describe('block_device_mapping_v2', () => {
  const rootFromImage = (uuid: string) => ({ source_type: 'image', destination_type: 'local', boot_index: 0, uuid });

  it('the boot-image mapping (image → local, boot_index 0, uuid = imageRef) boots that image', async () => {
    const id = await bootsActive(
      await withImage({ block_device_mapping_v2: [{ ...rootFromImage(image.id), delete_on_termination: true }] }),
    );
    const show = await t.http.get(`${S}/${id}`).set('X-Auth-Token', t.adminToken);
    expect(show.body.server.image.id).toBe(image.id);
    // boot_index may be a string, as the CLI sends it
    await bootsActive(await withImage({ block_device_mapping_v2: [{ ...rootFromImage(image.id), boot_index: '0' }] }));
  });

  it('image → local without imageRef is Nova\'s "Mapping image to local is not supported."', async () => {
    const msg = 'Block Device Mapping is Invalid: Mapping image to local is not supported.';
    await expectFault(await create({ block_device_mapping_v2: [rootFromImage(image.id)] }), 400, msg);
    await expectFault(await create({ imageRef: '', block_device_mapping_v2: [rootFromImage(image.id)] }), 400, msg);
    await expectFault(
      await withImage({ block_device_mapping_v2: [{ ...rootFromImage(image.id), boot_index: 1 }] }),
      400,
      msg,
    );
  });

  it('a mapped image other than imageRef must exist', async () => {
    const other = randomUUID();
    await expectFault(
      await withImage({ block_device_mapping_v2: [rootFromImage(other)] }),
      400,
      `Block Device Mapping is Invalid: failed to get image ${other}.`,
    );
  });

  it('an unknown volume: "Volume X could not be found." with imageRef, "failed to get volume X." as the boot device', async () => {
    const vol = randomUUID();
    await expectFault(
      await withImage({
        block_device_mapping_v2: [
          rootFromImage(image.id),
          { source_type: 'volume', destination_type: 'volume', boot_index: 1, uuid: vol },
        ],
      }),
      400,
      `Volume ${vol} could not be found.`,
    );
    await expectFault(
      await create({
        block_device_mapping_v2: [{ source_type: 'volume', destination_type: 'volume', boot_index: 0, uuid: vol }],
      }),
      400,
      `Block Device Mapping is Invalid: failed to get volume ${vol}.`,
    );
  });

  it('an unknown snapshot: "Snapshot X could not be found." as the boot device, else "failed to get snapshot X."', async () => {
    const snap = randomUUID();
    await expectFault(
      await create({
        block_device_mapping_v2: [
          { source_type: 'snapshot', destination_type: 'volume', boot_index: 0, uuid: snap, volume_size: 1 },
        ],
      }),
      400,
      `Snapshot ${snap} could not be found.`,
    );
    await expectFault(
      await withImage({
        block_device_mapping_v2: [
          rootFromImage(image.id),
          { source_type: 'snapshot', destination_type: 'volume', boot_index: -1, uuid: snap },
        ],
      }),
      400,
      `Block Device Mapping is Invalid: failed to get snapshot ${snap}.`,
    );
  });

  it("boot from a new volume: Nova's size rules first, then novadock has no block storage", async () => {
    await expectFault(
      await create({
        block_device_mapping_v2: [{ source_type: 'image', destination_type: 'volume', boot_index: 0, uuid: image.id }],
      }),
      400,
      "Images with destination_type 'volume' need to have a non-zero size specified",
    );
    await expectFault(
      await withImage({
        block_device_mapping_v2: [
          rootFromImage(image.id),
          { source_type: 'blank', destination_type: 'volume', boot_index: 1 },
        ],
      }),
      400,
      "Blank volumes (source: 'blank', dest: 'volume') need to have non-zero size",
    );
    await expectFault(
      await create({
        block_device_mapping_v2: [
          { source_type: 'image', destination_type: 'volume', boot_index: 0, uuid: image.id, volume_size: 1 },
        ],
      }),
      400,
      /^Block Device Mapping is Invalid: novadock has no block storage/,
    );
    await expectFault(
      await withImage({
        block_device_mapping_v2: [
          rootFromImage(image.id),
          { source_type: 'blank', destination_type: 'local', guest_format: 'swap', boot_index: -1, volume_size: 1 },
        ],
      }),
      400,
      /^Block Device Mapping is Invalid: novadock has no block storage/,
    );
  });

  it('from_api format rules: device UUIDs, volume types, missing source_type', async () => {
    await expectFault(
      await withImage({ block_device_mapping_v2: [{ source_type: 'blank', destination_type: 'local', uuid: 'abc' }] }),
      400,
      'Block Device Mapping is Invalid: Invalid device UUID.',
    );
    await expectFault(
      await withImage({
        block_device_mapping_v2: [{ source_type: 'volume', destination_type: 'volume', boot_index: 0 }],
      }),
      400,
      'Block Device Mapping is Invalid: Missing device UUID.',
    );
    await expectFault(
      await withImage({ block_device_mapping_v2: [{ ...rootFromImage(image.id), volume_type: 'fast' }] }, '2.67'),
      400,
      'Block Device Mapping is Invalid: Specifying a volume_type with destination_type=local is not supported.',
    );
    await expectFault(
      await withImage(
        {
          block_device_mapping_v2: [
            { source_type: 'volume', destination_type: 'volume', uuid: randomUUID(), volume_type: 'fast' },
          ],
        },
        '2.67',
      ),
      400,
      'Block Device Mapping is Invalid: Specifying volume type to existing volume is not supported.',
    );
    await expectFault(
      await withImage({ block_device_mapping_v2: [{ destination_type: 'local', uuid: image.id }] }),
      400,
      'Block Device Mapping is Invalid: Following fields are invalid: None_id',
    );
  });

  it('a boot sequence without a boot device is invalid', async () => {
    await expectFault(
      await withImage({
        block_device_mapping_v2: [{ source_type: 'blank', destination_type: 'local', boot_index: -1 }],
      }),
      400,
      'Block Device Mapping is Invalid: Boot sequence for the instance and image/block device mapping combination is not valid.',
    );
  });

  it('no_device entries are ignored; with nothing else the image boots', async () => {
    await bootsActive(await withImage({ block_device_mapping_v2: [{ device_name: 'vdb', no_device: true }] }));
  });

  it("the schema checks each item as Nova's does (unknown fields, enums, tag only at 2.32 and from 2.42, volume_type from 2.67)", async () => {
    await expectFault(
      await withImage({ block_device_mapping_v2: [{ ...rootFromImage(image.id), bogus: 1 }] }),
      400,
      /bogus/,
    );
    await expectFault(
      await withImage({ block_device_mapping_v2: [{ ...rootFromImage(image.id), source_type: 'nfs' }] }),
      400,
      /source_type/,
    );
    await bootsActive(
      await withImage({ block_device_mapping_v2: [{ ...rootFromImage(image.id), tag: 'root' }] }, '2.32'),
    );
    await expectFault(
      await withImage({ block_device_mapping_v2: [{ ...rootFromImage(image.id), tag: 'root' }] }, '2.33'),
      400,
      /tag/,
    );
    await bootsActive(
      await withImage({ block_device_mapping_v2: [{ ...rootFromImage(image.id), tag: 'root' }] }, '2.42'),
    );
    await expectFault(
      await withImage({ block_device_mapping_v2: [{ ...rootFromImage(image.id), volume_type: null }] }, '2.66'),
      400,
      /volume_type/,
    );
  });

  it('without imageRef and without mappings: "Missing imageRef attribute"', async () => {
    await expectFault(await create({}), 400, 'Missing imageRef attribute');
    await expectFault(await create({ block_device_mapping_v2: [] }), 400, 'Missing imageRef attribute');
  });
});

describe('any mix of mapping fields', () => {
  it('300 random mappings (seeded) are answered 202 or a 400 with a message, never 5xx', async () => {
    let seed = 20261127;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const pick = <T>(xs: T[]): T => xs[rnd(xs.length)];
    const field = () => ({
      source_type: pick(['image', 'volume', 'snapshot', 'blank', undefined]),
      destination_type: pick(['local', 'volume', undefined]),
      uuid: pick([image.id, randomUUID(), undefined]),
      boot_index: pick([0, 1, -1, '0', '-1', null, undefined]),
      volume_size: pick([1, '2', undefined]),
      no_device: pick([true, undefined, undefined]),
      guest_format: pick(['swap', undefined]),
    });
    for (let i = 0; i < 300; i++) {
      const items = Array.from({ length: 1 + rnd(3) }, () =>
        Object.fromEntries(Object.entries(field()).filter(([, v]) => v !== undefined)),
      );
      const res = await create({ ...(rnd(2) ? { imageRef: image.id } : {}), block_device_mapping_v2: items });
      expect(
        res.status === 202 || (res.status === 400 && typeof res.body.badRequest?.message === 'string'),
        JSON.stringify({ items, body: res.body }),
      ).toBe(true);
    }
    await t.services.worker.drain();
  }, 60_000);
});

describe('block_device_mapping (legacy)', () => {
  it('both syntaxes in one request are refused', async () => {
    await expectFault(
      await withImage({
        block_device_mapping: [{ device_name: 'vdb', volume_id: randomUUID() }],
        block_device_mapping_v2: [{ source_type: 'image', destination_type: 'local', boot_index: 0, uuid: image.id }],
      }),
      400,
      'Using different block_device_mapping syntaxes is not allowed in the same request.',
    );
  });

  it('volumes are not found; the root one (vda) without imageRef is "failed to get volume"', async () => {
    const vol = randomUUID();
    await expectFault(
      await create({ block_device_mapping: [{ device_name: '/dev/vda', volume_id: vol }] }),
      400,
      `Block Device Mapping is Invalid: failed to get volume ${vol}.`,
    );
    await expectFault(
      await withImage({ block_device_mapping: [{ device_name: 'vdb', volume_id: vol }] }),
      400,
      `Volume ${vol} could not be found.`,
    );
    const snap = randomUUID();
    await expectFault(
      await withImage({ block_device_mapping: [{ device_name: 'vdb', snapshot_id: snap }] }),
      400,
      `Block Device Mapping is Invalid: failed to get snapshot ${snap}.`,
    );
  });

  it('an extra local disk has no block storage; no_device alone boots the image', async () => {
    await expectFault(
      await withImage({ block_device_mapping: [{ device_name: 'vdb', virtual_name: 'ephemeral0' }] }),
      400,
      /^Block Device Mapping is Invalid: novadock has no block storage/,
    );
    await bootsActive(await withImage({ block_device_mapping: [{ device_name: 'vdb', no_device: true }] }));
  });
});

describe('security_groups', () => {
  it("the project's default group is accepted by name and by id; an item without a name is skipped; the response echoes the request", async () => {
    const byName = await withImage({ security_groups: [{ name: 'default' }] });
    expect(byName.body.server.security_groups).toEqual([{ name: 'default' }]);
    await bootsActive(byName);
    const both = [{ name: defaultGroupId(projectId) }, { name: 'default' }];
    const byId = await withImage({ security_groups: both });
    expect(byId.body.server.security_groups).toEqual(both);
    await bootsActive(byId);
    await bootsActive(await withImage({ security_groups: [{}] }));
    expect((await withImage({})).body.server.security_groups).toEqual([{ name: 'default' }]);
    await t.services.worker.drain();
  });

  it("any other group is Neutron's not-found, as Nova passes it on (400)", async () => {
    await expectFault(
      await withImage({ security_groups: [{ name: 'default' }, { name: 'web' }] }),
      400,
      "Unable to find security_group with name or id 'web'",
    );
    const other = randomUUID();
    await expectFault(
      await withImage({ security_groups: [{ name: other }] }),
      400,
      `Unable to find security_group with name or id '${other}'`,
    );
  });
});
