// The engine half of the Docker driver: the two dockerode clients, one call's deadline, and what
// concerns the engine rather than one container: host facts, images, networks, the event stream.
// Two clients: `docker` for ordinary calls (docker-modem's idle timeout as a backstop behind each
// call's own deadline) and `streams`, without that idle timeout, for what may stay quiet for long:
// the event stream, exec sessions, image load/import/save, commit, and stops that wait Docker's `t`.
import { engineUnreachable } from '../driver-errors.js';
import fs from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import type Docker from 'dockerode';
import { DriverError } from '../../errors.js';
import {
  LABELS,
  MANAGED_BY,
  type BridgeNetworkSpec,
  type DriverEvent,
  type FirewallTables,
  type HostInfo,
  type NetworkAttachment,
  type NetworkSummary,
} from '../driver.js';
import { call, dialStream, dockerFromUrl, followProgress, mapDockerError } from './docker-client.js';
import { watchDockerEvents } from './events.js';
import { DockerNetworks } from './docker-networks.js';
import { NetnsFirewall, type SandboxInspect } from './docker-firewall.js';

export interface DockerDriverOptions {
  dockerUrl: string;
  /** ordinary call timeout */
  timeoutMs: number;
  /** timeout for long streams: load, import, save, commit */
  longTimeoutMs?: number;
  /** this service's id, put on every container it creates */
  serviceId?: string;
}

/** Calls a dockerode method whose typings lack the options overload (abortSignal is still honoured). */
export function withOptions<T = unknown>(target: object, method: string, options: object): Promise<T> {
  return (target as Record<string, (o: object) => Promise<T>>)[method](options);
}

export abstract class DockerEngine {
  protected readonly docker: Docker;
  protected readonly streams: Docker;
  protected readonly timeoutMs: number;
  protected readonly longTimeoutMs: number;
  protected hostCpus: number | null = null;
  /** ensureNetwork in flight per name: concurrent callers share one create */
  private networksInFlight = new Map<string, Promise<void>>();
  private watchers = new Set<() => void>();

  constructor(protected readonly opts: DockerDriverOptions) {
    this.timeoutMs = opts.timeoutMs;
    this.longTimeoutMs = opts.longTimeoutMs ?? 30 * 60_000;
    this.docker = dockerFromUrl(opts.dockerUrl, opts.timeoutMs + 1000);
    this.streams = dockerFromUrl(opts.dockerUrl);
  }

  protected call<T>(
    what: string,
    fn: (abortSignal: AbortSignal) => Promise<T>,
    o: { okNotModified?: boolean; okNotFound?: boolean; timeoutMs?: number; deadlineMs?: () => number } = {},
  ) {
    return call(what, fn, { ...o, timeoutMs: o.timeoutMs ?? this.timeoutMs });
  }

  // ---- host -----------------------------------------------------------------------------------
  async ping(): Promise<void> {
    await this.call('ping', (abortSignal) => withOptions(this.docker, 'ping', { abortSignal }));
  }

  async hostInfo(): Promise<HostInfo> {
    const [info, version] = await Promise.all([
      this.call('info', (abortSignal) => withOptions(this.docker, 'info', { abortSignal })) as Promise<
        Record<string, unknown>
      >,
      this.call('version', (abortSignal) => withOptions(this.docker, 'version', { abortSignal })) as unknown as Promise<
        Record<string, unknown>
      >,
    ]);
    this.hostCpus = Number(info.NCPU) || 1;
    const disk = this.localDisk(String(info.DockerRootDir ?? ''));
    return {
      cpus: this.hostCpus,
      memoryBytes: Number(info.MemTotal) || 0,
      diskTotalBytes: disk.total,
      diskFreeBytes: disk.free,
      serverVersion: String(info.ServerVersion ?? ''),
      apiVersion: String(version.ApiVersion ?? ''),
      operatingSystem: String(info.OperatingSystem ?? ''),
      kernelVersion: String(info.KernelVersion ?? ''),
      storageDriver: String(info.Driver ?? ''),
      containers: Number(info.Containers) || 0,
      containersRunning: Number(info.ContainersRunning) || 0,
    };
  }

