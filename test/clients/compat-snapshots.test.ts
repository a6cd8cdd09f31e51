// Issue 17, items 4 and 5 (snapshots), against the listening app on the fake driver:
//  - createImage below 2.45 answers `Location: <image endpoint from the catalog, version stripped>
//    /images/<id>` (nova image/glance.py generate_image_url + get_api_servers), not <base>/image/v2/…
//  - a snapshot whose image is deleted while it is being made (Tempest's test_delete_saving_image and
//    two more: the compute proxy shows the queued image as SAVING) does not leave the server in
//    image_uploading: as Nova's _snapshot_instance does on ImageNotFound, the task state is reset
//    and the server carries on (a new snapshot is accepted)
//  - createImage/createBackup metadata: the caller's keys override what Nova sets first
//    (image_type, instance_uuid, user_id, base_image_ref and the inherited properties)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeDriver } from '../../src/virt/fake/fake-driver.js';
import { adminEnv, jsonOut, runCli, startListeningApp, type ListeningApp } from '../helpers/cli.js';
import { seedImage, unlimitedQuota, waitForStatus } from '../helpers/servers.js';

let s: ListeningApp;
let env: Record<string, string>;
let token: string;
let catalogImageUrl: string;
let baseImageId: string;
let fake: FakeDriver;

const expectOk = (r: { code: number; stdout: string; stderr: string }) =>
  expect(r.code, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`).toBe(0);
const api = (method: string, path: string, body?: unknown, version = '2.1') =>
  fetch(`${s.url}${path}`, {
    method,
    headers: {
      'X-Auth-Token': token,
      'Content-Type': 'application/json',
      'OpenStack-API-Version': `compute ${version}`,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const server = async (id: string) =>
  ((await (await api('GET', `/compute/v2.1/servers/${id}`)).json()) as { server: Record<string, unknown> }).server;

async function boot(name: string): Promise<string> {
  const r = await api('POST', '/compute/v2.1/servers', { server: { name, imageRef: baseImageId, flavorRef: '1' } });
  expect(r.status).toBe(202);
  const id = ((await r.json()) as { server: { id: string } }).server.id;
  await waitForStatus(
    async () => ({ status: 200, body: { server: (await server(id)) as { status: string } } }),
    'ACTIVE',
  );
  return id;
}

/** Polls until the server has no task (bounded); returns its state. */
async function settled(id: string, ms: number): Promise<Record<string, unknown>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const srv = await server(id);
    if (srv['OS-EXT-STS:task_state'] === null) return srv;
    if (Date.now() > deadline)
      throw new Error(`server still in task_state ${String(srv['OS-EXT-STS:task_state'])} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  s = await startListeningApp();
  env = adminEnv(s);
  await unlimitedQuota(s.services);
  baseImageId = (
    await seedImage(s.services, { name: 'snap-base', properties: { os_distro: 'busybox', hw_qemu_guest_agent: 'no' } })
  ).id;
  const auth = await fetch(`${s.url}/identity/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'admin', password: s.adminPassword, domain: { name: 'Default' } } },
        },
        scope: { project: { name: 'admin', domain: { name: 'Default' } } },
      },
    }),
  });
  token = auth.headers.get('x-subject-token')!;
  const catalog = (
    (await auth.json()) as { token: { catalog: { type: string; endpoints: { interface: string; url: string }[] }[] } }
  ).token.catalog;
  catalogImageUrl = catalog.find((c) => c.type === 'image')!.endpoints.find((e) => e.interface === 'public')!.url;
  const host = (await s.services.hostsRepo.list())[0];
  fake = (await s.services.hosts.driverFor(host.id)) as FakeDriver;
}, 60_000);

afterAll(async () => {
  await s?.close();
});

describe('createImage Location below 2.45', () => {
  it("is the catalog's image endpoint without its version, then /images/<id> (2.1 and 2.44); 2.45 has no Location", async () => {
    const id = await boot('loc');
    // nova get_api_servers: re.sub(r'/v\d+(\.\d+)?/?$', '/', endpoint); then "%s/images/%s"
    const stripped = catalogImageUrl.replace(/\/v\d+(\.\d+)?\/?$/, '/');
    for (const version of ['2.1', '2.44']) {
      const r = await api(
        'POST',
        `/compute/v2.1/servers/${id}/action`,
        { createImage: { name: `loc-${version}` } },
        version,
      );
      expect(r.status).toBe(202);
      const location = r.headers.get('location')!;
      const imageId = location.split('/').pop()!;
      expect((await s.services.imagesRepo.find(imageId))?.name).toBe(`loc-${version}`);
      expect(location).toBe(`${stripped}/images/${imageId}`);
      await settled(id, 10_000);
    }
    const r = await api('POST', `/compute/v2.1/servers/${id}/action`, { createImage: { name: 'loc-2.45' } }, '2.45');
    expect(r.status).toBe(202);
    expect(r.headers.get('location')).toBeNull();
    await settled(id, 10_000);
  }, 60_000);
});

describe('a snapshot whose image is deleted while it is being made', () => {
  // docker commit is held until the (queued, SAVING to Nova) image has been deleted, however long the
  // client takes (openstack image delete needs several seconds on a busy machine)

  for (const how of ['openstack image delete', 'DELETE /compute/v2.1/images/{id} (Tempest)'] as const) {
    it(`${how}: the server's task state is reset, it stays ACTIVE, and the next snapshot is accepted`, async () => {
      const id = await boot(`del-${how.startsWith('openstack') ? 'glance' : 'proxy'}`);
      const commit = fake.hold('snapshot');
      try {
        const r = await api('POST', `/compute/v2.1/servers/${id}/action`, { createImage: { name: 'doomed' } });
        expect(r.status).toBe(202);
        const imageId = r.headers.get('location')!.split('/').pop()!;
        const proxied = (
          (await (await api('GET', `/compute/v2.1/images/${imageId}`)).json()) as { image: { status: string } }
        ).image;
        expect(proxied.status).toBe('SAVING');
        if (how === 'openstack image delete') expectOk(await runCli('openstack', ['image', 'delete', imageId], env));
        else expect((await api('DELETE', `/compute/v2.1/images/${imageId}`)).status).toBe(204);
        expect((await api('GET', `/compute/v2.1/images/${imageId}`)).status).toBe(404);
        // the delete did land while the snapshot was still being made
        expect((await server(id))['OS-EXT-STS:task_state']).toBe('image_snapshot');
        commit();
        // Nova: except ImageNotFound: instance.task_state = None; instance.save()
        const after = await settled(id, 10_000);
        expect(after).toMatchObject({ status: 'ACTIVE', 'OS-EXT-STS:vm_state': 'active' });
      } finally {
        fake.clearInjections();
      }
      const again = await api('POST', `/compute/v2.1/servers/${id}/action`, { createImage: { name: 'after' } });
      expect(again.status).toBe(202);
      await settled(id, 10_000);
    }, 60_000);
  }
});

