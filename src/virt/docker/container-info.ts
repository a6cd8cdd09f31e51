// Docker's container documents (list entries, inspect) read as the driver contract's InstanceInfo,
// and the multiplexed log stream split back into bytes.
import type Docker from 'dockerode';
import { LABELS, type InstanceAddress, type InstanceInfo } from '../driver.js';
import { PowerState } from '../power-state.js';
import { powerStateFromDocker } from './power-state.js';

export function missingInfo(instanceUuid: string): InstanceInfo {
  return {
    instanceUuid,
    containerId: null,
    powerState: PowerState.NOSTATE,
    status: 'missing',
    exitCode: null,
    oomKilled: false,
    startedAt: null,
    finishedAt: null,
    addresses: [],
    memoryBytes: 0,
    nanoCpus: 0,
    labels: {},
  };
}

type NetworkEntry = { IPAddress?: string; GlobalIPv6Address?: string; MacAddress?: string };
function addressesOf(nets: Record<string, NetworkEntry>): InstanceAddress[] {
  const addresses: InstanceAddress[] = [];
  for (const [name, n] of Object.entries(nets)) {
    if (n.IPAddress) addresses.push({ network: name, version: 4, addr: n.IPAddress, mac: n.MacAddress || null });
    if (n.GlobalIPv6Address)
      addresses.push({ network: name, version: 6, addr: n.GlobalIPv6Address, mac: n.MacAddress || null });
  }
  return addresses;
}

export function fromListEntry(c: Docker.ContainerInfo): InstanceInfo {
  const labels = c.Labels ?? {};
  const name = (c.Names?.[0] ?? '').replace(/^\//, '');
  return {
    instanceUuid: labels[LABELS.instanceUuid] ?? name.replace(/^nova-/, ''),
    containerId: c.Id,
    powerState: powerStateFromDocker(c.State),
    status: c.State,
    exitCode: null,
    oomKilled: false,
    startedAt: null,
    finishedAt: null,
    addresses: addressesOf(c.NetworkSettings?.Networks ?? {}),
    memoryBytes: 0,
    nanoCpus: 0,
    labels,
  };
}

export function toInstanceInfo(d: Docker.ContainerInspectInfo): InstanceInfo {
  const labels = d.Config?.Labels ?? {};
  const unset = (t: string | undefined) => (!t || t.startsWith('0001-01-01') ? null : t);
  return {
    instanceUuid: labels[LABELS.instanceUuid] ?? d.Name.replace(/^\/nova-/, ''),
    containerId: d.Id,
    powerState: powerStateFromDocker(d.State.Status),
    status: d.State.Status,
    exitCode: d.State.Status === 'exited' || d.State.Status === 'dead' ? d.State.ExitCode : null,
    oomKilled: Boolean(d.State.OOMKilled),
    startedAt: unset(d.State.StartedAt),
    finishedAt: unset(d.State.FinishedAt),
    addresses: addressesOf(d.NetworkSettings?.Networks ?? {}),
    memoryBytes: d.HostConfig?.Memory ?? 0,
    nanoCpus: (d.HostConfig as { NanoCpus?: number })?.NanoCpus ?? 0,
    labels,
  };
}

/**
 * Docker's stdout/stderr multiplexing: [stream, 0, 0, 0, size(4 bytes BE)] + payload. A frame cut
 * short (a log read that ended mid-frame) contributes what it has.
 */
export function demux(buf: Buffer): Buffer {
  const out: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const size = buf.readUInt32BE(i + 4);
    out.push(buf.subarray(i + 8, Math.min(buf.length, i + 8 + size)));
    i += 8 + size;
  }
  return Buffer.concat(out);
}
