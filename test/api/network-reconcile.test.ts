// Network reconciliation (design E7) on the fake driver, with drift injected behind the service's back:
// a Docker network removed, a container removed, a floating IP endpoint dropped, an endpoint nothing
// backs, labelled networks without a Neutron record (this deployment's and another's). The event
// stream breaking (an engine restart) runs it again; container stops and starts move ports DOWN/ACTIVE
// and re-apply the security group filter in the container's new namespace.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../helpers/app.js';
import { HostRegistry } from '../../src/compute/hosts/host-registry.js';
import { dockerNetworkName, NETWORK_LABEL } from '../../src/network/dataplane.js';
import { LABELS, MANAGED_BY } from '../../src/virt/driver.js';
import type { ComputeHostRow } from '../../src/db/repositories/hosts-repo.js';

const V2 = '/networking/v2.0';
const IMAGE = 'sha256:' + 'f'.repeat(64);
let t: TestApp;
let host: ComputeHostRow;

const api = (method: 'get' | 'post' | 'put' | 'delete', p: string, body?: object) =>
  t.http[method](`${V2}${p}`).set('X-Auth-Token', t.adminToken).send(body);

async function container(): Promise<string> {
  const uuid = randomUUID();
  await t.fake.spawn({
    instanceUuid: uuid,
    projectId: 'p',
    hostname: 'c',
    image: IMAGE,
    memoryMb: 64,
    vcpus: 1,
    pidsLimit: 64,
    interfaces: [],
    extraLabels: { [LABELS.serviceId]: host.uuid },
  });
  return uuid;
}

async function pluggedPort(networkId: string, device: string): Promise<{ id: string; ip: string }> {
  const s = t.services.network;
  const port = (await api('post', '/ports', { port: { network_id: networkId, device_id: device } }).expect(201)).body
    .port;
  await s.dataplane.plug((await s.repo.port(port.id))!, host.id, host.name);
  return { id: port.id, ip: port.fixed_ips[0].ip_address };
}

const portStatus = async (id: string) => (await api('get', `/ports/${id}`).expect(200)).body.port.status;
const endpoints = (uuid: string) => t.fake.nets.endpointsOf(uuid).map((e) => `${e.network} ${e.ipv4}`);

beforeAll(async () => {
  t = await makeTestApp({}, { background: true });
  host = (await t.services.hostsRepo.findByName(HostRegistry.defaultHostName()))!;
}, 60_000);
afterAll(async () => {
  await t?.close();
});

