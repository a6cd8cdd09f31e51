// Address ranges for apps on the real Docker Engine: an engine refuses overlapping ranges, and two
// test files may run at once (two workers), each with a database (and so a network service) of its
// own. Each vitest worker gets its own /22 of 198.18.224.0/20 (NOVADOCK_TEST_POOL: another /20 of
// 198.18.0.0/16, for suites run side by side on one engine): private /23, public /24, and a /24
// for the networks a test makes (`userCidr`). The default topology's ids follow the ranges
// (src/network/topology.ts), so workers never share a Docker network; files of one worker run one
// after the other and reuse theirs.
import { execFileSync, spawnSync } from 'node:child_process';
import type { Config } from '../../src/config.js';
import { docker, TEST_IMAGE } from './docker-app.js';

export function workerSlice(): { network: Config['network']; userCidr: string } {
  const k = (Math.max(1, Number(process.env.VITEST_POOL_ID ?? '1')) - 1) % 4;
  const third = testPoolThirdOctet();
  const base = third + 4 * k;
  return {
    network: {
      poolV4: `198.18.${third}.0/20`,
      poolV6: 'fd6e:6f76:6100::/40',
      privateCidr: `198.18.${base}.0/23`,
      publicCidr: `198.18.${base + 2}.0/24`,
    },
    userCidr: `198.18.${base + 3}.0/24`,
  };
}

/** The third octet of the test pool (a /20 of 198.18.0.0/16; default 198.18.224.0/20). */
function testPoolThirdOctet(): number {
  const raw = process.env.NOVADOCK_TEST_POOL ?? '198.18.224.0/20';
  const m = /^198\.18\.(\d{1,3})\.0\/20$/.exec(raw);
  if (!m || Number(m[1]) % 16 !== 0 || Number(m[1]) > 240)
    throw new Error(
      `NOVADOCK_TEST_POOL must be a /20 of 198.18.0.0/16 (198.18.N.0/20, N a multiple of 16), got ${raw}`,
    );
  return Number(m[1]);
}

/**
 * Removes this service's Docker networks on `cidr` (or any of several) that have no endpoints (left by
 * an earlier run that did not finish): the engine would refuse a new network on the same range.
 */
export function removeStaleNetworks(cidr: string | string[]): void {
  const cidrs = Array.isArray(cidr) ? cidr : [cidr];
  const ids = execFileSync('docker', ['network', 'ls', '-q', '--filter', 'label=io.novadock.managed-by=novadock'], {
    encoding: 'utf8',
  })
    .split('\n')
    .filter(Boolean);
  if (ids.length === 0) return;
  // one inspect for all; a network another run removes meanwhile only drops out of the answer
  const format = '{{.Id}}|{{range .IPAM.Config}}{{.Subnet}} {{end}}|{{len .Containers}}';
  const out = spawnSync('docker', ['network', 'inspect', '-f', format, ...ids], { encoding: 'utf8' }).stdout ?? '';
  for (const line of out.split('\n').filter(Boolean)) {
    const [id, subnets, endpoints] = line.trim().split('|');
    if (endpoints === '0' && subnets.split(' ').some((c) => cidrs.includes(c)))
      spawnSync('docker', ['network', 'rm', id], { encoding: 'utf8' });
  }
}

/**
 * A container named as the service names a server's (`nova-<uuid>`), running `script` with no
 * network but loopback, so that a test plugs ports into it as the service would. Its name goes into
 * `created` as soon as it exists (the test's cleanup removes it); returns the name.
 */
export function pluggableContainer(
  uuid: string,
  labels: Record<string, string>,
  script: string,
  created: string[],
): string {
  const name = `nova-${uuid}`;
  const labelArgs = Object.entries(labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]);
  docker(
    'create',
    '--name',
    name,
    ...labelArgs,
    '--network',
    'novadock-detached',
    '--init',
    TEST_IMAGE,
    'sh',
    '-c',
    script,
  );
  created.push(name);
  docker('network', 'disconnect', '-f', 'novadock-detached', name);
  docker('start', name);
  return name;
}
