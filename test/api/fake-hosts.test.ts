// NOVADOCK_FAKE_HOSTS: the fake driver's fleet. Each fake host is a nova-compute service and a
// hypervisor reporting the configured capacity; servers spread over them; the scheduler's
// allocation ratios (NOVADOCK_CPU_/RAM_ALLOCATION_RATIO) bound how many fit; the lean fake keeps
// answering show, console output and actions.
import { afterEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { buildApp, type BuiltApp } from '../../src/app.js';
import { testConfig, type Config } from '../../src/config.js';
import { passwordToken, ADMIN_PASSWORD } from '../helpers/app.js';
import { seedImage, unlimitedQuota } from '../helpers/servers.js';

let built: BuiltApp | null = null;
afterEach(async () => {
  await built?.app.close();
  built = null;
});

/** buildApp as the server does (its own fake driver factory, lean), with these settings. */
async function start(over: Partial<Config>) {
  built = await buildApp({ config: testConfig({ adminPassword: ADMIN_PASSWORD, ...over }), logger: false });
  await built.app.ready();
  const http = request(built.app.server);
  const token = await passwordToken(http, 'admin', ADMIN_PASSWORD, 'admin');
  const call = (method: 'get' | 'post', url: string, v = '2.87') =>
    http[method](`/compute/v2.1${url}`).set('X-Auth-Token', token).set('OpenStack-API-Version', `compute ${v}`);
  await unlimitedQuota(built.services);
  const image = await seedImage(built.services, { name: 'img' });
  return { http, token, call, image, services: built.services };
}

describe('fake hosts', () => {
  it('each is a nova-compute service and a hypervisor with the configured capacity', async () => {
    const s = await start({ fakeHosts: { count: 4, vcpus: 8, ramMb: 16384, diskGb: 200 } });
    const services = (await s.call('get', '/os-services?binary=nova-compute')).body.services as {
      host: string;
      state: string;
    }[];
    expect(services.map((x) => x.host).slice(1)).toEqual(['fake-0001', 'fake-0002', 'fake-0003']);
    expect(services.every((x) => x.state === 'up')).toBe(true);
    const hv = (await s.call('get', '/os-hypervisors/detail')).body.hypervisors as Record<string, unknown>[];
    expect(hv).toHaveLength(4);
    for (const h of hv) expect([h.vcpus, h.memory_mb, h.local_gb]).toEqual([8, 16384, 200]);
  });

  it('servers spread over them, go ACTIVE on the lean fake, and answer show, console and actions', async () => {
    const s = await start({ fakeHosts: { count: 3, vcpus: 4, ramMb: 4096, diskGb: 100 } });
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await s
        .call('post', '/servers')
        .send({ server: { name: `f${i}`, imageRef: s.image.id, flavorRef: '6', networks: 'auto' } });
      expect(r.status).toBe(202);
      ids.push(r.body.server.id as string);
      await s.services.worker.drain();
    }
    const hosts = new Map<string, number>();
    for (const id of ids) {
      const shown = (await s.call('get', `/servers/${id}`)).body.server as Record<string, unknown>;
      expect(shown.status).toBe('ACTIVE');
      const h = shown['OS-EXT-SRV-ATTR:host'] as string;
      hosts.set(h, (hosts.get(h) ?? 0) + 1);
    }
    expect([...hosts.values()].sort()).toEqual([2, 2, 2]);
    const out = await s.call('post', `/servers/${ids[0]}/action`).send({ 'os-getConsoleOutput': {} });
    expect([out.status, out.body.output]).toEqual([200, 'booted f0\n']);
    expect((await s.call('post', `/servers/${ids[0]}/action`).send({ 'os-stop': null })).status).toBe(202);
    await s.services.worker.drain();
    expect((await s.call('get', `/servers/${ids[0]}`)).body.server.status).toBe('SHUTOFF');
  });

  it('the allocation ratios bound what fits: the next server finds no valid host', async () => {
    const s = await start({ fakeHosts: { count: 1, vcpus: 1, ramMb: 1024, diskGb: 10 }, cpuAllocationRatio: 2 });
    const boot = async (name: string) => {
      const r = await s
        .call('post', '/servers')
        .send({ server: { name, imageRef: s.image.id, flavorRef: '6', networks: 'none' } });
      await s.services.worker.drain();
      return (await s.call('get', `/servers/${r.body.server.id as string}`)).body.server as {
        status: string;
        fault?: { message: string };
      };
    };
    expect((await boot('a')).status).toBe('ACTIVE');
    expect((await boot('b')).status).toBe('ACTIVE');
    const third = await boot('c');
    expect(third.status).toBe('ERROR');
    expect(third.fault?.message).toMatch(/^No valid host was found/);
  });
});