describe("createImage / createBackup metadata: the caller's keys win", () => {
  it('openstack server image create --property overrides image_type, instance_uuid, user_id, base_image_ref and inherited ones', async () => {
    const id = await boot('meta-order');
    const mine = {
      image_type: 'test',
      instance_uuid: 'from-the-caller',
      user_id: 'me',
      base_image_ref: 'mine',
      os_distro: 'other',
    };
    const args = Object.entries(mine).flatMap(([k, v]) => ['--property', `${k}=${v}`]);
    const r = await runCli(
      'openstack',
      ['server', 'image', 'create', '--name', 'meta-order-img', '--wait', ...args, '-f', 'json', id],
      env,
      { timeoutMs: 120_000 },
    );
    expectOk(r);
    const img = jsonOut<{ id: string }>(r);
    const props = (await (await api('GET', `/compute/v2.1/images/${img.id}/metadata`)).json()) as {
      metadata: Record<string, string>;
    };
    expect(props.metadata).toMatchObject({ ...mine, hw_qemu_guest_agent: 'no' });
    await settled(id, 10_000);
  }, 120_000);

  it('createBackup: image_type from the caller, backup_type from the request', async () => {
    const id = await boot('meta-backup');
    const r = await api(
      'POST',
      `/compute/v2.1/servers/${id}/action`,
      {
        createBackup: {
          name: 'bk',
          backup_type: 'daily',
          rotation: 2,
          metadata: { image_type: 'test', backup_type: 'weekly' },
        },
      },
      '2.45',
    );
    expect(r.status).toBe(202);
    const imageId = ((await r.json()) as { image_id: string }).image_id;
    const props = (await (await api('GET', `/compute/v2.1/images/${imageId}/metadata`)).json()) as {
      metadata: Record<string, string>;
    };
    // nova compute/api.py backup: dict(extra_properties, backup_type=backup_type), then the caller's keys over image_type
    expect(props.metadata).toMatchObject({ image_type: 'test', backup_type: 'daily' });
    await settled(id, 10_000);
  }, 60_000);
});
