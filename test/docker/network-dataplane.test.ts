// The network service on a real engine: a Neutron network becomes a Docker bridge network where a
// port is plugged, the container answers the host on its fixed IP, a floating IP is a live second
// endpoint on the external network's bridge (reachable at once, gone at once on disassociation,
// no restart), and a failed connect leaves the container able to start. Addresses come from this
// file's own pool (198.18.240.0/20), so no other file's networks overlap.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, startDockerTestApp, type DockerTestApp } from '../helpers/docker-app.js';
import { pluggableContainer } from '../helpers/docker-network.js';
import { HostRegistry } from '../../src/compute/hosts/host-registry.js';
import { dockerNetworkName } from '../../src/network/dataplane.js';

const POOL = {
  poolV4: '198.18.240.0/20',
  poolV6: 'fd6e:6f76:6100::/40',
  publicCidr: '198.18.247.0/24',
  privateCidr: '198.18.240.0/22',
};
const V2 = '/networking/v2.0';
let t: DockerTestApp;
const containers: string[] = [];

const get = (ip: string) =>
  fetch(`http://${ip}:8080/i`, { signal: AbortSignal.timeout(1500) }).then(
    (r) => r.text(),
    () => 'unreachable',
  );

/** A container as the compute side will make it for a server with no port yet: pluggable later. */
beforeAll(async () => {
  t = await startDockerTestApp('network', { network: POOL });
}, 120_000);

afterAll(async () => {
  for (const c of containers) {
    try {
      docker('rm', '-f', c);
    } catch {
      /* already gone */
    }
  }
  const nets = await t?.built.services.network.dockerNets.all();
  for (const n of nets ?? []) {
    try {
      docker('network', 'rm', n.docker_name);
    } catch {
      /* already gone */
    }
  }
  await t?.close();
});

describe('network dataplane on Docker', () => {
  it('fixed IP from the host, floating IP live both ways, nothing half-made', { timeout: 120_000 }, async () => {
    const s = t.built.services.network;
    const admin = { projectId: '', isAdmin: true };
    const api = (method: 'get' | 'post' | 'put', p: string, body?: object) =>
      t.http[method](`${V2}${p}`).set('X-Auth-Token', t.token).send(body);
    const pub = (await api('get', '/networks?name=public')).body.networks[0];
    const net = (await api('post', '/networks', { network: { name: 'dp' } }).expect(201)).body.network;
    const sub = (
      await api('post', '/subnets', { subnet: { network_id: net.id, ip_version: 4, cidr: '198.18.244.0/24' } }).expect(
        201,
      )
    ).body.subnet;
    const r = (
      await api('post', '/routers', { router: { name: 'dp', external_gateway_info: { network_id: pub.id } } }).expect(
        201,
      )
    ).body.router;
    await api('put', `/routers/${r.id}/add_router_interface`, { subnet_id: sub.id }).expect(200);

    const uuid = randomUUID();
    pluggableContainer(
      uuid,
      { 'io.novadock.managed-by': 'novadock-network-test' },
      'echo served > /tmp/i; httpd -f -p 8080 -h /tmp',
      containers,
    );
    const portBody = { port: { network_id: net.id, device_id: uuid, device_owner: 'compute:nova' } };
    const port = (await api('post', '/ports', portBody).expect(201)).body.port;
    // security groups are enforced: the host (the bridge's gateway) may reach 8080, as after
    // `openstack security group rule create --dst-port 8080 default`
    await api('post', '/security-group-rules', {
      security_group_rule: {
        security_group_id: port.security_groups[0],
        direction: 'ingress',
        protocol: 'tcp',
        port_range_min: 8080,
        port_range_max: 8080,
      },
    }).expect(201);
    const host = (await t.built.services.hostsRepo.findByName(HostRegistry.defaultHostName()))!;
    await s.dataplane.plug((await s.repo.port(port.id))!, host.id, host.name);
    expect(
      docker(
        'network',
        'inspect',
        dockerNetworkName(net.id),
        '--format',
        '{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}',
      ),
    ).toBe('198.18.244.0/24 198.18.244.1');
    const ip = port.fixed_ips[0].ip_address;
    expect(await get(ip)).toBe('served\n');
    const shown = (await api('get', `/ports/${port.id}`).expect(200)).body.port;
    expect(shown).toMatchObject({ status: 'ACTIVE', mac_address: port.mac_address, 'binding:host_id': host.name });

    const started = docker('inspect', `nova-${uuid}`, '--format', '{{.State.StartedAt}}');
    const fip = (
      await api('post', '/floatingips', { floatingip: { floating_network_id: pub.id, port_id: port.id } }).expect(201)
    ).body.floatingip;
    expect(fip.status).toBe('ACTIVE');
    expect(await get(fip.floating_ip_address)).toBe('served\n');
    await api('put', `/floatingips/${fip.id}`, { floatingip: { port_id: null } }).expect(200);
    expect(await get(fip.floating_ip_address)).toBe('unreachable');
    expect(await get(ip)).toBe('served\n');
    await api('put', `/floatingips/${fip.id}`, { floatingip: { port_id: port.id } }).expect(200);
    expect(await get(fip.floating_ip_address)).toBe('served\n');
    expect(docker('inspect', `nova-${uuid}`, '--format', '{{.State.StartedAt}}')).toBe(started);

    // a connect Docker refuses leaves no address-less entry behind: the container still restarts
    const driver = await t.built.services.hosts.driverFor(host.id);
    await expect(
      driver.connectNetwork(uuid, { network: dockerNetworkName(pub.id), ipv4: '198.18.100.5' }),
    ).rejects.toThrow();
    docker('restart', '-t', '1', `nova-${uuid}`);
    expect(docker('inspect', `nova-${uuid}`, '--format', '{{.State.Status}}')).toBe('running');

    // deleting the port takes the container off both networks
    await api('put', `/floatingips/${fip.id}`, { floatingip: { port_id: null } }).expect(200);
    await s.deletePort(admin, port.id);
    expect(await get(ip)).toBe('unreachable');
  });
});
