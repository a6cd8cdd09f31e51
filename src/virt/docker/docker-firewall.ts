// Security group enforcement inside one container's own network namespace: `nsenter --net=<ns> sh -c
// 'iptables-restore <&3 && ip6tables-restore <&4'` with the filter table the network service rendered. The
// host's firewall is never touched: the namespace is the container's sandbox (NetworkSettings.SandboxKey,
// cross-checked against /proc/<pid>/ns/net) and must differ from the service's own namespace. Only the
// filter table is written, so Docker's nat rules for its embedded DNS stay. Works for an engine on this
// machine (unix socket) with the service as root; the container itself has no CAP_NET_ADMIN, so it
// cannot undo the rules. Measured ~30–60 ms per apply (docs/network.md).
// The restores run in long-lived shells (netns-shell.ts) rather than a fork of this process each; the
// container's pid and sandbox, as the driver's last inspect of it saw them, spare the apply its own
// inspect while they still name the same live namespace (checked on every use).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DriverError } from '../../errors.js';
import { containerName, type FirewallTables } from '../driver.js';
import { NetnsShells } from './netns-shell.js';

const OPEN = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', 'COMMIT', ''].join(
  '\n',
);

export interface SandboxInspect {
  State?: { Running?: boolean; Pid?: number };
  NetworkSettings?: { SandboxKey?: string };
}

type Inspect = (container: string) => Promise<SandboxInspect | undefined>;

/** Containers remembered at most (running ones; a removed container is forgotten at once). */
const REMEMBERED = 4096;

function onPath(bin: string): boolean {
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').concat(['/usr/sbin', '/sbin'])) {
    try {
      fs.accessSync(path.join(dir, bin), fs.constants.X_OK);
      return true;
    } catch {
      /* next */
    }
  }
  return false;
}

const nsId = (p: string) => {
  const st = fs.statSync(p);
  return `${st.dev}:${st.ino}`;
};

export class NetnsFirewall {
  private supportedCache: boolean | null = null;
  /** instance uuid → its running container's pid and sandbox, from the driver's inspects */
  private readonly sandboxes = new Map<string, { pid: number; sandboxKey: string }>();
  /** null once closed: a late apply then forks its own nsenter, as before */
  private shells: NetnsShells | null;

  constructor(
    private readonly dockerUrl: string,
    private readonly inspect: Inspect,
    private readonly timeoutMs: number,
  ) {
    this.shells = new NetnsShells(timeoutMs);
  }

  /** What an inspect of the container saw (the driver calls this with every inspect of one). */
  remember(instanceUuid: string, info: SandboxInspect): void {
    const pid = info.State?.Pid ?? 0;
    const sandboxKey = info.NetworkSettings?.SandboxKey;
    this.sandboxes.delete(instanceUuid);
    if (!info.State?.Running || !pid || !sandboxKey) return;
    if (this.sandboxes.size >= REMEMBERED) this.sandboxes.delete(this.sandboxes.keys().next().value!);
    this.sandboxes.set(instanceUuid, { pid, sandboxKey });
  }

  forget(instanceUuid: string): void {
    this.sandboxes.delete(instanceUuid);
  }

  /** Ends the helper shells. */
  async close(): Promise<void> {
    const shells = this.shells;
    this.shells = null;
    await shells?.close();
  }

  /** The helper shells (tests). */
  get helper(): NetnsShells | null {
    return this.shells;
  }

  supported(): boolean {
    if (this.supportedCache === null) {
      const local = this.dockerUrl.startsWith('unix://') || this.dockerUrl.startsWith('/');
      const root = typeof process.getuid === 'function' && process.getuid() === 0;
      this.supportedCache =
        local &&
        root &&
        onPath('nsenter') &&
        onPath('iptables-restore') &&
        onPath('ip6tables-restore') &&
        onPath('sh') &&
        fs.existsSync('/proc/self/ns/net');
    }
    return this.supportedCache;
  }

