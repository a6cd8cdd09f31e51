// The virt driver contract: the only layer that speaks to a hypervisor (here: one Docker Engine).
// One driver instance serves one compute host. The worker calls it; nothing else does.
//
// Rules every implementation keeps:
//  - every call is bounded in time (a timeout per operation) and fails with DriverError;
//  - spawn cleans up after itself on failure: no container is left behind;
//  - destroy of a missing instance succeeds;
//  - powerOff of a stopped instance succeeds, powerOn of a running one succeeds;
//  - in-band stream errors (image load, commit, save) are failures, never silently ignored;
//  - containers are named `nova-<uuid>` and labelled (LABELS below) so they can be found and
//    reconciled after a restart.
import type { Readable } from 'node:stream';
import { type PowerState } from './power-state.js';

export const CONTAINER_PREFIX = 'nova-';
export const containerName = (instanceUuid: string) => `${CONTAINER_PREFIX}${instanceUuid}`;

/** Labels put on every container this service creates. */
export const LABELS = {
  managedBy: 'io.novadock.managed-by',
  instanceUuid: 'io.novadock.instance-uuid',
  projectId: 'io.novadock.project-id',
  serviceId: 'io.novadock.service-id',
} as const;
export const MANAGED_BY = 'novadock';

export interface HostInfo {
  /** CPUs the engine sees */
  cpus: number;
  memoryBytes: number;
  /** bytes on the filesystem that holds the engine's data-root (0 when unknown) */
  diskTotalBytes: number;
  diskFreeBytes: number;
  serverVersion: string;
  apiVersion: string;
  operatingSystem: string;
  kernelVersion: string;
  storageDriver: string;
  containers: number;
  containersRunning: number;
}

export interface SpawnSpec {
  instanceUuid: string;
  projectId: string;
  /** DNS-safe host name for the container */
  hostname: string;
  /** Docker image id or reference to run */
  image: string;
  memoryMb: number;
  vcpus: number;
  pidsLimit: number;
  /** overrides the image's command (image property os_command_line) */
  command?: string[];
  env?: Record<string, string>;
  /** TTY and open stdin, as `docker run -it` (default true) */
  tty?: boolean;
  /**
   * The container's network interfaces, in order: [0] is its create-time network, the others are
   * connected before it starts; each with the addresses it must have (none: the engine picks, for
   * the legacy service-owned network only). Empty: no interface but loopback, and the container can
   * still be connected later (os-interface attach).
   */
  interfaces: SpawnInterface[];
  /** Host directory mounted read-only as the config drive (/mnt/config, /root/.ssh …) */
  mounts?: { source: string; target: string; readOnly: true }[];
  extraLabels?: Record<string, string>;
  /**
   * Files written into the container after it is created and before it starts (Nova's file
   * injection, the `personality` of server create): absolute paths, mode 0644, owned by root,
   * missing parent directories created. An existing file at the path is replaced.
   */
  files?: InjectedFile[];
}

export interface BridgeNetworkSpec {
  name: string;
  /** the host's bridge interface name (15 characters at most) */
  bridge: string;
  v4: { cidr: string; gateway: string };
  v6?: { cidr: string; gateway: string };
  mtu: number;
  labels: Record<string, string>;
}

export interface NetworkAttachment {
  network: string;
  ipv4?: string;
  ipv6?: string;
}

export interface SpawnInterface extends NetworkAttachment {
  /** a MAC the user chose (Docker honours it on the create-time interface only) */
  mac?: string;
}

/** The network mode of a container created without interfaces; never created, disconnected before start. */
export const DETACHED_NETWORK = 'novadock-detached';

export interface NetworkSummary {
  name: string;
  id: string;
  labels: Record<string, string>;
  subnets: string[];
  /** instance uuids of this service's containers attached to it */
  instances: string[];
}

/**
 * iptables-restore input for the filter table of one container's own network namespace, per family
 * (the network service renders it from security groups: src/network/firewall.ts).
 */
