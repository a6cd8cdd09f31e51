// Helpers for the Nova-side network tests: a project user, Neutron calls (networks, subnets,
// ports, routers, floating IPs) and server boots through the compute API, on the fake driver.
import { expect } from 'vitest';
import type { TestApp } from './app.js';
import { seedImage, unlimitedQuota } from './servers.js';

export const V2 = '/networking/v2.0';
export const S = '/compute/v2.1/servers';

export interface NetClient {
  token: string;
  projectId: string;
  get(p: string): Promise<{ status: number; body: Record<string, any> }>;
  post(p: string, body: unknown): Promise<{ status: number; body: Record<string, any> }>;
  put(p: string, body: unknown): Promise<{ status: number; body: Record<string, any> }>;
  del(p: string): Promise<{ status: number; body: Record<string, any> }>;
  /** compute API at a microversion */
  nova(method: 'get' | 'post' | 'put' | 'delete', p: string, body?: unknown, version?: string): Promise<any>;
}

export function client(t: TestApp, user: { token: string; projectId: string }): NetClient {
  const h = t.http;
  return {
    ...user,
    get: (p) => h.get(`${V2}${p}`).set('X-Auth-Token', user.token),
    post: (p, b) =>
      h
        .post(`${V2}${p}`)
        .set('X-Auth-Token', user.token)
        .send(b as object),
    put: (p, b) =>
      h
        .put(`${V2}${p}`)
        .set('X-Auth-Token', user.token)
        .send(b as object),
    del: (p) => h.delete(`${V2}${p}`).set('X-Auth-Token', user.token),
    nova: (method, p, body, version = '2.79') => {
      const r = h[method](p.startsWith('/') ? p : `${S}/${p}`)
        .set('X-Auth-Token', user.token)
        .set('OpenStack-API-Version', `compute ${version}`);
      return body === undefined ? r : r.send(body as object);
    },
  };
}

let netSeq = 0;
/** A network with one IPv4 subnet (a /28 of 198.18.x unused elsewhere in the test app). */
export async function makeNetwork(
  c: NetClient,
  cidr: string,
  body: Record<string, unknown> = {},
): Promise<{ id: string; subnetId: string; name: string }> {
  const name = `net-${++netSeq}`;
  const n = await c.post('/networks', { network: { name, ...body } });
  expect(n.status, JSON.stringify(n.body)).toBe(201);
  const s = await c.post('/subnets', { subnet: { network_id: n.body.network.id, ip_version: 4, cidr } });
  expect(s.status, JSON.stringify(s.body)).toBe(201);
  return { id: n.body.network.id, subnetId: s.body.subnet.id, name };
}

export async function setup(t: TestApp, projectName: string) {
  const image = await seedImage(t.services);
  await unlimitedQuota(t.services);
  await unlimitedQuota(t.services, projectName);
  return image;
}

/** POST /servers; `networks` as the request's; resolves after the worker has run. */
export async function boot(
  t: TestApp,
  c: NetClient,
  imageId: string,
  server: Record<string, unknown>,
  version = '2.79',
): Promise<{ status: number; body: Record<string, any>; id: string }> {
  const res = await c.nova(
    'post',
    S,
    { server: { name: 'vm', imageRef: imageId, flavorRef: '1', ...server } },
    version,
  );
  await t.services.worker.drain();
  return { status: res.status, body: res.body, id: res.body?.server?.id };
}

export async function show(c: NetClient, id: string, version = '2.79'): Promise<Record<string, any>> {
  return (await c.nova('get', `${S}/${id}`, undefined, version)).body.server;
}

export async function portsOf(c: NetClient, id: string): Promise<Record<string, any>[]> {
  return (await c.get(`/ports?device_id=${id}`)).body.ports;
}
