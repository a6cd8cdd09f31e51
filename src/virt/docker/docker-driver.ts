// ComputeDriver on a real Docker Engine through dockerode. The only code that speaks to Docker.
// Two dockerode clients: `docker` for ordinary calls (docker-modem's idle timeout as a backstop
// behind each call's own deadline) and `streams`, without that idle timeout, for what may stay
// quiet for long: the event stream, exec sessions, image load/import/save, commit, and stops
// that wait Docker's `t` seconds.
import fs from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import type Docker from 'dockerode';
import { DriverError } from '../../errors.js';
import {
  LABELS,
  MANAGED_BY,
  containerName,
  lastLines,
  type ComputeDriver,
  type DriverEvent,
  type ExecSession,
  type HostInfo,
  type InstanceAddress,
  type InstanceInfo,
  type InstanceStats,
  type SpawnSpec,
  type BridgeNetworkSpec,
  type NetworkAttachment,
  type NetworkSummary,
} from '../driver.js';
import { call, dialStream, dockerFromUrl, followProgress, mapDockerError } from './docker-client.js';
import { DockerNetworks } from './docker-networks.js';
import { envRestoringImage } from './commit-env.js';
import { watchDockerEvents } from './events.js';
import { openExecSession } from './exec-session.js';
import { tarOf } from '../tar-writer.js';
import { toInstanceStats, type RawStats } from './stats.js';
import { PowerState } from '../power-state.js';
import { powerStateFromDocker } from './power-state.js';

export interface DockerDriverOptions {
  dockerUrl: string;
  /** ordinary call timeout */
  timeoutMs: number;
  /** timeout for long streams: load, import, save, commit */
  longTimeoutMs?: number;
  /** this service's id, put on every container it creates */
  serviceId?: string;
}

export class DockerDriver implements ComputeDriver {
  private readonly docker: Docker;
  private readonly streams: Docker;
  private readonly timeoutMs: number;
  private readonly longTimeoutMs: number;
  private hostCpus: number | null = null;
  /** ensureNetwork in flight per name: concurrent callers share one create */
  private networksInFlight = new Map<string, Promise<void>>();
  private watchers = new Set<() => void>();

  constructor(private readonly opts: DockerDriverOptions) {
    this.timeoutMs = opts.timeoutMs;
    this.longTimeoutMs = opts.longTimeoutMs ?? 30 * 60_000;
    this.docker = dockerFromUrl(opts.dockerUrl, opts.timeoutMs + 1000);
    this.streams = dockerFromUrl(opts.dockerUrl);
  }

  private container(instanceUuid: string, client: Docker = this.docker) {
    return client.getContainer(containerName(instanceUuid));
  }

  private call<T>(
    what: string,
    fn: (abortSignal: AbortSignal) => Promise<T>,
    o: { okNotModified?: boolean; okNotFound?: boolean; timeoutMs?: number } = {},
  ) {
    return call(what, fn, { ...o, timeoutMs: o.timeoutMs ?? this.timeoutMs });
  }

