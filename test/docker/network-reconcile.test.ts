// Network reconciliation on a real engine: a Docker network removed behind the service's back (its
// container stopped, so Docker allowed it) is created again with the same subnet and gateway and the
// container starts again on its address; a labelled network of this deployment without a Neutron
// record is removed, another deployment's is left; a removed container's port goes DOWN. Addresses:
// this file's pool 198.18.208.0/21.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, startDockerTestApp, type DockerTestApp } from '../helpers/docker-app.js';
import { pluggableContainer } from '../helpers/docker-network.js';
import { HostRegistry } from '../../src/compute/hosts/host-registry.js';
import { dockerNetworkName } from '../../src/network/dataplane.js';

const POOL = {
  poolV4: '198.18.208.0/21',
  poolV6: 'fd6e:6f76:6100::/40',
  publicCidr: '198.18.215.0/24',
  privateCidr: '198.18.208.0/22',
};
const V2 = '/networking/v2.0';
let t: DockerTestApp;
const containers: string[] = [];
const extraNetworks: string[] = [];

const get = (ip: string) =>
  fetch(`http://${ip}:8080/i`, { signal: AbortSignal.timeout(1500) }).then(
    (r) => r.text(),
    () => 'unreachable',
  );

beforeAll(async () => {
  t = await startDockerTestApp('netrec', { network: POOL });
}, 120_000);

afterAll(async () => {
  for (const c of containers) {
    try {
      docker('rm', '-f', c);
    } catch {
      /* already gone */
    }
  }
  const nets = ((await t?.built.services.network.dockerNets.all()) ?? []).map((n) => n.docker_name);
  for (const n of [...nets, ...extraNetworks]) {
    try {
      docker('network', 'rm', n);
    } catch {
      /* already gone */
    }
  }
  await t?.close();
});

describe('network reconciliation on Docker', () => {
  it('re-creates a removed network, removes orphans, ports follow their containers', { timeout: 120_000 }, async () => {
    const s = t.built.services.network;
    const api = (method: 'get' | 'post', p: string, body?: object) =>
      t.http[method](`${V2}${p}`).set('X-Auth-Token', t.token).send(body);
    const host = (await t.built.services.hostsRepo.findByName(HostRegistry.defaultHostName()))!;
    const net = (await api('post', '/networks', { network: { name: 'rec' } }).expect(201)).body.network;
    await api('post', '/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '198.18.212.0/24' } }).expect(
      201,
    );
    const boot = async (text: string) => {
      const uuid = randomUUID();
      const name = pluggableContainer(
        uuid,
        { 'io.novadock.managed-by': 'novadock', 'io.novadock.service-id': host.uuid },
        `echo ${text} > /tmp/i; exec httpd -f -p 8080 -h /tmp`,
        containers,
      );
      const port = (await api('post', '/ports', { port: { network_id: net.id, device_id: uuid } }).expect(201)).body
        .port;
      await s.dataplane.plug((await s.repo.port(port.id))!, host.id, host.name);
      return {
        uuid,
        name,
        port: port.id as string,
        ip: port.fixed_ips[0].ip_address as string,
        sg: port.security_groups[0],
      };
    };
    const a = await boot('a');
    const b = await boot('b');
    await api('post', '/security-group-rules', {
      security_group_rule: {
        security_group_id: a.sg,
        direction: 'ingress',
        protocol: 'tcp',
        port_range_min: 8080,
        port_range_max: 8080,
      },
    }).expect(201);
    await s.firewall.idle();
    expect(await get(a.ip)).toBe('a\n');
    const dockerNet = dockerNetworkName(net.id);
    const addressing = () =>
      docker('network', 'inspect', dockerNet, '--format', '{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}');
    const before = addressing();
    expect(before).toBe('198.18.212.0/24 198.18.212.1');

    // behind the service's back: a's network removed while a is stopped, b removed, two labelled orphans
    docker('rm', '-f', b.name);
    docker('stop', '-t', '1', a.name);
    docker('network', 'rm', dockerNet);
    expect(() => docker('start', a.name)).toThrow(/not found/);
    const orphan = (serviceId: string, cidr: string) => {
      const name = `novadock-${randomUUID()}`;
      docker(
        'network',
        'create',
        '--subnet',
        cidr,
        '--label',
        'io.novadock.managed-by=novadock',
        '--label',
        `io.novadock.network-id=${name.slice(9)}`,
        '--label',
        `io.novadock.service-id=${serviceId}`,
        name,
      );
      extraNetworks.push(name);
      return name;
    };
    const mine = orphan(host.uuid, '198.18.213.0/24');
    const others = orphan(randomUUID(), '198.18.214.0/24');

    await s.onHostConnected(host.id); // what the event watcher runs on every (re)connect
    expect(addressing()).toBe(before);
    const names = docker('network', 'ls', '--format', '{{.Name}}').split('\n');
    expect(names).not.toContain(mine);
    expect(names).toContain(others);
    const status = async (id: string) => (await api('get', `/ports/${id}`).expect(200)).body.port.status;
    expect(await status(a.port)).toBe('DOWN');
    expect(await status(b.port)).toBe('DOWN');

    // a starts again on its own address; its start event makes the port ACTIVE and brings its filter
    docker('start', a.name);
    const t0 = Date.now();
    while ((await status(a.port)) !== 'ACTIVE' && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 50));
    await t.built.services.drift.eventWatcher.idle();
    await s.firewall.idle();
    expect(await status(a.port)).toBe('ACTIVE');
    expect(
      docker('inspect', a.name, '--format', `{{(index .NetworkSettings.Networks "${dockerNet}").IPAddress}}`),
    ).toBe(a.ip);
    expect(await get(a.ip)).toBe('a\n');
  });
});
