// An in-memory ComputeDriver with the same semantics and errors as the Docker one, for fast API
// tests and for benchmarks of the API layer alone. Failures can be injected per operation.
import { engineUnreachable, containerNotRunning, containerNotPaused } from '../driver-errors.js';
import { PassThrough, Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { DriverError } from '../../errors.js';
import {
  LABELS,
  MANAGED_BY,
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
  type FirewallTables,
  type NetworkAttachment,
  type NetworkSummary,
} from '../driver.js';
import { FakeNetworks } from './fake-networks.js';
import { tarOf } from '../tar-writer.js';
import { PowerState } from '../power-state.js';

import { FakeEngine, bootLine, type FakeContainer } from './fake-engine.js';

export { FAKE_CALLS_KEPT, type FakeDriverOptions } from './fake-engine.js';

export class FakeDriver extends FakeEngine implements ComputeDriver {
  // ---- host -----------------------------------------------------------------------------------
  async ping(): Promise<void> {
    await this.enter('ping', '');
    if (this.down) throw engineUnreachable();
  }
  async hostInfo(): Promise<HostInfo> {
    if (this.down) throw engineUnreachable();
    const running = [...this.containers.values()].filter((c) => c.status === 'running').length;
    const disk = this.options.diskBytes ?? 100 * 1024 ** 3;
    return {
      cpus: this.options.cpus ?? 2,
      memoryBytes: this.options.memoryBytes ?? 24 * 1024 ** 3,
      diskTotalBytes: disk,
      diskFreeBytes: Math.round(disk * 0.8),
      serverVersion: '20.10.24+fake',
      apiVersion: '1.41',
      operatingSystem: 'Fake OS',
      kernelVersion: '6.1.0-fake',
      storageDriver: 'overlay2',
      containers: this.containers.size,
      containersRunning: running,
    };
  }

  // ---- images ---------------------------------------------------------------------------------
  async imageExists(ref: string): Promise<boolean> {
    return this.images.has(ref);
  }
  async loadImage(archive: Readable): Promise<string[]> {
    await this.enter('loadImage', '');
    const buf = await readAll(archive);
    if (buf.length === 0) throw new DriverError('Error processing tar file(exit status 1): unexpected EOF');
    const id = 'sha256:' + createHash('sha256').update(buf).digest('hex');
    this.images.set(id, buf);
    return [id];
  }
  async importImage(rootfs: Readable, opts: { repo: string; tag: string }): Promise<string> {
    await this.enter('importImage', `${opts.repo}:${opts.tag}`);
    const buf = await readAll(rootfs);
    const id = 'sha256:' + createHash('sha256').update(buf).update(String(Date.now())).digest('hex');
    this.images.set(id, buf);
    return id;
  }
  async saveImage(ref: string): Promise<Readable> {
    await this.enter('saveImage', ref);
    const buf = this.images.get(ref);
    if (!buf) throw new DriverError(`No such image: ${ref}`, 'not-found');
    return Readable.from([buf]);
  }
  async removeImage(ref: string): Promise<void> {
    this.images.delete(ref);
  }

  // ---- instances ------------------------------------------------------------------------------
  async spawn(spec: SpawnSpec): Promise<InstanceInfo> {
    await this.enter('spawn', spec.instanceUuid);
    if (this.containers.has(spec.instanceUuid))
      throw new DriverError(`Conflict. The container name "/nova-${spec.instanceUuid}" is already in use`, 'conflict');
    if (!this.images.has(spec.image)) throw new DriverError(`No such image: ${spec.image}`, 'not-found');
    const now = new Date().toISOString();
    const lean = this.options.lean === true;
    // The legacy service-owned network (not one of the network service's) gets an address of the fake's own.
    const legacy = spec.interfaces.find((i) => !this.nets.networks.has(i.network));
    const n = legacy ? this.nextIp++ : 0;
    this.containers.set(spec.instanceUuid, {
      spec: lean
        ? {
            instanceUuid: spec.instanceUuid,
            // one copy of the strings most servers share (100,000 copies of the same image id otherwise)
            projectId: this.intern(spec.projectId),
            hostname: spec.hostname,
            image: this.intern(spec.image),
            memoryMb: spec.memoryMb,
            vcpus: spec.vcpus,
            pidsLimit: spec.pidsLimit,
            interfaces: spec.interfaces,
            ...(spec.extraLabels ? { extraLabels: spec.extraLabels } : {}),
          }
        : spec,
      id: lean ? null : containerIdOf(spec.instanceUuid),
      status: 'running',
      exitCode: null,
      startedAt: now,
      finishedAt: null,
      output: lean ? null : bootLine(spec.hostname),
      memoryMb: spec.memoryMb,
      vcpus: spec.vcpus,
      // 198.18.0.2, 198.18.0.3 … then on into 198.18.1.x and beyond
      ip: legacy ? `198.18.${(n >> 8) & 255}.${n & 255}` : null,
    });
    // As Docker: the interfaces' endpoints exist before the first start; any failure removes the container.
    try {
      for (const iface of spec.interfaces) {
        if (iface !== legacy) await this.nets.connectNetwork(spec.instanceUuid, iface, iface.mac);
      }
    } catch (err) {
      this.nets.forget(spec.instanceUuid);
      this.containers.delete(spec.instanceUuid);
      throw err;
    }
    this.emit(spec.instanceUuid, 'start');
    return this.getInfo(spec.instanceUuid);
  }
  /** The files injected at the container's spawn (path → contents as text), as a test reads them. */
  injectedFiles(instanceUuid: string): Record<string, string> {
    const files = this.containers.get(instanceUuid)?.spec.files ?? [];
    return Object.fromEntries(files.map((f) => [f.path, f.contents.toString('utf8')]));
  }
  async destroy(instanceUuid: string): Promise<void> {
    await this.enter('destroy', instanceUuid);
    this.nets.forget(instanceUuid);
    if (this.containers.delete(instanceUuid)) this.emit(instanceUuid, 'destroy');
  }
  async powerOff(instanceUuid: string, _timeoutS?: number): Promise<void> {
    await this.enter('powerOff', instanceUuid);
    const c = this.must(instanceUuid);
    if (c.status === 'exited' || c.status === 'created') return;
    if (c.status === 'paused') this.emit(instanceUuid, 'unpause'); // Docker cannot stop a frozen container
    c.status = 'exited';
    c.exitCode = 0;
    c.finishedAt = new Date().toISOString();
    this.emit(instanceUuid, 'kill');
    this.emit(instanceUuid, 'die', 0);
    this.emit(instanceUuid, 'stop');
  }
  async powerOn(instanceUuid: string): Promise<void> {
    await this.enter('powerOn', instanceUuid);
    const c = this.must(instanceUuid);
    if (c.status === 'running') return;
    c.status = 'running';
    c.startedAt = new Date().toISOString();
    c.exitCode = null;
    this.emit(instanceUuid, 'start');
  }
  async reboot(instanceUuid: string, _type?: 'SOFT' | 'HARD', _timeoutS?: number): Promise<void> {
    await this.enter('reboot', instanceUuid);
    const c = this.must(instanceUuid);
    if (c.status === 'running' || c.status === 'paused') this.emit(instanceUuid, 'die', 137);
    c.status = 'running';
    c.startedAt = new Date().toISOString();
    c.exitCode = null;
    this.emit(instanceUuid, 'start');
  }
  async pause(instanceUuid: string): Promise<void> {
    await this.enter('pause', instanceUuid);
    const c = this.must(instanceUuid);
    if (c.status !== 'running') throw containerNotRunning(`nova-${instanceUuid}`);
    c.status = 'paused';
    this.emit(instanceUuid, 'pause');
  }
  async unpause(instanceUuid: string): Promise<void> {
    await this.enter('unpause', instanceUuid);
    const c = this.must(instanceUuid);
    if (c.status !== 'paused') throw containerNotPaused(`nova-${instanceUuid}`);
    c.status = 'running';
    this.emit(instanceUuid, 'unpause');
  }
  async suspend(instanceUuid: string): Promise<void> {
    await this.enter('suspend', instanceUuid);
    const c = this.must(instanceUuid);
    // The Docker driver freezes the cgroup (docker pause): same rules, same event.
    if (c.status !== 'running') throw containerNotRunning(`nova-${instanceUuid}`);
    c.status = 'paused';
    this.emit(instanceUuid, 'pause');
  }
  async resume(instanceUuid: string): Promise<void> {
    await this.enter('resume', instanceUuid);
    const c = this.must(instanceUuid);
    if (c.status !== 'paused') throw containerNotPaused(`nova-${instanceUuid}`);
    c.status = 'running';
    this.emit(instanceUuid, 'unpause');
  }
  async updateResources(instanceUuid: string, res: { memoryMb: number; vcpus: number }): Promise<void> {
    await this.enter('updateResources', instanceUuid);
    const c = this.must(instanceUuid);
    c.memoryMb = res.memoryMb;
    c.vcpus = res.vcpus;
  }
  async snapshot(instanceUuid: string, opts: { repo: string; tag: string }): Promise<string> {
    await this.enter('snapshot', instanceUuid);
    this.must(instanceUuid);
    const id =
      'sha256:' + createHash('sha256').update(`${instanceUuid}${opts.repo}${Date.now()}${Math.random()}`).digest('hex');
    // Shaped as `docker save` writes it, so the saved image can be loaded on another host.
    const manifest = JSON.stringify([{ Config: 'config.json', RepoTags: [`${opts.repo}:${opts.tag}`], Layers: [] }]);
    this.images.set(
      id,
      tarOf([
        { path: 'manifest.json', contents: Buffer.from(manifest) },
        { path: 'snapshot-of', contents: Buffer.from(instanceUuid) },
      ]),
    );
    return id;
  }

  async getInfo(instanceUuid: string): Promise<InstanceInfo> {
    await this.enter('getInfo', instanceUuid);
    const c = this.containers.get(instanceUuid);
    if (!c) {
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
    return this.info(c);
  }
  private info(c: FakeContainer): InstanceInfo {
    const ps =
      c.status === 'running'
        ? PowerState.RUNNING
        : c.status === 'paused'
          ? PowerState.PAUSED
          : c.status === 'dead'
            ? PowerState.CRASHED
            : PowerState.SHUTDOWN;
    return {
      instanceUuid: c.spec.instanceUuid,
      containerId: c.id ?? containerIdOf(c.spec.instanceUuid),
      powerState: ps,
      status: c.status,
      exitCode: c.exitCode,
      oomKilled: false,
      startedAt: c.startedAt,
      finishedAt: c.finishedAt,
      addresses: this.addressesOf(c),
      memoryBytes: c.memoryMb * 1024 * 1024,
      nanoCpus: c.vcpus * 1e9,
      labels: {
        [LABELS.managedBy]: MANAGED_BY,
        [LABELS.instanceUuid]: c.spec.instanceUuid,
        [LABELS.projectId]: c.spec.projectId,
        ...(c.spec.extraLabels ?? {}),
      },
    };
  }
  async listInstances(): Promise<InstanceInfo[]> {
    if (this.down) throw engineUnreachable();
    return [...this.containers.values()].map((c) => this.info(c));
  }
  async getConsoleOutput(instanceUuid: string, tailLines?: number): Promise<string> {
    const c = this.containers.get(instanceUuid);
    if (!c) return '';
    return lastLines(c.output ?? bootLine(c.spec.hostname), tailLines);
  }
  async getStats(instanceUuid: string): Promise<InstanceStats> {
    const c = this.must(instanceUuid);
    return {
      cpuTimeNs: 1_000_000,
      memoryUsedBytes: 4 * 1024 * 1024,
      memoryLimitBytes: c.memoryMb * 1024 * 1024,
      onlineCpus: c.vcpus,
      perCpuNs: Array.from({ length: c.vcpus }, () => 500_000),
      networks: {},
      uptimeSeconds: 1,
    };
  }
  async exec(instanceUuid: string, _cmd?: string[]): Promise<ExecSession> {
    await this.enter('exec', instanceUuid);
    const c = this.must(instanceUuid);
    if (c.status !== 'running') throw containerNotRunning(`nova-${instanceUuid}`);
    const output = new PassThrough();
    this.openExecs += 1;
    let open = true;
    return {
      output,
      write: (d) => output.write(d), // echo, like a TTY
      resize: async (cols, rows) => {
        this.execResizes.push({ instanceUuid, cols, rows });
      },
      close: () => {
        if (open) this.openExecs -= 1;
        open = false;
        output.end();
      },
    };
  }
  async ensureNetwork(): Promise<void> {}

  /** What Docker's inspect reports: the legacy network's address, then each endpoint's. */
  private addressesOf(c: FakeContainer): InstanceAddress[] {
    const legacy = c.spec.interfaces.find((i) => !this.nets.networks.has(i.network));
    const out: InstanceAddress[] = [];
    if (c.ip && legacy) {
      const mac = '02:42:c6:12:00:' + c.ip.split('.')[3].padStart(2, '0');
      out.push({ network: legacy.network, version: 4, addr: c.ip, mac });
    }
    // the network service's endpoints; Docker reports no address while the container is stopped
    if (c.status === 'running' || c.status === 'paused') out.push(...this.nets.addressesOf(c.spec.instanceUuid));
    return out;
  }

  /** Bridge networks and endpoints of the network service (fake-networks.ts). */
  readonly nets = new FakeNetworks((uuid) => this.containers.has(uuid));
  async ensureBridgeNetwork(spec: BridgeNetworkSpec): Promise<string> {
    await this.enter('network', spec.name);
    return this.nets.ensureBridgeNetwork(spec);
  }
  async removeNetwork(name: string): Promise<void> {
    await this.enter('network', name);
    return this.nets.removeNetwork(name);
  }
  listNetworks(label: string): Promise<NetworkSummary[]> {
    return this.nets.listNetworks(label);
  }
  async connectNetwork(instanceUuid: string, iface: NetworkAttachment): Promise<{ mac: string | null }> {
    await this.enter('network', instanceUuid);
    return this.nets.connectNetwork(instanceUuid, iface);
  }
  async disconnectNetwork(instanceUuid: string, network: string): Promise<void> {
    await this.enter('network', instanceUuid);
    return this.nets.disconnectNetwork(instanceUuid, network);
  }
  protected forgetEndpoints(instanceUuid: string): void {
    this.nets.forget(instanceUuid);
  }
  firewallSupported(): boolean {
    return true;
  }
  async applyFirewall(instanceUuid: string, tables: FirewallTables | null): Promise<boolean> {
    await this.enter('network', instanceUuid);
    if (this.must(instanceUuid).status !== 'running') return false;
    this.firewalls.set(instanceUuid, tables);
    return true;
  }
  async watchEvents(onEvent: (e: DriverEvent) => void, onError: (err: Error) => void = () => {}): Promise<() => void> {
    if (this.down) throw engineUnreachable();
    this.subscriptions += 1;
    this.listeners.set(onEvent, onError);
    return () => {
      this.listeners.delete(onEvent);
    };
  }
  async close(): Promise<void> {
    this.listeners.clear();
  }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  return Buffer.concat(chunks);
}

function containerIdOf(instanceUuid: string): string {
  return createHash('sha256').update(instanceUuid).digest('hex');
}