export interface FirewallTables {
  v4: string;
  v6: string;
}

export interface InjectedFile {
  path: string;
  contents: Buffer;
}

export interface InstanceAddress {
  network: string;
  version: 4 | 6;
  addr: string;
  mac: string | null;
}

export interface InstanceInfo {
  instanceUuid: string;
  containerId: string | null;
  powerState: PowerState;
  /** Docker's State.Status, or 'missing' */
  status: string;
  exitCode: number | null;
  oomKilled: boolean;
  startedAt: string | null;
  finishedAt: string | null;
  addresses: InstanceAddress[];
  memoryBytes: number;
  nanoCpus: number;
  labels: Record<string, string>;
}

export interface InstanceStats {
  cpuTimeNs: number;
  memoryUsedBytes: number;
  memoryLimitBytes: number;
  onlineCpus: number;
  perCpuNs: number[];
  networks: Record<
    string,
    {
      rxBytes: number;
      rxPackets: number;
      rxErrors: number;
      rxDropped: number;
      txBytes: number;
      txPackets: number;
      txErrors: number;
      txDropped: number;
    }
  >;
  uptimeSeconds: number;
}

export type DriverEvent = {
  instanceUuid: string;
  /** Docker's action: start, die, stop, kill, pause, unpause, oom, destroy… (detail after a colon dropped) */
  action: string;
  /** milliseconds since the epoch */
  time: number;
  /** the process's exit code, on `die` */
  exitCode?: number;
  containerId?: string;
};

/** The last `n` lines of `text`, each ending in a newline (Nova's console-output `length`). */
export function lastLines(text: string, n: number | undefined): string {
  if (n === undefined) return text;
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines
    .slice(Math.max(0, lines.length - n))
    .map((l) => l + '\n')
    .join('');
}

export interface ExecSession {
  /** bytes from the process (TTY: stdout and stderr merged) */
  output: Readable;
  write(data: Buffer | string): void;
  resize(cols: number, rows: number): Promise<void>;
  close(): void;
}

export interface ComputeDriver {
  /** Fails when the engine does not answer. */
  ping(): Promise<void>;
  hostInfo(): Promise<HostInfo>;

  /** Whether an image (by Docker id or reference) is present on this host. */
  imageExists(ref: string): Promise<boolean>;
  /** Loads a `docker save` archive; returns the image ids (sha256:…) it contained. */
  loadImage(archive: Readable): Promise<string[]>;
  /** Imports a root-filesystem tarball (`docker export` layout) as an image; returns its id. */
  importImage(rootfs: Readable, opts: { repo: string; tag: string; changes?: string[] }): Promise<string>;
  /** Streams a `docker save` archive of an image. */
  saveImage(ref: string): Promise<Readable>;
  removeImage(ref: string): Promise<void>;

  /** Create and start the container; on failure nothing is left behind. */
  spawn(spec: SpawnSpec): Promise<InstanceInfo>;
  /** Remove the container (force). Missing is success. */
  destroy(instanceUuid: string): Promise<void>;
  /** Graceful stop within timeoutS, then kill. Unpauses first. Already stopped is success. */
  powerOff(instanceUuid: string, timeoutS: number): Promise<void>;
  /** Start. Already running is success. */
  powerOn(instanceUuid: string): Promise<void>;
  /** SOFT: graceful restart; HARD: kill and start. Ends RUNNING. */
  reboot(instanceUuid: string, type: 'SOFT' | 'HARD', timeoutS: number): Promise<void>;
  pause(instanceUuid: string): Promise<void>;
  unpause(instanceUuid: string): Promise<void>;
  /** Freeze the instance for suspend (power_state SUSPENDED is the caller's bookkeeping). */
  suspend(instanceUuid: string): Promise<void>;
  resume(instanceUuid: string): Promise<void>;
  /** Apply new limits to a container (resize). */
  updateResources(instanceUuid: string, res: { memoryMb: number; vcpus: number; pidsLimit: number }): Promise<void>;
  /** docker commit: returns the new image id. */
  snapshot(instanceUuid: string, opts: { repo: string; tag: string }): Promise<string>;