  /**
   * The filesystem holding the engine's data-root, when the engine is on this machine (a unix
   * socket); Docker's API does not report disk size, and a remote engine's disk is unknown (0).
   */
  private localDisk(dockerRootDir: string): { total: number; free: number } {
    if (!this.opts.dockerUrl.startsWith('unix://') || !dockerRootDir) return { total: 0, free: 0 };
    try {
      const st = fs.statfsSync(dockerRootDir);
      return { total: st.blocks * st.bsize, free: st.bavail * st.bsize };
    } catch {
      return { total: 0, free: 0 };
    }
  }

  // ---- images ---------------------------------------------------------------------------------
  async imageExists(ref: string): Promise<boolean> {
    const r = await this.call(
      'inspect image',
      (abortSignal) => this.docker.getImage(ref).inspect({ abortSignal } as object),
      { okNotFound: true },
    );
    return r !== undefined;
  }

  protected async imageId(ref: string): Promise<string> {
    const info = (await this.call('inspect image', (abortSignal) =>
      this.docker.getImage(ref).inspect({ abortSignal } as object),
    )) as { Id: string };
    return info.Id;
  }

  async loadImage(archive: Readable): Promise<string[]> {
    const stream = (await this.call(
      'load image',
      (abortSignal) => this.streams.loadImage(archive, { quiet: true, abortSignal } as object),
      { timeoutMs: this.longTimeoutMs },
    ))!;
    const events = await followProgress(stream, 'image load', this.longTimeoutMs);
    const refs: string[] = [];
    for (const e of events) {
      const m = /Loaded image(?: ID)?: (\S+)/.exec(String(e.stream ?? ''));
      if (m) refs.push(m[1]);
    }
    if (refs.length === 0) throw new DriverError('image load failed: the archive contained no image');
    // "Loaded image: repo:tag" names a reference; resolve each to its id.
    const ids: string[] = [];
    for (const ref of refs) {
      const id = ref.startsWith('sha256:') ? ref : await this.imageId(ref);
      if (!ids.includes(id)) ids.push(id);
    }
    return ids;
  }

  async importImage(rootfs: Readable, opts: { repo: string; tag: string; changes?: string[] }): Promise<string> {
    const query = { repo: opts.repo, tag: opts.tag, ...(opts.changes?.length ? { changes: opts.changes } : {}) };
    const stream = (await this.call(
      'import image',
      (abortSignal) => this.streams.importImage(rootfs as unknown as string, { ...query, abortSignal } as object),
      { timeoutMs: this.longTimeoutMs },
    ))!;
    const events = await followProgress(stream, 'image import', this.longTimeoutMs);
    const id = events
      .map((e) => String(e.status ?? ''))
      .reverse()
      .find((s) => s.startsWith('sha256:'));
    return id ?? this.imageId(`${opts.repo}:${opts.tag}`);
  }

  async saveImage(ref: string): Promise<Readable> {
    const res = await dialStream(
      this.streams,
      'save image',
      `/images/${encodeURIComponent(ref)}/get`,
      {},
      this.timeoutMs,
    );
    // Our own stream: errors are DriverErrors, a connection that drops before the end is an error
    // (a truncated tarball must never look complete), and the whole transfer has a deadline.
    const out = new PassThrough();
    let ended = false;
    const fail = (err: DriverError) => {
      if (!ended) {
        ended = true;
        clearTimeout(timer);
        res.destroy();
        out.destroy(err);
      }
    };
    const timer = setTimeout(
      () => fail(new DriverError('Docker did not finish image save in time', 'timeout')),
      this.longTimeoutMs,
    );
    res.on('error', (err) => fail(mapDockerError(err, 'image save')));
    res.on('end', () => {
      ended = true;
      clearTimeout(timer);
    });
    res.on('close', () => fail(engineUnreachable('image save')));
    out.on('close', () => {
      if (!ended) {
        ended = true;
        clearTimeout(timer);
        res.destroy();
      }
    });
    res.pipe(out);
    return out;
  }

  async removeImage(ref: string): Promise<void> {
    await this.call(
      'remove image',
      (abortSignal) => this.docker.getImage(ref).remove({ force: true, abortSignal } as object),
      { okNotFound: true },
    );
  }

