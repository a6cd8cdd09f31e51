// ComputeDriver on a real Docker Engine through dockerode (with docker-engine.ts, the only code that
// speaks to Docker): the lifecycle of one server's container, its console, stats and exec sessions.
import { noSuchContainer } from '../driver-errors.js';
import type Docker from 'dockerode';
import { DriverError } from '../../errors.js';
import {
  LABELS,
  MANAGED_BY,
  containerName,
  DETACHED_NETWORK,
  lastLines,
  type ComputeDriver,
  type ExecSession,
  type InstanceInfo,
  type InstanceStats,
  type SpawnSpec,
} from '../driver.js';
import { dialStream, mapDockerError } from './docker-client.js';
import { envRestoringImage } from './commit-env.js';
import { openExecSession } from './exec-session.js';
import { tarOf } from '../tar-writer.js';
import { toInstanceStats, type RawStats } from './stats.js';
import { DockerEngine } from './docker-engine.js';
import { demux, fromListEntry, missingInfo, toInstanceInfo } from './container-info.js';

export type { DockerDriverOptions } from './docker-engine.js';
export { demux } from './container-info.js';

/** How many spawns on one engine share one ordinary call deadline (see spawnDeadline). */
export const SPAWNS_PER_DEADLINE = 4;

/**
 * The deadline of one create/start call while `inFlight` spawns run on the engine. dockerd does one
 * engine's starts largely one after another, so n starts at once take about n times as long: the
 * deadline grows in steps of the ordinary one per SPAWNS_PER_DEADLINE spawns in flight, the budget
 * the last of them had when spawns queued four at a time (before 2026-12, spawn-gate.ts). A call
 * reads it again when its deadline passes, so spawns that arrive after it extend it too.
 */
export function spawnDeadline(timeoutMs: number, inFlight: number): number {
  return timeoutMs * Math.max(1, Math.ceil(inFlight / SPAWNS_PER_DEADLINE));
}

/** The create-time interface's addresses (Docker takes one network in EndpointsConfig at create) and chosen MAC. */
function createTimeNetwork(spec: SpawnSpec): Partial<Docker.ContainerCreateOptions> {
  const first = spec.interfaces[0];
  if (!first) return {};
  const ipam = first.ipv4 || first.ipv6 ? { IPv4Address: first.ipv4, IPv6Address: first.ipv6 } : undefined;
  return {
    ...(first.mac ? { MacAddress: first.mac } : {}),
    ...(ipam ? { NetworkingConfig: { EndpointsConfig: { [first.network]: { IPAMConfig: ipam } } } } : {}),
  };
}

export class DockerDriver extends DockerEngine implements ComputeDriver {
  /** spawns running on this engine now (the deadline of each of their calls grows with them) */
  private spawnsInFlight = 0;

  private container(instanceUuid: string, client: Docker = this.docker) {
    return client.getContainer(containerName(instanceUuid));
  }

  private async mustExist(instanceUuid: string): Promise<InstanceInfo> {
    const info = await this.getInfo(instanceUuid);
    if (info.status === 'missing') throw noSuchContainer(containerName(instanceUuid));
    return info;
  }

  // ---- instances ------------------------------------------------------------------------------
  private async cpusFor(vcpus: number): Promise<number> {
    if (this.hostCpus === null) await this.hostInfo().catch(() => undefined);
    // Docker refuses NanoCpus above the host's CPU count; a flavor larger than the host still boots.
    return Math.min(vcpus, this.hostCpus ?? vcpus);
  }

  async spawn(spec: SpawnSpec): Promise<InstanceInfo> {
    this.spawnsInFlight += 1;
    try {
      return await this.spawnCounted(spec);
    } finally {
      this.spawnsInFlight -= 1;
    }
  }

  private async spawnCounted(spec: SpawnSpec): Promise<InstanceInfo> {
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
      ...createTimeNetwork(spec),
      HostConfig: {
        Memory: memory,
        MemorySwap: memory,
        NanoCpus: Math.round(cpus * 1e9),
        PidsLimit: spec.pidsLimit,
        Privileged: false,
        Init: true,
        NetworkMode: spec.interfaces[0]?.network ?? DETACHED_NETWORK,
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
    // The deadline of create and start grows with the spawns in flight (spawnDeadline), so these
    // calls go through the client without docker-modem's fixed idle timeout.
    const grows = { timeoutMs: this.timeoutMs, deadlineMs: () => spawnDeadline(this.timeoutMs, this.spawnsInFlight) };
    try {
      await this.call(
        'create container',
        (abortSignal) => this.streams.createContainer({ ...body, abortSignal }),
        grows,
      );
      // No interface: the placeholder network mode goes before the first start, so the container
      // has only loopback and can be connected later (a `none` container never can).
      if (!spec.interfaces.length) await this.disconnectNetwork(spec.instanceUuid, DETACHED_NETWORK);
      for (const iface of spec.interfaces.slice(1)) await this.connectNetwork(spec.instanceUuid, iface);
      // Injected files go in between create and start, so the first process already sees them.
      if (tar) {
        await this.call('put injected files', (abortSignal) =>
          this.container(spec.instanceUuid).putArchive(tar, { path: '/', abortSignal }),
        );
      }
      await this.call(
        'start container',
        (abortSignal) => this.container(spec.instanceUuid, this.streams).start({ abortSignal } as object),
        { okNotModified: true, ...grows },
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
    this.sawContainer(instanceUuid, null);
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
    this.sawContainer(instanceUuid, data ?? null);
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
}