  /** Power state and addresses; a missing container gives powerState NOSTATE and status 'missing'. */
  getInfo(instanceUuid: string): Promise<InstanceInfo>;
  /** Every container of this service on this host (by label). */
  listInstances(): Promise<InstanceInfo[]>;
  /** What the container printed (stdout+stderr), the last `tailLines` lines when given. */
  getConsoleOutput(instanceUuid: string, tailLines?: number): Promise<string>;
  /** One sample (no streaming); a missing container: 'not-found'; a stopped one: zeros. */
  getStats(instanceUuid: string): Promise<InstanceStats>;
  /**
   * An interactive process with a TTY in the container (docker exec, hijacked connection): `output`
   * is the TTY's bytes, `write` its input, `close` hangs up. A stopped or paused container: 'conflict'.
   */
  exec(instanceUuid: string, cmd: string[]): Promise<ExecSession>;

  /** Create the service-owned bridge network if missing. */
  ensureNetwork(name: string, subnet: string | null): Promise<void>;

  // ---- networks of the network service (one Docker bridge network per Neutron network and engine) ----
  /**
   * A bridge network with exactly this addressing, created when missing (concurrent callers share one
   * create); returns its id. A same-named network with other addressing is replaced when it has no
   * endpoints, else 'conflict'; a range overlapping another network of the engine is 'conflict' too.
   */
  ensureBridgeNetwork(spec: BridgeNetworkSpec): Promise<string>;
  /** Remove a network; missing is success; endpoints left: 'conflict'. */
  removeNetwork(name: string): Promise<void>;
  /** This service's networks carrying the label (`key=value` or `key`), for reconciliation. */
  listNetworks(label: string): Promise<NetworkSummary[]>;
  /**
   * Attach the instance's container (created, running, stopped or paused) with these addresses; live,
   * no restart. Returns the endpoint's MAC (Docker's 02:42:<IPv4>; null before a first start). On
   * failure the container is left as it was: Docker's half-made entry, which would stop the container
   * from starting again, is removed. Already attached to that network: 'conflict'.
   */
  connectNetwork(instanceUuid: string, iface: NetworkAttachment): Promise<{ mac: string | null }>;
  /** Detach; a container that is not attached, or missing, is success. */
  disconnectNetwork(instanceUuid: string, network: string): Promise<void>;
  /**
   * Whether applyFirewall can work on this engine. Docker: only an engine on this machine (unix socket),
   * with the service running as root and nsenter + iptables-restore installed.
   */
  firewallSupported(): boolean;
  /**
   * Replace the filter table inside the container's own network namespace, never the host's (the
   * namespace is checked to differ from the service's own); `null` opens it. Resolves false when the
   * container is not running (its namespace is made at start: the caller applies again after a start
   * event). A missing container: 'not-found'; an engine that cannot enforce: 'failed'.
   */
  applyFirewall(instanceUuid: string, tables: FirewallTables | null): Promise<boolean>;

  /**
   * Subscribes to container events of this service (label managed-by=novadock, every service id).
   * Resolves once the engine answered (rejects with DriverError 'unavailable'/'timeout' otherwise).
   * The callback gets each event; `onError` is called at most once, when the stream breaks or
   * ends (engine restarted); the caller reconnects and re-lists, since Docker replays nothing.
   * The stream has no idle timeout. Returns a stop function; after it, neither callback runs.
   */
  watchEvents(onEvent: (e: DriverEvent) => void, onError: (err: Error) => void): Promise<() => void>;

  close(): Promise<void>;
}

// `uuid` (the compute host row's) labels every container as this deployment's (LABELS.serviceId), so that
// start-up reconciliation removes only its own orphans on an engine others share.
export type DriverFactory = (host: {
  id: number;
  name: string;
  dockerUrl: string;
  uuid?: string;
}) => ComputeDriver | Promise<ComputeDriver>;
