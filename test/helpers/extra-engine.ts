// Extra private Docker Engines for tests with several compute hosts (docs/docker-here.md §6): each is
// a dockerd of its own (data root, exec root and socket under /tmp, named after the test process),
// sandbox-safe flags as scripts/docker-up.sh uses (live-restore too: stopping the engine leaves its
// containers running, as a real engine outage does), started and stopped by its own PID. `destroy`
// (restarting a stopped engine first) removes its containers, the daemon, its mounts and
// directories. Every wait is bounded.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ExtraEngine {
  readonly root: string;
  readonly sock: string;
  private child: ChildProcess | null = null;

  constructor(readonly name: string) {
    this.root = `/tmp/novadock-e-${name}-${process.pid}`;
    this.sock = `${this.root}.sock`;
  }

  get url(): string {
    return `unix://${this.sock}`;
  }
  private get cgroup(): string {
    return `novadock-e-${this.name}-${process.pid}`;
  }

  cli(...args: string[]): string {
    return execFileSync('docker', ['-H', this.url, ...args], {
      encoding: 'utf8',
      timeout: 120_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  }

  pingable(): boolean {
    try {
      this.cli('version', '--format', '{{.Server.Version}}');
      return true;
    } catch {
      return false;
    }
  }

  async start(timeoutMs = 60_000): Promise<void> {
    fs.mkdirSync(this.root, { recursive: true });
    fs.writeFileSync(`${this.root}/daemon.json`, '{}');
    const log = fs.openSync(`${this.root}/dockerd.log`, 'a');
    this.child = spawn(
      'dockerd',
      [
        '--data-root',
        `${this.root}/root`,
        '--exec-root',
        `${this.root}/exec`,
        '--pidfile',
        `${this.root}/docker.pid`,
        '-H',
        this.url,
        '--bridge=none',
        '--iptables=false',
        '--ip-masq=false',
        '--ip-forward=false',
        '--storage-driver=overlay2',
        '--live-restore',
        '--config-file',
        `${this.root}/daemon.json`,
        `--cgroup-parent=/${this.cgroup}`,
        '--dns',
        '127.0.0.1',
      ],
      { stdio: ['ignore', log, log] },
    );
    fs.closeSync(log);
    const deadline = Date.now() + timeoutMs;
    while (!this.pingable()) {
      if (this.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(
          `dockerd ${this.name} did not answer: ${fs.readFileSync(`${this.root}/dockerd.log`, 'utf8').slice(-2000)}`,
        );
      }
      await sleep(200);
    }
  }

  /** Stops the daemon by its PID (SIGTERM, then SIGKILL after 20 s). */
  async stop(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await Promise.race([exited, sleep(20_000)]);
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }

  async destroy(): Promise<void> {
    // live-restore kept the containers of a stopped engine running: bring it back to remove them
    if (this.child && !this.pingable() && fs.existsSync(this.root)) await this.start().catch(() => undefined);
    if (this.child && this.child.exitCode === null && this.pingable()) {
      try {
        const ids = this.cli('ps', '-aq').split('\n').filter(Boolean);
        if (ids.length) this.cli('rm', '-f', ...ids);
      } catch {
        /* best effort */
      }
    }
    await this.stop();
    for (const m of [`${this.root}/root`, `${this.root}/exec/netns/default`]) {
      try {
        execFileSync('umount', ['-l', m], { stdio: 'ignore' });
      } catch {
        /* not mounted */
      }
    }
    fs.rmSync(this.root, { recursive: true, force: true });
    fs.rmSync(this.sock, { force: true });
    for (const dir of fs.existsSync('/sys/fs/cgroup') ? fs.readdirSync('/sys/fs/cgroup') : []) {
      try {
        fs.rmdirSync(`/sys/fs/cgroup/${dir}/${this.cgroup}`);
      } catch {
        /* absent */
      }
    }
    try {
      fs.rmdirSync(`/sys/fs/cgroup/${this.cgroup}`);
    } catch {
      /* absent */
    }
  }
}
