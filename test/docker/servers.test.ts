// Servers on the real Docker Engine: create → ACTIVE with the flavor's limits and a config drive,
// delete leaves no container, a broken image ends in ERROR with a fault and no container,
// multi-create. Fails (does not skip) when Docker is missing.
import type request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuiltApp } from '../../src/app.js';
import { startDockerTestApp, removeServerContainers, docker, type DockerTestApp } from '../helpers/docker-app.js';
import { seedImage, waitForStatus } from '../helpers/servers.js';
import type { ImageRow } from '../../src/db/repositories/images-repo.js';

const S = '/compute/v2.1/servers';

let built: BuiltApp;
let http: ReturnType<typeof request>;
let token: string;
let image: ImageRow;
const created: string[] = [];

let app: DockerTestApp;
beforeAll(async () => {
  app = await startDockerTestApp('servers-docker');
  ({ built, http, token } = app);
  image = await seedImage(built.services, { name: 'busybox', data: app.tarball });
}, 60_000);

afterAll(async () => {
  removeServerContainers(created);
  await app?.close();
});

const api = (v = '2.79') => ({
  post: (body: unknown) =>
    http
      .post(S)
      .set('X-Auth-Token', token)
      .set('OpenStack-API-Version', `compute ${v}`)
      .send(body as object),
  get: (id: string) => http.get(`${S}/${id}`).set('X-Auth-Token', token).set('OpenStack-API-Version', `compute ${v}`),
  del: (id: string) => http.delete(`${S}/${id}`).set('X-Auth-Token', token),
});

function containerExists(id: string): boolean {
  return docker('ps', '-a', '--filter', `name=^nova-${id}$`, '--format', '{{.Names}}') !== '';
}

async function waitGone(id: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while ((await api().get(id)).status !== 404) {
    if (Date.now() > deadline) throw new Error(`server ${id} still there`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('servers on Docker', () => {
  it('create → ACTIVE: nova-<uuid> running with the flavor limits, labels, hostname, network and config drive; delete removes it', async () => {
    const res = await api().post({
      server: {
        name: 'Docker Test_1',
        imageRef: image.id,
        flavorRef: '6',
        networks: 'auto',
        metadata: { role: 'web' },
      },
    });
    expect(res.status).toBe(202);
    const id = res.body.server.id as string;
    created.push(id);
    const { server } = await waitForStatus(() => api().get(id), 'ACTIVE');
    const inspect = JSON.parse(docker('inspect', `nova-${id}`))[0];
    expect(inspect.State.Status).toBe('running');
    expect(inspect.HostConfig.Memory).toBe(64 * 1024 * 1024);
    expect(inspect.HostConfig.NanoCpus).toBe(1e9);
    expect(inspect.HostConfig.Privileged).toBe(false);
    expect(inspect.Config.Hostname).toBe('docker-test-1');
    expect(inspect.Config.Labels['io.novadock.instance-uuid']).toBe(id);
    // the network service's private network, as a Docker network of its own with the port's address
    const priv = (await http.get('/networking/v2.0/networks?name=private').set('X-Auth-Token', token)).body.networks[0]
      .id as string;
    const dockerNet = `novadock-${priv}`;
    expect(Object.keys(inspect.NetworkSettings.Networks)).toEqual([dockerNet]);
    const ip = inspect.NetworkSettings.Networks[dockerNet].IPAddress as string;
    const [port] = (await http.get(`/networking/v2.0/ports?device_id=${id}`).set('X-Auth-Token', token)).body.ports;
    expect(port.fixed_ips[0].ip_address).toBe(ip);
    expect(port.mac_address).toBe(inspect.NetworkSettings.Networks[dockerNet].MacAddress);
    expect(
      (server.addresses as Record<string, { addr: string; 'OS-EXT-IPS-MAC:mac_addr': string }[]>).private[0],
    ).toMatchObject({
      addr: ip,
      'OS-EXT-IPS-MAC:mac_addr': inspect.NetworkSettings.Networks[dockerNet].MacAddress,
    });
    const meta = JSON.parse(docker('exec', `nova-${id}`, 'cat', '/mnt/config/openstack/latest/meta_data.json'));
    expect(meta).toMatchObject({ uuid: id, meta: { role: 'web' } });
    expect(() => docker('exec', `nova-${id}`, 'touch', '/mnt/config/x')).toThrow();

    expect((await api().del(id)).status).toBe(204);
    await waitGone(id);
    expect(containerExists(id)).toBe(false);
  }, 60_000);

  it('a broken image: ERROR with a fault, and no container left', async () => {
    const broken = await seedImage(built.services, { name: 'broken', data: Buffer.alloc(4096, 7) });
    const res = await api().post({ server: { name: 'broken', imageRef: broken.id, flavorRef: '6', networks: 'none' } });
    const id = res.body.server.id as string;
    created.push(id);
    const { server } = await waitForStatus(() => api().get(id), 'ERROR');
    expect((server.fault as { code: number; message: string }).message).toMatch(/image|tar/i);
    expect(server['OS-EXT-STS:task_state']).toBeNull();
    expect(containerExists(id)).toBe(false);
    expect((await api().del(id)).status).toBe(204);
    await waitGone(id);
  }, 60_000);

  it('multi-create: two containers, both ACTIVE, both removed on delete', async () => {
    const res = await api().post({
      server: {
        name: 'multi',
        imageRef: image.id,
        flavorRef: '6',
        networks: 'none',
        min_count: 2,
        max_count: 2,
        return_reservation_id: true,
      },
    });
    expect(res.status).toBe(202);
    const list = await http.get(`${S}?reservation_id=${res.body.reservation_id}`).set('X-Auth-Token', token);
    const ids = list.body.servers.map((s: { id: string }) => s.id) as string[];
    created.push(...ids);
    expect(ids).toHaveLength(2);
    for (const id of ids) await waitForStatus(() => api().get(id), 'ACTIVE');
    for (const id of ids) expect(containerExists(id)).toBe(true);
    for (const id of ids) expect((await api().del(id)).status).toBe(204);
    for (const id of ids) await waitGone(id);
    for (const id of ids) expect(containerExists(id)).toBe(false);
  }, 60_000);
});
