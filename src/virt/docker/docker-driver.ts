// ComputeDriver on a real Docker Engine through dockerode. The only code that speaks to Docker.
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { DriverError } from '../../errors';
import { PowerState, powerStateFromDocker } from '../../compute/states';
import {
  LABELS, MANAGED_BY, containerName, type ComputeDriver, type DriverEvent, type ExecSession, type HostInfo,
  type InstanceAddress, type InstanceInfo, type InstanceStats, type SpawnSpec,
} from '../driver';
import { call, dockerFromUrl, followProgress, mapDockerError } from './docker-client';

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
  readonly docker: Docker;
  private readonly longTimeoutMs: number;
  private hostCpus: number | null = null;

  constructor(private readonly opts: DockerDriverOptions) {
    this.docker = dockerFromUrl(opts.dockerUrl, opts.timeoutMs);
    this.longTimeoutMs = opts.longTimeoutMs ?? 30 * 60_000;
  }

  private container(instanceUuid: string) {
    return this.docker.getContainer(containerName(instanceUuid));
  }

  // ---- host -----------------------------------------------------------------------------------
  async ping(): Promise<void> {
    await call('ping', () => this.docker.ping());
  }

  async hostInfo(): Promise<HostInfo> {
    const [info, version] = await Promise.all([
      call('info', () => this.docker.info()) as Promise<Record<string, unknown>>,
      call('version', () => this.docker.version()) as unknown as Promise<Record<string, unknown>>,
    ]);
    this.hostCpus = Number(info.NCPU) || 1;
    return {
      cpus: this.hostCpus,
      memoryBytes: Number(info.MemTotal) || 0,
      diskTotalBytes: 0,
      diskFreeBytes: 0,
      serverVersion: String(info.ServerVersion ?? ''),
      apiVersion: String(version.ApiVersion ?? ''),
      operatingSystem: String(info.OperatingSystem ?? ''),
      kernelVersion: String(info.KernelVersion ?? ''),
      storageDriver: String(info.Driver ?? ''),
      containers: Number(info.Containers) || 0,
      containersRunning: Number(info.ContainersRunning) || 0,
    };
  }

  // ---- images ---------------------------------------------------------------------------------
  async imageExists(ref: string): Promise<boolean> {
    const r = await call('inspect image', () => this.docker.getImage(ref).inspect(), { okNotFound: true });
    return r !== undefined;
  }

  async loadImage(archive: Readable): Promise<string[]> {
    const stream = (await call('load image', () => this.docker.loadImage(archive, { quiet: true }))) as NodeJS.ReadableStream;
    archive.on('error', (err) => (stream as unknown as { destroy(e: Error): void }).destroy(err));
    const events = await followProgress(stream, 'image load', this.longTimeoutMs);
    const ids: string[] = [];
    for (const e of events) {
      const m = /Loaded image(?: ID)?: (\S+)/.exec(String(e.stream ?? ''));
      if (m) ids.push(m[1]);
    }
    if (ids.length === 0) throw new DriverError('image load failed: the archive contained no image');
    // "Loaded image: repo:tag" names a reference; resolve each to its id.
    const resolved: string[] = [];
    for (const ref of ids) {
      if (ref.startsWith('sha256:')) resolved.push(ref);
      else {
        const info = (await call('inspect image', () => this.docker.getImage(ref).inspect())) as { Id: string };
        resolved.push(info.Id);
      }
    }
    return resolved;
  }

  async importImage(rootfs: Readable, opts: { repo: string; tag: string; changes?: string[] }): Promise<string> {
    const stream = (await call('import image', () =>
      this.docker.importImage(rootfs as unknown as string, { repo: opts.repo, tag: opts.tag, changes: opts.changes } as never) as unknown as Promise<NodeJS.ReadableStream>,
    )) as NodeJS.ReadableStream;
    rootfs.on('error', (err) => (stream as unknown as { destroy(e: Error): void }).destroy(err));
    const events = await followProgress(stream, 'image import', this.longTimeoutMs);
    const last = events.map((e) => String(e.status ?? '')).reverse().find((s) => s.startsWith('sha256:'));
    if (last) return last;
    const info = (await call('inspect image', () => this.docker.getImage(`${opts.repo}:${opts.tag}`).inspect())) as { Id: string };
    return info.Id;
  }

  async saveImage(ref: string): Promise<Readable> {
    return (await call('save image', () => this.docker.getImage(ref).get())) as unknown as Readable;
  }

  async removeImage(ref: string): Promise<void> {
    await call('remove image', () => this.docker.getImage(ref).remove({ force: true }), { okNotFound: true });
  }

  // ---- instances ------------------------------------------------------------------------------
  async spawn(spec: SpawnSpec): Promise<InstanceInfo> {
    if (this.hostCpus === null) await this.hostInfo().catch(() => undefined);
    const memory = spec.memoryMb * 1024 * 1024;
    // Docker refuses NanoCpus above the host's CPU count; a flavor larger than the host still boots.
    const cpus = Math.min(spec.vcpus, this.hostCpus ?? spec.vcpus);
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
    try {
      await call('create container', () => this.docker.createContainer(body));
      await call('start container', () => this.container(spec.instanceUuid).start(), { okNotModified: true });
      return await this.getInfo(spec.instanceUuid);
    } catch (err) {
      // Spawn cleans up after itself: no half-built container stays behind.
      await this.destroy(spec.instanceUuid).catch(() => undefined);
      throw mapDockerError(err, 'spawn');
    }
  }

  async destroy(instanceUuid: string): Promise<void> {
    await call('remove container', () => this.container(instanceUuid).remove({ force: true, v: true }), { okNotFound: true });
  }

  async powerOff(instanceUuid: string, timeoutS: number): Promise<void> {
    const info = await this.getInfo(instanceUuid);
    if (info.status === 'missing') throw new DriverError(`No such container: ${containerName(instanceUuid)}`, 'not-found');
    // Docker cannot stop a paused container gracefully: unpause first (nova-docker did the same).
    if (info.status === 'paused') await this.unpause(instanceUuid);
    await call('stop container', () => this.container(instanceUuid).stop({ t: timeoutS }), { okNotModified: true });
  }

  async powerOn(instanceUuid: string): Promise<void> {
    await call('start container', () => this.container(instanceUuid).start(), { okNotModified: true });
  }

  async reboot(instanceUuid: string, type: 'SOFT' | 'HARD', timeoutS: number): Promise<void> {
    const info = await this.getInfo(instanceUuid);
    if (info.status === 'missing') throw new DriverError(`No such container: ${containerName(instanceUuid)}`, 'not-found');
    if (info.status === 'paused') await this.unpause(instanceUuid);
    if (type === 'HARD') {
      if (info.status === 'running' || info.status === 'paused') {
        await call('kill container', () => this.container(instanceUuid).kill(), { okNotModified: true }).catch((e: DriverError) => {
          if (e.kind !== 'conflict') throw e; // "is not running": already down
        });
      }
      await this.powerOn(instanceUuid);
    } else {
      await call('restart container', () => this.container(instanceUuid).restart({ t: timeoutS }));
    }
  }

  async pause(instanceUuid: string): Promise<void> {
    await call('pause container', () => this.container(instanceUuid).pause());
  }

  async unpause(instanceUuid: string): Promise<void> {
    await call('unpause container', () => this.container(instanceUuid).unpause());
  }

  async suspend(instanceUuid: string): Promise<void> {
    // A container has no memory image to save to disk; freezing its cgroup is the honest analogue.
    await this.pause(instanceUuid);
  }

  async resume(instanceUuid: string): Promise<void> {
    await this.unpause(instanceUuid);
  }

  async updateResources(instanceUuid: string, res: { memoryMb: number; vcpus: number; pidsLimit: number }): Promise<void> {
    if (this.hostCpus === null) await this.hostInfo().catch(() => undefined);
    const memory = res.memoryMb * 1024 * 1024;
    const cpus = Math.min(res.vcpus, this.hostCpus ?? res.vcpus);
    await call('update container', () =>
      this.container(instanceUuid).update({ Memory: memory, MemorySwap: memory, NanoCpus: Math.round(cpus * 1e9), PidsLimit: res.pidsLimit }),
    );
  }

  async snapshot(instanceUuid: string, opts: { repo: string; tag: string }): Promise<string> {
    const r = (await call('commit container', () =>
      this.container(instanceUuid).commit({ repo: opts.repo, tag: opts.tag, pause: true }),
    )) as { Id: string };
    return r.Id;
  }

  async getInfo(instanceUuid: string): Promise<InstanceInfo> {
    const data = (await call('inspect container', () => this.container(instanceUuid).inspect(), { okNotFound: true })) as
      | Docker.ContainerInspectInfo
      | undefined;
    if (!data) return missingInfo(instanceUuid);
    return toInstanceInfo(data);
  }

  async listInstances(): Promise<InstanceInfo[]> {
    const filters = { label: [`${LABELS.managedBy}=${MANAGED_BY}`] };
    const list = (await call('list containers', () => this.docker.listContainers({ all: true, filters }))) as Docker.ContainerInfo[];
    return list.map((c) => {
      const nets = c.NetworkSettings?.Networks ?? {};
      const addresses: InstanceAddress[] = [];
      for (const [name, n] of Object.entries(nets)) {
        if (n.IPAddress) addresses.push({ network: name, version: 4, addr: n.IPAddress, mac: n.MacAddress || null });
        if (n.GlobalIPv6Address) addresses.push({ network: name, version: 6, addr: n.GlobalIPv6Address, mac: n.MacAddress || null });
      }
      return {
        instanceUuid: c.Labels?.[LABELS.instanceUuid] ?? '',
        containerId: c.Id,
        powerState: powerStateFromDocker(c.State),
        status: c.State,
        exitCode: null,
        oomKilled: false,
        startedAt: null,
        finishedAt: null,
        addresses,
        memoryBytes: 0,
        nanoCpus: 0,
        labels: c.Labels ?? {},
      };
    });
  }

  async getConsoleOutput(instanceUuid: string, tailLines?: number): Promise<string> {
    const c = this.container(instanceUuid);
    const data = (await call('inspect container', () => c.inspect(), { okNotFound: true })) as Docker.ContainerInspectInfo | undefined;
    if (!data) return '';
    const raw = (await call('container logs', () =>
      c.logs({ stdout: true, stderr: true, follow: false, tail: tailLines ?? 'all' } as never) as unknown as Promise<Buffer>,
    )) as unknown as Buffer;
    const buf = Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw ?? ''));
    // Without a TTY Docker multiplexes stdout/stderr in 8-byte-header frames.
    const text = data.Config.Tty ? buf.toString('utf8') : demux(buf).toString('utf8');
    return text.replace(/\r\n/g, '\n');
  }

  async getStats(_instanceUuid: string): Promise<InstanceStats> {
    throw new DriverError('getStats is not implemented by the Docker driver yet');
  }

  async exec(_instanceUuid: string, _cmd: string[]): Promise<ExecSession> {
    throw new DriverError('exec is not implemented by the Docker driver yet');
  }

  async ensureNetwork(name: string, subnet: string | null): Promise<void> {
    const existing = await call('inspect network', () => this.docker.getNetwork(name).inspect(), { okNotFound: true });
    if (existing) return;
    await call('create network', () =>
      (this.docker.createNetwork as (o: object) => Promise<unknown>).call(this.docker, {
        Name: name,
        Driver: 'bridge',
        CheckDuplicate: true,
        Labels: { [LABELS.managedBy]: MANAGED_BY },
        ...(subnet ? { IPAM: { Driver: 'default', Config: [{ Subnet: subnet }] } } : {}),
      }),
    ).catch((e: DriverError) => {
      if (e.kind !== 'conflict') throw e; // created concurrently
    });
  }

  async watchEvents(_onEvent: (e: DriverEvent) => void, _onError: (err: Error) => void): Promise<() => void> {
    throw new DriverError('watchEvents is not implemented by the Docker driver yet');
  }

  async close(): Promise<void> {}
}

