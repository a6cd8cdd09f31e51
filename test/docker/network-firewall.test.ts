// Security groups enforced on a real engine, inside the container's own network namespace: with the
// project's default group only, the host reaches neither TCP port; a rule for one port opens exactly
// that one, live; removing the rule closes it, live; a restart (a new namespace) gets the filter again;
// the host's own firewall stays empty of novadock's chains; the engine's helper shells recover when
// killed and end with their driver. Addresses: this file's pool 198.18.216.0/21.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, startDockerTestApp, type DockerTestApp } from '../helpers/docker-app.js';
import { pluggableContainer } from '../helpers/docker-network.js';
import { HostRegistry } from '../../src/compute/hosts/host-registry.js';
import { DockerDriver } from '../../src/virt/docker/docker-driver.js';
import type { NetnsFirewall } from '../../src/virt/docker/docker-firewall.js';
import { isAlive as alive } from '../helpers/process-alive.js';

const POOL = {
  poolV4: '198.18.216.0/21',
  poolV6: 'fd6e:6f76:6100::/40',
  publicCidr: '198.18.223.0/24',
  privateCidr: '198.18.216.0/22',
};
const V2 = '/networking/v2.0';
let t: DockerTestApp;
const containers: string[] = [];

const get = (ip: string, port: number) =>
  fetch(`http://${ip}:${port}/i`, { signal: AbortSignal.timeout(1500) }).then(
    (r) => r.text(),
    () => 'unreachable',
  );
