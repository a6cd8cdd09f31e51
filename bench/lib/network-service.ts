// The network bench's services (bench/network-port.ts): a service in this process with the fake or
// the Docker driver and an address plan of its own, an admin client, and a network with a subnet.
import path from 'node:path';
import { buildApp } from '../../src/app.js';
import { testConfig } from '../../src/config.js';
import { freePort } from './common.js';
import { tokenFor } from './service.js';

// BENCH_NETWORK_POOL=<IPv4 /20> (default 198.18.208.0/20): the fake-driver service's networks take
// /24s from its bottom (rows only: the fake makes no Docker network); the Docker service's pool is
// its last /22, of which it realises only the 2nd /24 (connect, port + boot).
export const BASE = (() => {
  const raw = process.env.BENCH_NETWORK_POOL ?? '198.18.208.0/20';
  const m = /^198\.18\.(\d+)\.0\/20$/.exec(raw);
  if (!m || Number(m[1]) % 16) throw new Error(`BENCH_NETWORK_POOL must be a /20 of 198.18.0.0/16, got ${raw}`);
  return Number(m[1]);
})();
export const FAKE_POOL = {
  poolV4: `198.18.${BASE}.0/20`,
  poolV6: 'fd6e:6f76:6100::/40',
  publicCidr: `198.18.${BASE + 15}.0/24`,
  privateCidr: `198.18.${BASE + 14}.0/24`,
};
export const DOCKER_POOL = { ...FAKE_POOL, poolV4: `198.18.${BASE + 12}.0/22` };
let nextCidr = 0;
/** a fresh /24 per network (subnets never overlap): BASE.0/24, BASE+1.0/24, … (BASE+13 for Docker) */
export const cidr = (docker = false) => (docker ? `198.18.${BASE + 13}.0/24` : `198.18.${BASE + nextCidr++}.0/24`);
/** a fixed address for raw Docker on the Docker service's network: from the top (IPAM gives the lowest) */
export const rawIp = (i: number) => `198.18.${BASE + 13}.${250 - i}`;

export async function start(computeDriver: 'fake' | 'docker', dataDir: string, network: typeof FAKE_POOL) {
  const config = testConfig({
    computeDriver,
    dataDir,
    databaseUrl: `sqlite://${path.join(dataDir, 'bench.sqlite')}`,
    network,
    stopTimeoutSeconds: 1,
  });
  const built = await buildApp({
    config,
    background: computeDriver === 'docker',
    logger: false,
  });
  await built.app.listen({ host: '127.0.0.1', port: await freePort() });
  const url = `http://127.0.0.1:${(built.app.server.address() as { port: number }).port}`;
  const token = await tokenFor(url, config.adminPassword!);
  const call = async (method: string, p: string, body?: object) => {
    const r = await fetch(`${url}${p}`, {
      method,
      headers: { 'X-Auth-Token': token, 'Content-Type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  };
  return { built, url, token, call };
}
export type Service = Awaited<ReturnType<typeof start>>;

export async function freshNetwork(svc: Service, name: string, docker = false): Promise<string> {
  const net = (await svc.call('POST', '/networking/v2.0/networks', { network: { name } })).body.network;
  const sub = await svc.call('POST', '/networking/v2.0/subnets', {
    subnet: { network_id: net.id, ip_version: 4, cidr: cidr(docker) },
  });
  if (sub.status !== 201) throw new Error(`subnet: ${sub.status} ${JSON.stringify(sub.body)}`);
  return net.id as string;
}