describe('network reconciliation', () => {
  it('repairs injected drift and allocates nothing twice', async () => {
    const s = t.services.network;
    const nets = (await api('get', '/networks').expect(200)).body.networks;
    const priv = nets.find((n: { name: string }) => n.name === 'private');
    const pub = nets.find((n: { name: string }) => n.name === 'public');
    const a = await container();
    const b = await container();
    const pa = await pluggedPort(priv.id, a);
    const pb = await pluggedPort(priv.id, b);
    const fip = (
      await api('post', '/floatingips', { floatingip: { floating_network_id: pub.id, port_id: pa.id } }).expect(201)
    ).body.floatingip;
    expect(fip.status).toBe('ACTIVE');
    expect(await portStatus(pb.id)).toBe('ACTIVE');

    // drift, behind the service's back
    const privName = dockerNetworkName(priv.id);
    const pubName = dockerNetworkName(pub.id);
    t.fake.containers.delete(b); // container gone, silently (as while the events were not watched)
    t.fake.nets.forget(b);
    t.fake.nets.simulateRemoveNetwork(privName); // network gone (with a's endpoint)
    await t.fake.nets.disconnectNetwork(a, pubName); // floating endpoint gone
    const ours = (id: string) => ({
      [LABELS.managedBy]: MANAGED_BY,
      [LABELS.serviceId]: host.uuid,
      [NETWORK_LABEL]: id,
    });
    const spec = (name: string, cidr: string, labels: Record<string, string>) => ({
      name,
      bridge: name.slice(0, 15),
      mtu: 1500,
      labels,
      v4: { cidr, gateway: cidr.replace(/0\/24$/, '1') },
    });
    const orphan = `novadock-${randomUUID()}`;
    await t.fake.ensureBridgeNetwork(spec(orphan, '198.18.210.0/24', ours(orphan.slice(9))));
    const orphanInUse = `novadock-${randomUUID()}`;
    await t.fake.ensureBridgeNetwork(spec(orphanInUse, '198.18.211.0/24', ours(orphanInUse.slice(9))));
    await t.fake.connectNetwork(a, { network: orphanInUse, ipv4: '198.18.211.9' }); // an endpoint nothing backs
    const others = `novadock-${randomUUID()}`;
    await t.fake.ensureBridgeNetwork(
      spec(others, '198.18.212.0/24', { ...ours(others.slice(9)), [LABELS.serviceId]: randomUUID() }),
    );
    t.fake.firewalls.clear();

    const report = await s.reconciler.reconcileHost(host);
    expect(report.recreated).toEqual([priv.id]);
    expect(report.replugged).toEqual([pa.id]);
    expect(report.down).toEqual([pb.id]);
    expect(report.staleEndpoints).toEqual([`${a}@${orphanInUse}`]);
    expect(report.removed.sort()).toEqual([orphan, orphanInUse].sort());
    expect(report.firewalls).toBe(1);

    const net = t.fake.nets.networks.get(privName)!;
    const sub = (await api('get', `/subnets/${priv.subnets[0]}`).expect(200)).body.subnet;
    expect(net.spec.v4).toEqual({ cidr: sub.cidr, gateway: sub.gateway_ip }); // same subnet and gateway
    expect(endpoints(a).sort()).toEqual([`${privName} ${pa.ip}`, `${pubName} ${fip.floating_ip_address}`].sort());
    expect(t.fake.nets.networks.has(others)).toBe(true); // another deployment's: left alone
    expect(await portStatus(pa.id)).toBe('ACTIVE');
    expect(await portStatus(pb.id)).toBe('DOWN');
    expect((await api('get', `/floatingips/${fip.id}`).expect(200)).body.floatingip.status).toBe('ACTIVE');
    expect(t.fake.firewalls.get(a)?.v4).toContain(`-d ${pa.ip}/32`);

    // nothing is given twice: every address on every fake network is unique, and a repeat changes nothing
    const all = [...t.fake.nets.networks.values()].flatMap((n) => [...n.endpoints.values()].map((e) => e.ipv4));
    expect(new Set(all).size).toBe(all.length);
    const again = await s.reconciler.reconcileHost(host);
    expect(again).toMatchObject({ recreated: [], removed: [], replugged: [], down: [], staleEndpoints: [] });
    t.fake.nets.networks.delete(others);
  });

  it('runs again when the event stream breaks (engine restart), and follows stops and starts', async () => {
    const s = t.services.network;
    const priv = (await api('get', '/networks?name=private').expect(200)).body.networks[0];
    const c = await container();
    const p = await pluggedPort(priv.id, c);
    const privName = dockerNetworkName(priv.id);

    await t.fake.disconnectNetwork(c, privName);
    const subscriptions = t.fake.subscriptions;
    t.fake.breakEventStream();
    for (let i = 0; i < 100 && t.fake.subscriptions === subscriptions; i++) await new Promise((r) => setTimeout(r, 20));
    expect(t.fake.subscriptions).toBe(subscriptions + 1);
    await t.services.drift.eventWatcher.idle();
    expect(endpoints(c)).toEqual([`${privName} ${p.ip}`]);

    await t.fake.powerOff(c, 1);
    await t.services.drift.eventWatcher.idle();
    expect(await portStatus(p.id)).toBe('DOWN');
    expect(t.fake.firewalls.has(c)).toBe(false);
    await t.fake.powerOn(c);
    await t.services.drift.eventWatcher.idle();
    expect(await portStatus(p.id)).toBe('ACTIVE');
    expect(t.fake.firewalls.get(c)?.v4).toContain(`-d ${p.ip}/32`);
    await s.firewall.idle();
  });

  it('re-applies filters when rules and memberships change', async () => {
    const s = t.services.network;
    const priv = (await api('get', '/networks?name=private').expect(200)).body.networks[0];
    const sg = (await api('post', '/security-groups', { security_group: { name: 'web' } }).expect(201)).body
      .security_group;
    const c = await container();
    const port = (
      await api('post', '/ports', { port: { network_id: priv.id, device_id: c, security_groups: [sg.id] } }).expect(201)
    ).body.port;
    await s.dataplane.plug((await s.repo.port(port.id))!, host.id, host.name);
    const table = () => t.fake.firewalls.get(c)?.v4 ?? '';
    expect(table()).not.toContain('--dport 8080');

    const rule = (
      await api('post', '/security-group-rules', {
        security_group_rule: {
          security_group_id: sg.id,
          direction: 'ingress',
          protocol: 'tcp',
          port_range_min: 8080,
          port_range_max: 8080,
        },
      }).expect(201)
    ).body.security_group_rule;
    await s.firewall.idle();
    expect(table()).toContain('-p tcp -m tcp --dport 8080 -j ACCEPT');

    // a rule naming a remote group: the members' addresses appear, and follow the membership
    await api('post', '/security-group-rules', {
      security_group_rule: {
        security_group_id: sg.id,
        direction: 'ingress',
        protocol: 'tcp',
        port_range_min: 22,
        port_range_max: 22,
        remote_group_id: sg.id,
      },
    }).expect(201);
    const peer = await container();
    const peerPort = (
      await api('post', '/ports', { port: { network_id: priv.id, device_id: peer, security_groups: [sg.id] } }).expect(
        201,
      )
    ).body.port;
    await s.firewall.idle();
    expect(table()).toContain(`-s ${peerPort.fixed_ips[0].ip_address}/32 -p tcp -m tcp --dport 22 -j ACCEPT`);
    await api('put', `/ports/${peerPort.id}`, { port: { security_groups: [] } }).expect(200);
    await s.firewall.idle();
    expect(table()).not.toContain(peerPort.fixed_ips[0].ip_address);

    await api('delete', `/security-group-rules/${rule.id}`).expect(204);
    await s.firewall.idle();
    expect(table()).not.toContain('--dport 8080');
    // port security off: open to and from its addresses
    await api('put', `/ports/${port.id}`, { port: { security_groups: [], port_security_enabled: false } }).expect(200);
    await s.firewall.idle();
    expect(table()).toContain(`-A nd-sg-in -d ${port.fixed_ips[0].ip_address}/32 -j ACCEPT`);
    expect((await api('get', '/extensions/security-group').expect(200)).body.extension.description).toBe(
      'The security groups extension.',
    );
  });
});