const hostChains = () => {
  const out = execFileSync('iptables-save', { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.includes('nd-sg')).length;
};

/** novadock's rules in the container's own namespace (read with nsenter, as the driver writes them) */
const nsRules = (name: string) => {
  const pid = docker('inspect', name, '--format', '{{.State.Pid}}');
  const out = execFileSync('nsenter', [`--net=/proc/${pid}/ns/net`, 'iptables-save'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.startsWith('-A nd-sg')).length;
};

beforeAll(async () => {
  t = await startDockerTestApp('netfw', { network: POOL });
}, 120_000);

afterAll(async () => {
  for (const c of containers) {
    try {
      docker('rm', '-f', c);
    } catch {
      /* already gone */
    }
  }
  for (const n of (await t?.built.services.network.dockerNets.all()) ?? []) {
    try {
      docker('network', 'rm', n.docker_name);
    } catch {
      /* already gone */
    }
  }
  await t?.close();
});

describe('security groups on Docker', () => {
  it(
    'a rule opens its port live, removing it closes it, a restart keeps the filter',
    { timeout: 120_000 },
    async () => {
      const s = t.built.services.network;
      const api = (method: 'get' | 'post' | 'put' | 'delete', p: string, body?: object) =>
        t.http[method](`${V2}${p}`).set('X-Auth-Token', t.token).send(body);
      const hostChainsBefore = hostChains();
      const net = (await api('post', '/networks', { network: { name: 'fw' } }).expect(201)).body.network;
      await api('post', '/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '198.18.220.0/24' } }).expect(
        201,
      );
      const host = (await t.built.services.hostsRepo.findByName(HostRegistry.defaultHostName()))!;
      const uuid = randomUUID();
      // labelled as this deployment's, so that its events (the restart below) reach the service
      const name = pluggableContainer(
        uuid,
        { 'io.novadock.managed-by': 'novadock', 'io.novadock.service-id': host.uuid },
        'echo open > /tmp/i; httpd -p 8081 -h /tmp; exec httpd -f -p 8080 -h /tmp',
        containers,
      );
      const port = (
        await api('post', '/ports', {
          port: { network_id: net.id, device_id: uuid, device_owner: 'compute:nova' },
        }).expect(201)
      ).body.port;
      await s.dataplane.plug((await s.repo.port(port.id))!, host.id, host.name);
      const ip = port.fixed_ips[0].ip_address;

      // the default group lets in only its own members: the host is not one
      expect(await get(ip, 8080)).toBe('unreachable');
      expect(await get(ip, 8081)).toBe('unreachable');

      const rule = (
        await api('post', '/security-group-rules', {
          security_group_rule: {
            security_group_id: port.security_groups[0],
            direction: 'ingress',
            protocol: 'tcp',
            port_range_min: 8080,
            port_range_max: 8080,
          },
        }).expect(201)
      ).body.security_group_rule;
      await s.firewall.idle();
      expect(await get(ip, 8080)).toBe('open\n');
      expect(await get(ip, 8081)).toBe('unreachable');

      // a restart makes a new namespace: the filter follows (8081 would answer in an open one)
      docker('restart', '-t', '1', name);
      await t.built.services.drift.eventWatcher.idle();
      await s.firewall.idle();
      // the start event brings the filter back within a few hundred ms (the namespace is open until then)
      const t0 = Date.now();
      while (nsRules(name) === 0 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 50));
      expect(nsRules(name)).toBeGreaterThan(0);
      await s.firewall.idle();
      expect(await get(ip, 8080)).toBe('open\n');
      expect(await get(ip, 8081)).toBe('unreachable');

      // the applies run in the engine's helper shells: one killed, the next apply still lands
      const helper = shellsOf(await t.built.services.hosts.driverFor(host.id));
      const lanes = helper.pids();
      expect(lanes.length).toBeGreaterThan(0);
      const started = helper.started;
      for (const pid of lanes) process.kill(-pid, 'SIGKILL');
      await api('delete', `/security-group-rules/${rule.id}`).expect(204);
      await s.firewall.idle();
      expect(await get(ip, 8080)).toBe('unreachable');
      expect(helper.started).toBeGreaterThan(started);
      expect(helper.pids().some((p) => lanes.includes(p))).toBe(false);

      // port security off: open
      await api('put', `/ports/${port.id}`, { port: { security_groups: [], port_security_enabled: false } }).expect(
        200,
      );
      await s.firewall.idle();
      expect(await get(ip, 8081)).toBe('open\n');
      expect((await api('get', '/extensions/security-group').expect(200)).body.extension.description).toBe(
        'The security groups extension.',
      );
      expect(hostChains()).toBe(hostChainsBefore);
      expect(hostChainsBefore).toBe(0);
    },
  );

  it('a driver closed ends its helper shells; a closed one still applies (one process per apply)', async () => {
    const uuid = randomUUID();
    const name = pluggableContainer(uuid, {}, 'exec sleep 300', containers);
    const driver = new DockerDriver({ dockerUrl: 'unix:///var/run/docker.sock', timeoutMs: 30_000 });
    const drop = { v4: '*filter\n:INPUT DROP [0:0]\nCOMMIT\n', v6: '*filter\nCOMMIT\n' };
    expect(await driver.applyFirewall(uuid, drop)).toBe(true);
    const lanes = shellsOf(driver).pids();
    expect(lanes.length).toBe(1);
    await driver.applyFirewall(uuid, null);
    expect(nsPolicy(name)).toBe('ACCEPT');
    // the pid and sandbox of an inspect (a spawn's) spare the next apply its own
    await driver.getInfo(uuid);
    expect(await driver.applyFirewall(uuid, drop)).toBe(true);
    expect(nsPolicy(name)).toBe('DROP');
    await driver.close();
    const t0 = Date.now();
    while (lanes.some(alive) && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
    expect(lanes.some(alive)).toBe(false);
    expect(await driver.applyFirewall(uuid, null)).toBe(true);
    expect(nsPolicy(name)).toBe('ACCEPT');
    expect(hostChains()).toBe(0);
  });
});

/** the default policy of INPUT in the container's namespace */
const nsPolicy = (name: string) => {
  const pid = docker('inspect', name, '--format', '{{.State.Pid}}');
  const out = execFileSync('nsenter', [`--net=/proc/${pid}/ns/net`, 'iptables-save'], { encoding: 'utf8' });
  return /^:INPUT (\w+)/m.exec(out)?.[1];
};
const shellsOf = (driver: unknown) => (driver as { firewall: NetnsFirewall }).firewall.helper!;