  async apply(instanceUuid: string, tables: FirewallTables | null): Promise<boolean> {
    if (!this.supported()) {
      throw new DriverError('security groups cannot be enforced on this engine (not on this machine, or not root)');
    }
    const t = tables ?? { v4: OPEN, v6: OPEN };
    const known = this.knownNamespace(instanceUuid);
    if (known) {
      await this.restore(known, t);
      return true;
    }
    const info = await this.inspect(containerName(instanceUuid));
    if (!info) throw new DriverError(`No such container: ${containerName(instanceUuid)}`, 'not-found');
    this.remember(instanceUuid, info);
    const pid = info.State?.Pid ?? 0;
    if (!info.State?.Running || !pid) return false;
    const ns = this.namespaceOf(pid, info.NetworkSettings?.SandboxKey);
    await this.restore(ns, t);
    return true;
  }

  /**
   * The remembered sandbox while it is still the container's: the sandbox file exists (Docker removes
   * it when the container stops; a new start makes a new one) and the remembered pid is alive in that
   * very namespace, which is not the service's own. Otherwise forgotten (the caller inspects).
   */
  private knownNamespace(instanceUuid: string): string | null {
    const k = this.sandboxes.get(instanceUuid);
    if (!k) return null;
    try {
      const id = nsId(k.sandboxKey);
      if (id === nsId(`/proc/${k.pid}/ns/net`) && id !== nsId('/proc/self/ns/net')) return k.sandboxKey;
    } catch {
      /* gone: inspect */
    }
    this.sandboxes.delete(instanceUuid);
    return null;
  }

  /** The container's namespace file, proven to be the container's and not the service's own. */
  private namespaceOf(pid: number, sandboxKey: string | undefined): string {
    const procNs = `/proc/${pid}/ns/net`;
    let ns: string;
    try {
      ns = sandboxKey && fs.existsSync(sandboxKey) ? sandboxKey : procNs;
      const id = nsId(ns);
      // the sandbox and the container's process must agree (a pid seen from another pid namespace would not)
      if (ns !== procNs && fs.existsSync(procNs) && nsId(procNs) !== id) {
        throw new DriverError(`the namespace of pid ${pid} is not the container's sandbox ${sandboxKey}`);
      }
      if (id === nsId('/proc/self/ns/net')) {
        throw new DriverError("refusing to write the host's firewall: the container shares the service's namespace");
      }
    } catch (e) {
      if (e instanceof DriverError) throw e;
      throw new DriverError(`the container's network namespace is not reachable: ${(e as Error).message}`);
    }
    return ns;
  }

  private restore(ns: string, t: FirewallTables): Promise<void> {
    return this.shells ? this.shells.restore(ns, t.v4, t.v6) : this.restoreForked(ns, t);
  }

  /** Both tables in one process start: the v4 table on fd 3, the v6 one on fd 4. */
  private restoreForked(ns: string, t: FirewallTables): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const p = spawn('nsenter', [`--net=${ns}`, 'sh', '-c', 'iptables-restore <&3 && ip6tables-restore <&4'], {
        stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
      });
      let err = '';
      const timer = setTimeout(() => p.kill('SIGKILL'), this.timeoutMs);
      p.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      p.on('error', (e) => {
        clearTimeout(timer);
        reject(new DriverError(`iptables-restore: ${e.message}`));
      });
      p.on('close', (code) => {
        clearTimeout(timer);
        if (code === 0) resolve();
        else reject(new DriverError(`iptables-restore in ${ns}: ${err.trim() || `exit ${code}`}`));
      });
      for (const [fd, text] of [
        [3, t.v4],
        [4, t.v6],
      ] as const) {
        const w = p.stdio[fd] as NodeJS.WritableStream & { on(e: 'error', f: () => void): void };
        w.on('error', () => undefined);
        w.end(text);
      }
    });
  }
}
