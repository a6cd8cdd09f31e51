// A second, private dockerd for the Docker-down tests (docker-here.md §6), so that the shared main
// engine is never stopped. Started and stopped by its own PID; `destroy` removes everything it
// made: containers, the daemon, its mounts and directories. Every wait is bounded.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';

export const ENGINE_DIR = '/tmp/ndrel';
export const ENGINE_SOCK = '/tmp/ndrel.sock';
export const ENGINE_URL = `unix://${ENGINE_SOCK}`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function engineCli(...args: string[]): string {
  return execFileSync('docker', ['-H', ENGINE_URL, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

async function ping(): Promise<boolean> {
  try {
    execFileSync('curl', ['-sf', '-m', '1', '--unix-socket', ENGINE_SOCK, 'http://docker/_ping'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export class SecondEngine {
  pid: number | null = null;

  /** Starts dockerd (live-restore) and waits (bounded) for /_ping. */
  async start(timeoutMs = 30_000): Promise<void> {
    fs.mkdirSync(`${ENGINE_DIR}/root`, { recursive: true });
    fs.mkdirSync(`${ENGINE_DIR}/exec`, { recursive: true });
    const log = fs.openSync(`${ENGINE_DIR}/dockerd.log`, 'a');
    const child = spawn(
      'dockerd',
      [
        '--data-root',
        `${ENGINE_DIR}/root`,
        '--exec-root',
        `${ENGINE_DIR}/exec`,
        '--pidfile',
        `${ENGINE_DIR}/docker.pid`,
        '-H',
        ENGINE_URL,
        '--bridge=none',
        '--iptables=false',
        '--ip-masq=false',
        '--ip-forward=false',
        '--storage-driver=overlay2',
        '--live-restore',
        '--default-address-pool',
        'base=198.18.128.0/17,size=24',
        '--config-file',
        `${ENGINE_DIR}/daemon.json`,
        '--dns',
        '127.0.0.1',
      ],
      { stdio: ['ignore', log, log], detached: false },
    );
    fs.closeSync(log);
    this.pid = child.pid ?? null;
    child.unref();
    const deadline = Date.now() + timeoutMs;
    while (!(await ping())) {
      if (Date.now() > deadline)
        throw new Error(
          `second dockerd did not answer within ${timeoutMs} ms: ${fs.readFileSync(`${ENGINE_DIR}/dockerd.log`, 'utf8').slice(-2000)}`,
        );
      await sleep(100);
    }
  }

  /** Stops the daemon by its PID (SIGTERM: live-restore keeps the containers running). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000): Promise<void> {
    if (!this.pid) return;
    const pid = this.pid;
    try {
      process.kill(pid, signal);
    } catch {
      /* gone */
    }
    const deadline = Date.now() + timeoutMs;
    while (alive(pid)) {
      if (Date.now() > deadline) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
        break;
      }
      await sleep(50);
    }
    this.pid = null;
  }

  /** Removes its containers, stops it, unmounts and deletes its directories. */
  async destroy(): Promise<void> {
    if (this.pid && (await ping())) {
      try {
        const ids = engineCli('ps', '-aq').split('\n').filter(Boolean);
        if (ids.length) engineCli('rm', '-f', ...ids);
      } catch {
        /* best effort */
      }
    }
    await this.stop('SIGTERM');
    for (const m of [`${ENGINE_DIR}/exec/netns/default`, `${ENGINE_DIR}/root`]) {
      try {
        execFileSync('umount', ['-l', m], { stdio: 'ignore' });
      } catch {
        /* not mounted */
      }
    }
    fs.rmSync(ENGINE_DIR, { recursive: true, force: true });
    fs.rmSync(ENGINE_SOCK, { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Prepares the config file (empty: keeps /etc/docker/daemon.json out) before `start`. */
export function prepareEngineDir(): void {
  fs.mkdirSync(ENGINE_DIR, { recursive: true });
  fs.writeFileSync(`${ENGINE_DIR}/daemon.json`, '{}');
}
