// Nova's side of the network service on the real engine, checked from the host: a server's TCP
// service answers on its fixed IP and on its floating IP, and stops answering on the floating IP as
// soon as it is disassociated (live: the container is not restarted); os-interface attach/detach
// add and remove a reachable address live; the ssh flow of nova-docker (a key pair, a floating IP,
// `ssh -i key root@<floating ip> cmd`). Addresses: this worker's slice (helpers/docker-network.ts).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, removeServerContainers, startDockerTestApp, type DockerTestApp } from '../helpers/docker-app.js';
import { seedImage, waitForStatus } from '../helpers/servers.js';
import { removeStaleNetworks, workerSlice } from '../helpers/docker-network.js';

const run = promisify(execFile);
const V2 = '/networking/v2.0';
const S = '/compute/v2.1/servers';
let t: DockerTestApp;
const created: string[] = [];
const slice = workerSlice();

const get = (ip: string) =>
  fetch(`http://${ip}:8080/i`, { signal: AbortSignal.timeout(1500) }).then(
    (r) => r.text(),
    () => 'unreachable',
  );
/** First answer within `ms` (polling), or 'unreachable'. */
async function answer(ip: string, ms = 5000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const a = await get(ip);
    if (a !== 'unreachable' || Date.now() > deadline) return a.trim();
    await new Promise((r) => setTimeout(r, 100));
  }
}
const net = (method: 'get' | 'post' | 'put' | 'delete', p: string, body?: object) =>
  t.http[method](`${V2}${p}`).set('X-Auth-Token', t.token).send(body);
const nova = (method: 'get' | 'post' | 'delete', p: string, body?: object, v = '2.79') =>
  t.http[method](p).set('X-Auth-Token', t.token).set('OpenStack-API-Version', `compute ${v}`).send(body);
const startedAt = (id: string) => docker('inspect', '-f', '{{.State.StartedAt}}', `nova-${id}`);

let userNet: { id: string; subnetId: string };
let publicId: string;

let routerId: string;

beforeAll(async () => {
  removeStaleNetworks(slice.userCidr);
  t = await startDockerTestApp('nova-network');
  const n = (await net('post', '/networks', { network: { name: 'web' } }).expect(201)).body.network;
  const sub = (
    await net('post', '/subnets', { subnet: { network_id: n.id, ip_version: 4, cidr: slice.userCidr } }).expect(201)
  ).body.subnet;
  userNet = { id: n.id, subnetId: sub.id };
  publicId = (await net('get', '/networks?name=public')).body.networks[0].id;
  const r = (
    await net('post', '/routers', { router: { name: 'web', external_gateway_info: { network_id: publicId } } })
  ).body.router;
  await net('put', `/routers/${r.id}/add_router_interface`, { subnet_id: sub.id }).expect(200);
  routerId = r.id;
  // Security groups are enforced: the host may reach the test's web server and sshd, as after
  // `openstack security group rule create --protocol tcp --dst-port 22 default` (and 8080).
  const sg = (await net('get', '/security-groups?name=default')).body.security_groups[0];
  for (const port of [8080, 22])
    await net('post', '/security-group-rules', {
      security_group_rule: {
        security_group_id: sg.id,
        direction: 'ingress',
        protocol: 'tcp',
        port_range_min: port,
        port_range_max: port,
      },
    }).expect(201);
}, 120_000);

afterAll(async () => {
  removeServerContainers(created);
  // left by a failed test: the network's Docker network goes with it (the engine would refuse its range to the next run)
  if (userNet && (await net('get', `/networks/${userNet.id}`)).status === 200) {
    await net('put', `/routers/${routerId}/remove_router_interface`, { subnet_id: userNet.subnetId });
    await net('delete', `/routers/${routerId}`);
    await net('delete', `/networks/${userNet.id}`);
  }
  await t?.close();
});

async function bootOn(
  imageId: string,
  networks: unknown,
  extra: object = {},
): Promise<{ id: string; ip: string; port: string }> {
  const res = await nova('post', S, { server: { name: 'web', imageRef: imageId, flavorRef: '1', networks, ...extra } });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  const id = res.body.server.id as string;
  created.push(id);
  await waitForStatus(() => nova('get', `${S}/${id}`), 'ACTIVE', 60_000).catch(async (e: Error) => {
    throw new Error(`${e.message}: ${JSON.stringify((await nova('get', `${S}/${id}`)).body.server.fault)}`);
  });
  const [port] = (await net('get', `/ports?device_id=${id}`)).body.ports;
  return { id, ip: port.fixed_ips[0].ip_address, port: port.id };
}