  // ---- networks and events -------------------------------------------------------------------
  async ensureNetwork(name: string, subnet: string | null): Promise<void> {
    // Docker allows two networks with one name (CheckDuplicate is best effort): callers in this
    // process share one creation; across processes the name conflict (409) counts as done.
    const inFlight = this.networksInFlight.get(name);
    if (inFlight) return inFlight;
    const p = this.createNetworkIfMissing(name, subnet).finally(() => this.networksInFlight.delete(name));
    this.networksInFlight.set(name, p);
    return p;
  }

  // ---- networks of the network service (docker-networks.ts) -------------------------------------
  private get networks(): DockerNetworks {
    return (this.networksImpl ??= new DockerNetworks(this.docker, this.timeoutMs));
  }
  private networksImpl: DockerNetworks | null = null;

  ensureBridgeNetwork(spec: BridgeNetworkSpec): Promise<string> {
    return this.networks.ensureBridgeNetwork(spec);
  }
  removeNetwork(name: string): Promise<void> {
    return this.networks.removeNetwork(name);
  }
  listNetworks(label: string): Promise<NetworkSummary[]> {
    return this.networks.listNetworks(label);
  }
  connectNetwork(instanceUuid: string, iface: NetworkAttachment): Promise<{ mac: string | null }> {
    return this.networks.connectNetwork(instanceUuid, iface);
  }
  disconnectNetwork(instanceUuid: string, network: string): Promise<void> {
    return this.networks.disconnectNetwork(instanceUuid, network);
  }

  // ---- security groups inside each container's own namespace (docker-firewall.ts) ----------------
  private firewallImpl: NetnsFirewall | null = null;
  private get firewall(): NetnsFirewall {
    return (this.firewallImpl ??= new NetnsFirewall(
      this.opts.dockerUrl,
      (name) =>
        this.call(
          'inspect container',
          (abortSignal) => withOptions(this.docker.getContainer(name), 'inspect', { abortSignal }),
          {
            okNotFound: true,
          },
        ) as Promise<SandboxInspect | undefined>,
      this.timeoutMs,
    ));
  }
  firewallSupported(): boolean {
    return this.firewall.supported();
  }
  /** An inspect of the instance's container: its pid and sandbox spare the next apply its own inspect. */
  protected sawContainer(instanceUuid: string, data: SandboxInspect | null): void {
    if (data) this.firewall.remember(instanceUuid, data);
    else this.firewall.forget(instanceUuid);
  }
  applyFirewall(instanceUuid: string, tables: FirewallTables | null): Promise<boolean> {
    return this.firewall.apply(instanceUuid, tables);
  }

  private async createNetworkIfMissing(name: string, subnet: string | null): Promise<void> {
    const existing = await this.call(
      'inspect network',
      (abortSignal) => withOptions(this.docker.getNetwork(name), 'inspect', { abortSignal }),
      { okNotFound: true },
    );
    if (existing) return;
    await this.call('create network', (abortSignal) =>
      (this.docker.createNetwork as (o: object) => Promise<unknown>).call(this.docker, {
        Name: name,
        Driver: 'bridge',
        CheckDuplicate: true,
        Labels: { [LABELS.managedBy]: MANAGED_BY },
        // Without a subnet the engine takes the next /24 of its address pool (198.18.0.0/16 here).
        ...(subnet ? { IPAM: { Driver: 'default', Config: [{ Subnet: subnet }] } } : {}),
        abortSignal,
      }),
    ).catch((e: DriverError) => {
      if (e.kind !== 'conflict') throw e; // created concurrently
    });
  }

  async watchEvents(onEvent: (e: DriverEvent) => void, onError: (err: Error) => void): Promise<() => void> {
    let stop: (() => void) | null = null;
    const forget = () => {
      if (stop) this.watchers.delete(stop);
    };
    stop = await watchDockerEvents(this.streams, this.timeoutMs, onEvent, (err) => {
      forget();
      onError(err);
    });
    const s = stop;
    this.watchers.add(s);
    return () => {
      this.watchers.delete(s);
      s();
    };
  }

  async close(): Promise<void> {
    for (const stop of this.watchers) stop();
    this.watchers.clear();
    await this.firewallImpl?.close();
  }
}
