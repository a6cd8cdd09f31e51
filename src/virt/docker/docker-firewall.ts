// Security group enforcement inside one container's own network namespace: `nsenter --net=<ns> sh -c
// 'iptables-restore <&3 && ip6tables-restore <&4'` with the filter table the network service rendered. The
// host's firewall is never touched: the namespace is the container's sandbox (NetworkSettings.SandboxKey,
// cross-checked against /proc/<pid>/ns/net) and must differ from the service's own namespace. Only the
// filter table is written, so Docker's nat rules for its embedded DNS stay. Works for an engine on this
// machine (unix socket) with the service as root; the container itself has no CAP_NET_ADMIN, so it
// cannot undo the rules. Measured ~30–60 ms per apply (docs/network.md).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DriverError } from '../../errors.js';
import { containerName, type FirewallTables } from '../driver.js';

const OPEN = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', 'COMMIT', ''].join(
  '\n',
);

interface SandboxInspect {
  State?: { Running?: boolean; Pid?: number };
  NetworkSettings?: { SandboxKey?: string };
}

type Inspect = (container: string) => Promise<SandboxInspect | undefined>;

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

  constructor(
    private readonly dockerUrl: string,
    private readonly inspect: Inspect,
    private readonly timeoutMs: number,
  ) {}

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
    const info = await this.inspect(containerName(instanceUuid));
    if (!info) throw new DriverError(`No such container: ${containerName(instanceUuid)}`, 'not-found');
    const pid = info.State?.Pid ?? 0;
    if (!info.State?.Running || !pid) return false;
    const ns = this.namespaceOf(pid, info.NetworkSettings?.SandboxKey);
    const t = tables ?? { v4: OPEN, v6: OPEN };
    await this.restore(ns, t);
    return true;
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

  /** Both tables in one process start: the v4 table on fd 3, the v6 one on fd 4. */
  private restore(ns: string, t: FirewallTables): Promise<void> {
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
