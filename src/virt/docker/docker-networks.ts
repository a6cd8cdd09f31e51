// The network half of the Docker driver: bridge networks with explicit addressing, and live
// endpoints with explicit addresses. Docker 20.10 (API 1.41) facts it relies on (docs/network.md):
// one IPv4 and one IPv6 subnet per bridge network; an overlapping range is a 403 "Pool overlaps";
// a failed connect leaves the network in the container's config without an address, and the
// container then cannot start again — cleared by a forced disconnect when the container is
// stopped, and only by a successful connect + disconnect when it runs.
import { networkAddressingConflict } from '../driver-errors.js';
import type Docker from 'dockerode';
import { DriverError } from '../../errors.js';
import {
  containerName,
  LABELS,
  type BridgeNetworkSpec,
  type NetworkAttachment,
  type NetworkSummary,
} from '../driver.js';
import { call, mapDockerError } from './docker-client.js';

type Call = <T>(
  what: string,
  fn: (signal: AbortSignal) => Promise<T>,
  o?: { okNotFound?: boolean },
) => Promise<T | undefined>;

interface NetworkInspect {
  Id: string;
  IPAM?: { Config?: { Subnet?: string; Gateway?: string }[] };
  Containers?: Record<string, unknown>;
}

/** Docker answers these with 403/500; they are conflicts with what exists. */
const CONFLICT = /Pool overlaps|Address already in use|already exists|has active endpoints|same bridge name/i;

export class DockerNetworks {
  private inFlight = new Map<string, Promise<string>>();

  constructor(
    private readonly docker: Docker,
    private readonly timeoutMs: number,
  ) {}

  private call: Call = (what, fn, o = {}) =>
    call(what, fn, { ...o, timeoutMs: this.timeoutMs }).catch((e: unknown) => {
      const err = e instanceof DriverError ? e : mapDockerError(e, what);
      if (err.kind === 'failed' && CONFLICT.test(err.message)) throw new DriverError(err.message, 'conflict');
      throw err;
    });

  ensureBridgeNetwork(spec: BridgeNetworkSpec): Promise<string> {
    const running = this.inFlight.get(spec.name);
    if (running) return running;
    const p = this.ensure(spec).finally(() => this.inFlight.delete(spec.name));
    this.inFlight.set(spec.name, p);
    return p;
  }

  private async ensure(spec: BridgeNetworkSpec): Promise<string> {
    const net = this.docker.getNetwork(spec.name);
    const existing = await this.call(
      'inspect network',
      (abortSignal) => withOptions<NetworkInspect>(net, 'inspect', { abortSignal }),
      {
        okNotFound: true,
      },
    );
    if (existing) {
      const cfg = existing.IPAM?.Config ?? [];
      const has = (s: { cidr: string; gateway: string }) =>
        cfg.some((c) => c.Subnet === s.cidr && c.Gateway === s.gateway);
      if (has(spec.v4) && (!spec.v6 || has(spec.v6))) return existing.Id;
      if (Object.keys(existing.Containers ?? {}).length) {
        throw networkAddressingConflict(spec.name);
      }
      await this.removeNetwork(spec.name);
    }
    const config = [spec.v4, ...(spec.v6 ? [spec.v6] : [])].map((s) => ({ Subnet: s.cidr, Gateway: s.gateway }));
    try {
      const created = (await this.call('create network', (abortSignal) =>
        (this.docker.createNetwork as (o: object) => Promise<{ id: string }>).call(this.docker, {
          Name: spec.name,
          Driver: 'bridge',
          CheckDuplicate: true,
          EnableIPv6: !!spec.v6,
          Labels: spec.labels,
          Options: { 'com.docker.network.bridge.name': spec.bridge, 'com.docker.network.driver.mtu': String(spec.mtu) },
          IPAM: { Driver: 'default', Config: config },
          abortSignal,
        }),
      ))!;
      return created.id;
    } catch (e) {
      // created concurrently by another process: the name conflict (409) counts as done
      if (e instanceof DriverError && /already exists/.test(e.message)) {
        const again = (await this.call('inspect network', (abortSignal) =>
          withOptions(net, 'inspect', { abortSignal }),
        )) as NetworkInspect;
        return again.Id;
      }
      throw e;
    }
  }

