// The real service as a child process, the production artifact (`node dist/server.js`, the bundle
// scripts/build.sh makes; built here first when stale), so that a test can kill -9 it, SIGTERM it
// and start it again on the same data directory. Driven over HTTP on a loopback
// port picked here. Every wait is bounded; `stop` ends the child by its own PID only.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(new URL('.', import.meta.url).pathname, '../../..');
export const STRONG_ADMIN_PASSWORD = 'Reliability-Admin-Pw-7fd1c9';

let built = false;
/** scripts/build.sh once per test process (a no-op when dist/ is newer than every source). */
function ensureBuilt(): void {
  if (built) return;
  const r = spawnSync('bash', ['scripts/build.sh'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`scripts/build.sh failed:\n${r.stdout}${r.stderr}`);
  built = true;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface ServiceOptions {
  dataDir: string;
  port: number;
  dockerHost?: string;
  env?: Record<string, string>;
}

export class ServiceProcess {
  child: ChildProcess | null = null;
  output = '';
  /** how long the last start took until the first answer */
  startMs = 0;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> | null = null;

  constructor(readonly opts: ServiceOptions) {}

  get url(): string {
    return `http://127.0.0.1:${this.opts.port}`;
  }

  /** Starts the service and waits (bounded) until it answers GET / . */
  async start(timeoutMs = 60_000): Promise<void> {
    ensureBuilt();
    const child = spawn(process.execPath, ['dist/server.js'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/root',
        NOVADOCK_HOST: '127.0.0.1',
        NOVADOCK_PORT: String(this.opts.port),
        NOVADOCK_DATA_DIR: this.opts.dataDir,
        NOVADOCK_ADMIN_PASSWORD: STRONG_ADMIN_PASSWORD,
        NOVADOCK_LOG_LEVEL: 'warn',
        NOVADOCK_STOP_TIMEOUT: '1',
        NOVADOCK_POWER_SYNC_INTERVAL: '2',
        DOCKER_HOST: this.opts.dockerHost ?? 'unix:///var/run/docker.sock',
        ...(this.opts.env ?? {}),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (b: Buffer) => {
      this.output = (this.output + b.toString()).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    this.exit = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    const t0 = Date.now();
    const deadline = t0 + timeoutMs;
    let exited = false;
    void this.exit.then(() => {
      exited = true;
    });
    for (;;) {
      if (exited) throw new Error(`service exited during start:\n${this.output}`);
      try {
        const res = await fetch(`${this.url}/`, { signal: AbortSignal.timeout(1000) });
        if (res.status < 500) {
          this.startMs = Date.now() - t0;
          return;
        }
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) throw new Error(`service did not answer within ${timeoutMs} ms:\n${this.output}`);
      await sleep(100);
    }
  }

  /** kill -9: no shutdown code runs. */
  async kill9(): Promise<void> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    process.kill(this.child.pid!, 'SIGKILL');
    await this.exit;
  }

  /** SIGTERM, then wait (bounded) for the exit; SIGKILL if it does not come. */
  async terminate(timeoutMs = 40_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.child || !this.exit) return { code: null, signal: null };
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exit;
    process.kill(this.child.pid!, 'SIGTERM');
    const timer = setTimeout(() => {
      try {
        process.kill(this.child!.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, timeoutMs);
    const r = await this.exit;
    clearTimeout(timer);
    return r;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A tiny JSON client for the child service. */
export class Api {
  token = '';
  projectId = '';
  constructor(readonly base: string) {}

  async login(user = 'admin', password = STRONG_ADMIN_PASSWORD, project = 'admin'): Promise<void> {
    const res = await fetch(`${this.base}/identity/v3/auth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: user, password, domain: { name: 'Default' } } },
          },
          scope: { project: { name: project, domain: { name: 'Default' } } },
        },
      }),
    });
    if (res.status !== 201) throw new Error(`login: ${res.status} ${await res.text()}`);
    this.token = res.headers.get('x-subject-token')!;
    this.projectId = ((await res.json()) as { token: { project: { id: string } } }).token.project.id;
  }

  async call(
    method: string,
    p: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.base}${p}`, {
      method,
      headers: {
        'x-auth-token': this.token,
        'openstack-api-version': 'compute 2.79',
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed };
  }

  /** Creates an image and uploads `data` (a docker save tarball). */
  async uploadImage(name: string, data: Buffer, props: Record<string, string> = {}): Promise<string> {
    const c = await this.call('POST', '/image/v2/images', {
      name,
      container_format: 'docker',
      disk_format: 'raw',
      visibility: 'public',
      ...props,
    });
    if (c.status !== 201) throw new Error(`image create: ${c.status} ${JSON.stringify(c.body)}`);
    const res = await fetch(`${this.base}/image/v2/images/${c.body.id}/file`, {
      method: 'PUT',
      headers: { 'x-auth-token': this.token, 'content-type': 'application/octet-stream' },
      body: data,
    });
    if (res.status !== 204) throw new Error(`image upload: ${res.status} ${await res.text()}`);
    return c.body.id as string;
  }

  /** Lifts the admin project's instance/core/RAM quota. */
  async unlimitedQuota(projectId: string): Promise<void> {
    const r = await this.call('PUT', `/compute/v2.1/os-quota-sets/${projectId}`, {
      quota_set: { instances: -1, cores: -1, ram: -1 },
    });
    if (r.status !== 200) throw new Error(`quota: ${r.status} ${JSON.stringify(r.body)}`);
  }
}
