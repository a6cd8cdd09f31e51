// The raw-Docker baselines of the boot benches: create + start of the test image with the settings
// the Docker driver gives a server's container (limits, init, tty, restart policy, log config), on
// a network mode or on a Docker network with a fixed address (EndpointsConfig.IPAMConfig at create,
// as the driver does for a server's first port), and the image tar the service's glance gets.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Docker from 'dockerode';
import { msSince } from './common.js';
import type { Api } from './service.js';
import { dockerNetworkName } from '../../src/network/dataplane.js';

export const TEST_IMAGE = process.env.TEST_IMAGE ?? 'novadock-test/busybox:latest';
/** Label of every container this bench run makes itself (removed at the end whatever happens). */
export const RAW_LABEL = 'io.novadock.bench';
const RUN = `${process.pid}-${randomUUID().slice(0, 8)}`;
export const FLAVOR = { id: '6', memoryMb: 64, vcpus: 1 }; // c1.nano

const dockerHost = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
export const docker = new Docker({ socketPath: dockerHost.replace(/^unix:\/\//, '') });

/** `docker image save` of the test image, for seeding glance. */
export function savedImageTar(dir: string): Buffer {
  const f = path.join(dir, 'image.tar');
  execFileSync('docker', ['image', 'save', TEST_IMAGE, '-o', f]);
  return fs.readFileSync(f);
}

/** Raw create + start; `ipv4` puts the container on `network` with that fixed address. */
export async function rawBoot(image: string, network: string, ipv4?: string): Promise<{ elapsed: number; id: string }> {
  const t0 = process.hrtime.bigint();
  const c = await docker.createContainer({
    name: `bench-raw-${randomUUID()}`,
    Image: image,
    Hostname: 'bench',
    Tty: true,
    OpenStdin: true,
    Labels: { [RAW_LABEL]: RUN },
    HostConfig: {
      Memory: FLAVOR.memoryMb * 1048576,
      MemorySwap: FLAVOR.memoryMb * 1048576,
      NanoCpus: FLAVOR.vcpus * 1e9,
      PidsLimit: 4096,
      Init: true,
      NetworkMode: network,
      RestartPolicy: { Name: 'no' },
      LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '2' } },
    },
    ...(ipv4 ? { NetworkingConfig: { EndpointsConfig: { [network]: { IPAMConfig: { IPv4Address: ipv4 } } } } } : {}),
  });
  await c.start();
  return { elapsed: msSince(t0), id: c.id };
}

export const rawRemove = (id: string) => docker.getContainer(id).remove({ force: true });

/** Removes every container this run made itself (not other runs': the engine is shared). */
export async function removeRawLeftovers(): Promise<void> {
  const leftovers = await docker.listContainers({ all: true, filters: { label: [`${RAW_LABEL}=${RUN}`] } });
  for (const c of leftovers)
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => undefined);
}

/**
 * After the service has closed: removes the Docker networks it realised for its own networks (the
 * Neutron rows go with its database; their Docker networks would stay on the shared engine).
 */
export async function removeServiceNetworks(names: string[]): Promise<void> {
  for (const n of names)
    await docker
      .getNetwork(n)
      .remove()
      .catch(() => undefined);
}

/** The Docker network names of every network the service knows (call before it closes). */
export async function realisedNetworks(svc: Api): Promise<string[]> {
  const res = await svc.call('GET', '/networking/v2.0/networks');
  return ((res.body?.networks ?? []) as { id: string }[]).map((n) => dockerNetworkName(n.id));
}