function missingInfo(instanceUuid: string): InstanceInfo {
  return {
    instanceUuid, containerId: null, powerState: PowerState.NOSTATE, status: 'missing', exitCode: null, oomKilled: false,
    startedAt: null, finishedAt: null, addresses: [], memoryBytes: 0, nanoCpus: 0, labels: {},
  };
}

function toInstanceInfo(d: Docker.ContainerInspectInfo): InstanceInfo {
  const addresses: InstanceAddress[] = [];
  for (const [name, n] of Object.entries(d.NetworkSettings?.Networks ?? {})) {
    if (n.IPAddress) addresses.push({ network: name, version: 4, addr: n.IPAddress, mac: n.MacAddress || null });
    if (n.GlobalIPv6Address) addresses.push({ network: name, version: 6, addr: n.GlobalIPv6Address, mac: n.MacAddress || null });
  }
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
    addresses,
    memoryBytes: d.HostConfig?.Memory ?? 0,
    nanoCpus: (d.HostConfig as { NanoCpus?: number })?.NanoCpus ?? 0,
    labels,
  };
}

/** Docker's stdout/stderr multiplexing: [stream, 0, 0, 0, size(4 bytes BE)] + payload. */
export function demux(buf: Buffer): Buffer {
  const out: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const size = buf.readUInt32BE(i + 4);
    out.push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return Buffer.concat(out);
}