  async removeNetwork(name: string): Promise<void> {
    await this.call(
      'remove network',
      (abortSignal) => withOptions(this.docker.getNetwork(name), 'remove', { abortSignal }),
      {
        okNotFound: true,
      },
    );
  }

  async listNetworks(label: string): Promise<NetworkSummary[]> {
    type Listed = {
      Name: string;
      Id: string;
      Labels?: Record<string, string>;
      IPAM?: { Config?: { Subnet?: string }[] };
    };
    const nets =
      (await this.call('list networks', (abortSignal) =>
        withOptions<Listed[]>(this.docker, 'listNetworks', { filters: { label: [label] }, abortSignal }),
      )) ?? [];
    const out: NetworkSummary[] = [];
    for (const n of nets) {
      // the list does not carry endpoints; inspect does
      const full = await this.call(
        'inspect network',
        (abortSignal) =>
          withOptions<NetworkInspect & { Containers?: Record<string, { Name?: string }> }>(
            this.docker.getNetwork(n.Id),
            'inspect',
            {
              abortSignal,
            },
          ),
        {
          okNotFound: true,
        },
      );
      const instances = Object.values(full?.Containers ?? {})
        .map((c) => c.Name ?? '')
        .filter((name) => name.startsWith(containerName('')))
        .map((name) => name.slice(containerName('').length));
      out.push({
        name: n.Name,
        id: n.Id,
        labels: n.Labels ?? {},
        subnets: (n.IPAM?.Config ?? []).map((c) => c.Subnet ?? '').filter(Boolean),
        instances,
      });
    }
    return out;
  }

  async connectNetwork(instanceUuid: string, iface: NetworkAttachment): Promise<{ mac: string | null }> {
    const name = containerName(instanceUuid);
    const net = this.docker.getNetwork(iface.network);
    try {
      await this.call('connect network', (abortSignal) =>
        withOptions(net, 'connect', {
          Container: name,
          EndpointConfig: { IPAMConfig: { IPv4Address: iface.ipv4, IPv6Address: iface.ipv6 } },
          abortSignal,
        }),
      );
    } catch (e) {
      if (!(e instanceof DriverError && /already exists in network/.test(e.message))) {
        await this.dropStaleEndpoint(name, iface.network);
      }
      throw e;
    }
    const info = (await this.call('inspect container', (abortSignal) =>
      withOptions(this.docker.getContainer(name), 'inspect', { abortSignal }),
    )) as { NetworkSettings?: { Networks?: Record<string, { MacAddress?: string }> } };
    return { mac: info.NetworkSettings?.Networks?.[iface.network]?.MacAddress || null };
  }

  /** Clears the address-less entry a failed connect leaves behind (see the header). Best effort. */
  private async dropStaleEndpoint(container: string, network: string): Promise<void> {
    const net = this.docker.getNetwork(network);
    const quiet = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        () => undefined,
      );
    await quiet(net.disconnect({ Container: container, Force: true }));
    const info = (await this.docker
      .getContainer(container)
      .inspect()
      .catch(() => null)) as {
      NetworkSettings?: { Networks?: Record<string, unknown> };
    } | null;
    if (!info || !(network in (info.NetworkSettings?.Networks ?? {}))) return;
    await quiet(net.connect({ Container: container }));
    await quiet(net.disconnect({ Container: container, Force: true }));
  }

  async disconnectNetwork(instanceUuid: string, network: string): Promise<void> {
    try {
      await this.call(
        'disconnect network',
        (abortSignal) =>
          withOptions(this.docker.getNetwork(network), 'disconnect', {
            Container: containerName(instanceUuid),
            Force: true,
            abortSignal,
          }),
        { okNotFound: true },
      );
    } catch (e) {
      if (e instanceof DriverError && /is not connected to network/.test(e.message)) return;
      throw e;
    }
  }
}

/** dockerode's typings omit `abortSignal` on most calls; the modem honours it. */
function withOptions<T = unknown>(target: object, method: string, options: object): Promise<T> {
  return (target as Record<string, (o: object) => Promise<T>>)[method].call(target, options);
}

export const NETWORK_LABELS = { networkId: 'io.novadock.network-id', managedBy: LABELS.managedBy } as const;