describe('a server on the network service, from the host', () => {
  it(
    'answers on its fixed IP and its floating IP; not on the floating IP once disassociated, live',
    { timeout: 180_000 },
    async () => {
      const image = await seedImage(t.built.services, {
        data: t.tarball,
        properties: { os_command_line: "sh -c 'echo served > /tmp/i; exec httpd -f -p 8080 -h /tmp'" },
      });
      const s = await bootOn(image.id, [{ uuid: userNet.id }]);
      expect(await answer(s.ip)).toBe('served');
      const before = startedAt(s.id);
      const fip = (
        await net('post', '/floatingips', { floatingip: { floating_network_id: publicId, port_id: s.port } }).expect(
          201,
        )
      ).body.floatingip;
      expect(fip.status).toBe('ACTIVE');
      expect(await answer(fip.floating_ip_address)).toBe('served');
      const addrs = (await nova('get', `${S}/${s.id}`)).body.server.addresses.web;
      expect(addrs.map((a: { addr: string; 'OS-EXT-IPS:type': string }) => [a.addr, a['OS-EXT-IPS:type']])).toEqual([
        [s.ip, 'fixed'],
        [fip.floating_ip_address, 'floating'],
      ]);
      // what `openstack server remove floating ip` does: disassociate through the network API
      await net('put', `/floatingips/${fip.id}`, { floatingip: { port_id: null } }).expect(200);
      expect(await get(fip.floating_ip_address)).toBe('unreachable');
      expect(await answer(s.ip)).toBe('served');
      // below 2.44, Nova's addFloatingIp / removeFloatingIp do the same
      await nova('post', `${S}/${s.id}/action`, { addFloatingIp: { address: fip.floating_ip_address } }, '2.43').expect(
        202,
      );
      expect(await answer(fip.floating_ip_address)).toBe('served');
      await nova(
        'post',
        `${S}/${s.id}/action`,
        { removeFloatingIp: { address: fip.floating_ip_address } },
        '2.43',
      ).expect(202);
      expect(await get(fip.floating_ip_address)).toBe('unreachable');
      expect(startedAt(s.id)).toBe(before);

      // os-interface: a second network attached live answers; detached, it does not
      const privateId = (await net('get', '/networks?name=private')).body.networks[0].id;
      const att = await nova('post', `${S}/${s.id}/os-interface`, {
        interfaceAttachment: { net_id: privateId },
      }).expect(200);
      const privIp = att.body.interfaceAttachment.fixed_ips[0].ip_address as string;
      expect(att.body.interfaceAttachment.net_id).not.toBe(userNet.id);
      expect(await answer(privIp)).toBe('served');
      await nova('delete', `${S}/${s.id}/os-interface/${att.body.interfaceAttachment.port_id}`).expect(202);
      const deadline = Date.now() + 10_000;
      while ((await get(privIp)) !== 'unreachable' && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      expect(await get(privIp)).toBe('unreachable');
      expect(startedAt(s.id)).toBe(before);

      // delete: the port goes, the floating IP stays (disassociated), the container leaves the networks
      await nova('delete', `${S}/${s.id}`).expect(204);
      await waitGone(s.id);
      expect((await net('get', `/ports/${s.port}`)).status).toBe(404);
      await net('delete', `/floatingips/${fip.id}`).expect(204);
    },
  );
});

async function waitGone(id: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if ((await nova('get', `${S}/${id}`)).status === 404) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server ${id} not deleted`);
}

describe('ssh through a floating IP (the nova-docker flow)', () => {
  it(
    'an ssh image boots with a key pair; ssh -i key root@<floating ip> runs a command',
    { timeout: 240_000 },
    async () => {
      const tag = (await run('bash', ['scripts/build-ssh-image.sh'], { timeout: 180_000 })).stdout.trim();
      const tar = path.join(t.dataDir, 'sshd.tar');
      docker('image', 'save', tag, '-o', tar);
      const image = await seedImage(t.built.services, { name: 'sshd', data: fs.readFileSync(tar) });
      const key = path.join(t.dataDir, 'id_ed25519');
      await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
      await nova('post', '/compute/v2.1/os-keypairs', {
        keypair: { name: 'ssh-test', public_key: fs.readFileSync(`${key}.pub`, 'utf8') },
      }).expect(201);
      const s = await bootOn(image.id, [{ uuid: userNet.id }], { key_name: 'ssh-test' });
      const fip = (
        await net('post', '/floatingips', { floatingip: { floating_network_id: publicId, port_id: s.port } }).expect(
          201,
        )
      ).body.floatingip;
      const ssh = () =>
        run(
          'ssh',
          [
            '-i',
            key,
            '-o',
            'StrictHostKeyChecking=no',
            '-o',
            'UserKnownHostsFile=/dev/null',
            '-o',
            'ConnectTimeout=5',
            '-o',
            'BatchMode=yes',
            `root@${fip.floating_ip_address}`,
            'hostname; id -u; cat /mnt/config/openstack/latest/meta_data.json',
          ],
          { timeout: 30_000 },
        );
      let out = '';
      for (let i = 0; i < 20 && !out; i++) {
        out = await ssh().then(
          (r) => r.stdout,
          async () => {
            await new Promise((r) => setTimeout(r, 500));
            return '';
          },
        );
      }
      const [hostname, uid, meta] = out.split('\n');
      expect(hostname).toBe('web');
      expect(uid).toBe('0');
      expect(JSON.parse(meta)).toMatchObject({ uuid: s.id, keys: [{ name: 'ssh-test' }] });
      await nova('delete', `${S}/${s.id}`).expect(204);
      await waitGone(s.id);
      await net('delete', `/floatingips/${fip.id}`).expect(204);
    },
  );
});

describe('network delete', () => {
  it('takes its Docker network off the engine', async () => {
    const name = `novadock-${userNet.id}`;
    expect(docker('network', 'inspect', '-f', '{{range .IPAM.Config}}{{.Subnet}}{{end}}', name)).toBe(slice.userCidr);
    await net('put', `/routers/${routerId}/remove_router_interface`, { subnet_id: userNet.subnetId }).expect(200);
    await net('delete', `/routers/${routerId}`).expect(204);
    await net('delete', `/networks/${userNet.id}`).expect(204);
    expect(() => docker('network', 'inspect', name)).toThrow();
  });
});