  private async mustExist(instanceUuid: string): Promise<InstanceInfo> {
    const info = await this.getInfo(instanceUuid);
    if (info.status === 'missing')
      throw new DriverError(`No such container: ${containerName(instanceUuid)}`, 'not-found');
    return info;
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

  private async imageId(ref: string): Promise<string> {
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
    res.on('close', () =>
      fail(new DriverError('Docker Engine is unreachable (ECONNRESET) during image save', 'unavailable')),
    );
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

  // ---- instances ------------------------------------------------------------------------------
  private async cpusFor(vcpus: number): Promise<number> {
    if (this.hostCpus === null) await this.hostInfo().catch(() => undefined);
    // Docker refuses NanoCpus above the host's CPU count; a flavor larger than the host still boots.
    return Math.min(vcpus, this.hostCpus ?? vcpus);
  }

  async spawn(spec: SpawnSpec): Promise<InstanceInfo> {
    const memory = spec.memoryMb * 1024 * 1024;
    const cpus = await this.cpusFor(spec.vcpus);
    const tty = spec.tty ?? true;
    const labels = {
      ...(spec.extraLabels ?? {}),
      [LABELS.managedBy]: MANAGED_BY,
      [LABELS.instanceUuid]: spec.instanceUuid,
      [LABELS.projectId]: spec.projectId,
      ...(this.opts.serviceId ? { [LABELS.serviceId]: this.opts.serviceId } : {}),
    };
    const body: Docker.ContainerCreateOptions = {
      name: containerName(spec.instanceUuid),
      Hostname: spec.hostname,
      Image: spec.image,
      Cmd: spec.command,
      Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
      Tty: tty,
      OpenStdin: tty,
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      Labels: labels,
      HostConfig: {
        Memory: memory,
        MemorySwap: memory,
        NanoCpus: Math.round(cpus * 1e9),
        PidsLimit: spec.pidsLimit,
        Privileged: false,
        Init: true,
        NetworkMode: spec.network ?? 'none',
        Binds: (spec.mounts ?? []).map((m) => `${m.source}:${m.target}:ro`),
        RestartPolicy: { Name: 'no' },
        LogConfig: { Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '2' } },
      },
    };
    // The injected files' archive is built first: a path that names no file fails before any container exists.
    let tar: Buffer | null = null;
    try {
      tar = spec.files?.length ? tarOf(spec.files) : null;
    } catch (err) {
      throw new DriverError((err as Error).message);
    }
    try {
      await this.call('create container', (abortSignal) => this.docker.createContainer({ ...body, abortSignal }));
      // Injected files go in between create and start, so the first process already sees them.
      if (tar) {
        await this.call('put injected files', (abortSignal) =>
          this.container(spec.instanceUuid).putArchive(tar, { path: '/', abortSignal }),
        );
      }
      await this.call(
        'start container',
        (abortSignal) => this.container(spec.instanceUuid).start({ abortSignal } as object),
        { okNotModified: true },
      );
      return await this.getInfo(spec.instanceUuid);
    } catch (err) {
      // Spawn cleans up after itself: no half-built container stays behind. A name conflict
      // means the container is someone else's (another spawn of this uuid): leave it alone.
      const mapped = mapDockerError(err, 'spawn');
      if (mapped.kind !== 'conflict') await this.destroy(spec.instanceUuid).catch(() => undefined);
      throw mapped;
    }
  }

  async destroy(instanceUuid: string): Promise<void> {
    await this.call(
      'remove container',
      (abortSignal) => this.container(instanceUuid).remove({ force: true, v: true, abortSignal } as object),
      { okNotFound: true },
    );
  }

  /** Docker waits `t` seconds before SIGKILL: the deadline must cover that wait. */
  private stopDeadline(timeoutS: number): number {
    return this.timeoutMs + Math.max(0, timeoutS) * 1000;
  }

  async powerOff(instanceUuid: string, timeoutS: number): Promise<void> {
    const info = await this.mustExist(instanceUuid);
    // Docker cannot stop a paused container gracefully: unpause first (nova-docker did the same).
    if (info.status === 'paused') await this.unpause(instanceUuid);
    await this.call(
      'stop container',
      (abortSignal) => this.container(instanceUuid, this.streams).stop({ t: timeoutS, abortSignal } as object),
      { okNotModified: true, timeoutMs: this.stopDeadline(timeoutS) },
    );
  }

  async powerOn(instanceUuid: string): Promise<void> {
    await this.call('start container', (abortSignal) => this.container(instanceUuid).start({ abortSignal } as object), {
      okNotModified: true,
    });
  }

  async reboot(instanceUuid: string, type: 'SOFT' | 'HARD', timeoutS: number): Promise<void> {
    const info = await this.mustExist(instanceUuid);
    if (info.status === 'paused') await this.unpause(instanceUuid);
    if (type === 'HARD') {
      if (info.status === 'running' || info.status === 'paused' || info.status === 'restarting') {
        await this.call(
          'kill container',
          (abortSignal) => this.container(instanceUuid).kill({ abortSignal } as object),
          {
            okNotModified: true,
          },
        ).catch((e: DriverError) => {
          if (e.kind !== 'conflict') throw e;
        }); // "is not running": already down
      }
      await this.powerOn(instanceUuid);
    } else {
      await this.call(
        'restart container',
        (abortSignal) => this.container(instanceUuid, this.streams).restart({ t: timeoutS, abortSignal } as object),
        { timeoutMs: this.stopDeadline(timeoutS) + this.timeoutMs },
      );
    }
  }

  async pause(instanceUuid: string): Promise<void> {
    await this.call('pause container', (abortSignal) => this.container(instanceUuid).pause({ abortSignal } as object));
    await this.settlePaused(instanceUuid, true);
  }

  async unpause(instanceUuid: string): Promise<void> {
    await this.call('unpause container', (abortSignal) =>
      this.container(instanceUuid).unpause({ abortSignal } as object),
    );
    await this.settlePaused(instanceUuid, false);
  }

  /**
   * dockerd answers pause/unpause once containerd has frozen or thawed the cgroup, but records the
   * new state when containerd's event reaches it: on a loaded machine an inspect right after the
   * answer still showed the old state. Wait (briefly) until Docker reports what was done.
   */
  private async settlePaused(instanceUuid: string, paused: boolean): Promise<void> {
    for (let waited = 0; waited < 5_000; waited += 20) {
      const info = await this.call<Docker.ContainerInspectInfo>(
        'inspect container',
        (abortSignal) => this.container(instanceUuid).inspect({ abortSignal } as object),
        { okNotFound: true },
      );
      if (!info || info.State.Paused === paused) return;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async suspend(instanceUuid: string): Promise<void> {
    // A container has no memory image to save to disk; freezing its cgroup is the honest analogue.
    await this.pause(instanceUuid);
  }

  async resume(instanceUuid: string): Promise<void> {
    await this.unpause(instanceUuid);
  }

  async updateResources(
    instanceUuid: string,
    res: { memoryMb: number; vcpus: number; pidsLimit: number },
  ): Promise<void> {
    const memory = res.memoryMb * 1024 * 1024;
    const cpus = await this.cpusFor(res.vcpus);
    await this.call('update container', (abortSignal) =>
      this.container(instanceUuid).update({
        Memory: memory,
        MemorySwap: memory,
        NanoCpus: Math.round(cpus * 1e9),
        PidsLimit: res.pidsLimit,
        abortSignal,
      }),
    );
  }

  async snapshot(instanceUuid: string, opts: { repo: string; tag: string }): Promise<string> {
    // The snapshot keeps the disk, not the metadata given to the container as environment.
    const container = (await this.call<Docker.ContainerInspectInfo>('inspect container', (abortSignal) =>
      this.container(instanceUuid).inspect({ abortSignal } as object),
    ))!;
    const image = await this.call<Docker.ImageInspectInfo>(
      'inspect image',
      (abortSignal) => this.docker.getImage(container.Image).inspect({ abortSignal } as object),
      { okNotFound: true },
    );
    // Without the source image (removed by force) nothing tells the additions apart: keep the Env as is.
    const env = image ? envRestoringImage(container.Config.Env ?? [], image.Config?.Env ?? []) : [];
    // commit pauses the container while it copies its upper layer: can be long, own deadline.
    // `_body` is the container config merged into the new image (docker-modem sends it as the body).
    const r = (await this.call(
      'commit container',
      (abortSignal) =>
        this.container(instanceUuid, this.streams).commit({
          repo: opts.repo,
          tag: opts.tag,
          pause: true,
          abortSignal,
          _body: { Env: env },
        } as object),
      { timeoutMs: this.longTimeoutMs },
    )) as { Id?: string };
    if (!r?.Id) throw new DriverError('commit container failed: Docker returned no image id');
    return r.Id;
  }

  async getInfo(instanceUuid: string): Promise<InstanceInfo> {
    const data = await this.call<Docker.ContainerInspectInfo>(
      'inspect container',
      (abortSignal) => this.container(instanceUuid).inspect({ abortSignal } as object),
      { okNotFound: true },
    );
    if (!data) return missingInfo(instanceUuid);
    return toInstanceInfo(data);
  }

  async listInstances(): Promise<InstanceInfo[]> {
    const filters = { label: [`${LABELS.managedBy}=${MANAGED_BY}`] };
    const list = (await this.call('list containers', (abortSignal) =>
      this.docker.listContainers({ all: true, filters, abortSignal } as object),
    )) as Docker.ContainerInfo[];
    return list.map(fromListEntry);
  }

  async getConsoleOutput(instanceUuid: string, tailLines?: number): Promise<string> {
    const data = await this.call<Docker.ContainerInspectInfo>(
      'inspect container',
      (abortSignal) => this.container(instanceUuid).inspect({ abortSignal } as object),
      { okNotFound: true },
    );
    if (!data) return '';
    const tty = Boolean(data.Config.Tty);
    // Without a TTY Docker keeps one log entry per line, so its `tail` is exact; with a TTY an
    // entry is whatever one read returned (part of a line, or several), so cut here instead.
    const tail = !tty && tailLines !== undefined ? String(tailLines) : 'all';
    const buf = await this.readLogs(data.Id, tail);
    // Without a TTY Docker multiplexes stdout/stderr in 8-byte-header frames.
    const text = (tty ? buf : demux(buf)).toString('utf8').replace(/\r\n/g, '\n');
    return lastLines(text, tailLines);
  }

  /** The raw log bytes, read as a stream (dockerode's buffered logs() would JSON-parse them). */
  private async readLogs(containerId: string, tail: string): Promise<Buffer> {
    const res = await dialStream(
      this.docker,
      'container logs',
      `/containers/${containerId}/logs`,
      { stdout: true, stderr: true, follow: false, tail },
      this.timeoutMs,
    ).catch((e: DriverError) => {
      if (e.kind === 'not-found') return null; // removed between inspect and logs
      throw e;
    });
    if (!res) return Buffer.alloc(0);
    const timer = setTimeout(
      () => res.destroy(new DriverError('Docker did not finish container logs in time', 'timeout')),
      this.longTimeoutMs,
    );
    try {
      const chunks: Buffer[] = [];
      for await (const c of res) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
      return Buffer.concat(chunks);
    } catch (err) {
      throw mapDockerError(err, 'container logs');
    } finally {
      clearTimeout(timer);
    }
  }

  async getStats(instanceUuid: string): Promise<InstanceStats> {
    const info = await this.mustExist(instanceUuid);
    // one-shot: no second sample (and no 1 s wait) for the precpu fields, which we do not use.
    const raw = (await this.call(
      'container stats',
      (abortSignal) =>
        this.container(instanceUuid).stats({
          stream: false,
          'one-shot': true,
          abortSignal,
        } as object) as unknown as Promise<RawStats>,
    )) as RawStats;
    return toInstanceStats(raw, info.startedAt, info.status === 'running' || info.status === 'paused', Date.now());
  }

  async exec(instanceUuid: string, cmd: string[]): Promise<ExecSession> {
    return openExecSession(this.docker, this.streams, containerName(instanceUuid), cmd, this.timeoutMs);
  }

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
  }
}

/** Calls a dockerode method whose typings lack the options overload (abortSignal is still honoured). */
function withOptions<T = unknown>(target: object, method: string, options: object): Promise<T> {
  return (target as Record<string, (o: object) => Promise<T>>)[method](options);
}

function missingInfo(instanceUuid: string): InstanceInfo {
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

function fromListEntry(c: Docker.ContainerInfo): InstanceInfo {
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

function toInstanceInfo(d: Docker.ContainerInspectInfo): InstanceInfo {
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
