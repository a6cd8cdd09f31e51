// Browser harness for the real Horizon: a novadock on the real Docker Engine (listening on loopback),
// Debian's unmodified Horizon started against it by scripts/horizon-up.sh, and Debian's Chromium driven
// headless by playwright-core (nothing downloaded: the system /usr/bin/chromium, a new empty profile).
// Every visit saves a screenshot into one folder per run, printed at start (HORIZON_SHOTS_DIR sets it).
// Fails (never skips) when Chromium, Horizon or Docker is missing.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type BrowserContext, type Page, type Response } from 'playwright-core';
import { loadConfig } from '../../src/config.js';
import { startListeningApp, type ListeningApp } from '../helpers/cli.js';
import { TEST_IMAGE, docker } from '../helpers/docker-app.js';
import { removeStaleNetworks, workerSlice } from '../helpers/docker-network.js';

const run = promisify(execFile);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ADMIN_PASSWORD = 'horizon-test-admin-password';

/** Flags the machine needs: no sandbox as root, no GPU, and no background traffic off the machine. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A free loopback port (HORIZON_PORT pins it). */
async function freePort(): Promise<number> {
  if (process.env.HORIZON_PORT) return Number(process.env.HORIZON_PORT);
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

export interface Visit {
  path: string;
  status: number;
  /** Horizon responses (the page and its XHRs) with a 5xx */
  serverErrors: string[];
  /** the error toasts and messages shown (.alert-danger) */
  errorAlerts: string[];
  ms: number;
  screenshot: string;
}

export interface HorizonEnv {
  novadock: ListeningApp;
  horizonUrl: string;
  horizonLog: string;
  shots: string;
  context: BrowserContext;
  page: Page;
  /** Spare IPv4 ranges for the networks a test makes, four /26s of one /24 that the service's `private`
   * and `public` leave free: this worker's `userCidr` (test/helpers/docker-network.ts), or with
   * NOVADOCK_NETWORK_POOL the /24 below the public one. Each test file takes its own. */
  spareCidrs: string[];
  /** a token for the admin user on the admin project (for set-up through the API) */
  token: string;
  api(
    method: string,
    url: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any }>;
  login(user?: string, password?: string): Promise<void>;
  visit(path: string, name?: string): Promise<Visit>;
  shot(name: string): Promise<string>;
  close(): Promise<void>;
}

export const timings: Record<string, number> = {};
const timed = async <T>(label: string, f: () => Promise<T>): Promise<T> => {
  const t0 = Date.now();
  try {
    return await f();
  } finally {
    timings[label] = Date.now() - t0;
  }
};

export async function startHorizonEnv(name: string): Promise<HorizonEnv> {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install chromium (scripts/horizon-test.sh does)`);
  const shots = process.env.HORIZON_SHOTS_DIR
    ? path.join(process.env.HORIZON_SHOTS_DIR, name)
    : fs.mkdtempSync(path.join(os.tmpdir(), `novadock-horizon-shots-${name}-`));
  fs.mkdirSync(shots, { recursive: true });
  console.log(`[horizon] screenshots of ${name}: ${shots}`);

  // NOVADOCK_NETWORK_POOL (and _PUBLIC_CIDR, _PRIVATE_CIDR) keep the network service's ranges where the
  // machine's owner allows them; by default the service's own defaults
  const network = process.env.NOVADOCK_NETWORK_POOL
    ? loadConfig({
        NOVADOCK_DATA_DIR: os.tmpdir(),
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('NOVADOCK_NETWORK_'))),
      }).network
    : undefined;
  const novadock = await timed('novadock start', () =>
    startListeningApp(
      { computeDriver: 'docker', adminPassword: ADMIN_PASSWORD, ...(network ? { network } : {}) },
      // HORIZON_NOVADOCK_PORT pins novadock's port (a machine that allows only some ports)
      { port: process.env.HORIZON_NOVADOCK_PORT ? Number(process.env.HORIZON_NOVADOCK_PORT) : undefined },
    ),
  );
  const spare24 = network
    ? network.publicCidr.replace(
        /^(\d+\.\d+)\.(\d+)\.0\/24$/,
        (_, ab: string, c: string) => `${ab}.${Number(c) - 1}.0/24`,
      )
    : workerSlice().userCidr;
  const spareCidrs = [0, 64, 128, 192].map((h) => spare24.replace(/\.0\/24$/, `.${h}/26`));
  // networks left on these ranges by a run that did not finish would make the engine refuse new ones
  removeStaleNetworks(spareCidrs);
  const port = await freePort();
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), `novadock-horizon-run-${name}-`));
  const hzEnv = { ...process.env, HORIZON_PORT: String(port), HORIZON_RUN_DIR: runDir, HORIZON_DEBUG_LOG: '1' };
  let horizonUrl: string;
  try {
    horizonUrl = await timed('horizon start', async () =>
      (
        await run('bash', [path.join(REPO, 'scripts/horizon-up.sh'), novadock.url], { env: hzEnv, timeout: 900_000 })
      ).stdout.trim(),
    );
  } catch (e) {
    // a uWSGI that started but never answered in time would keep the port: stop it (by its PID file)
    await run('bash', [path.join(REPO, 'scripts/horizon-up.sh'), 'stop'], { env: hzEnv }).catch(() => undefined);
    fs.rmSync(runDir, { recursive: true, force: true });
    await novadock.close();
    throw e;
  }
  const horizonLog = path.join(runDir, 'horizon.log');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'novadock-chromium-'));
  const context = await timed('chromium start', () =>
    chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1400, height: 1000 },
      acceptDownloads: true,
    }),
  );
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(30_000);

  const api: HorizonEnv['api'] = async (method, url, body, headers = {}) => {
    const res = await fetch(`${novadock.url}${url}`, {
      method,
      headers: {
        'X-Auth-Token': env.token,
        ...(body !== undefined && !Buffer.isBuffer(body) ? { 'Content-Type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : Buffer.isBuffer(body) ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed };
  };

  const tokenRes = await fetch(`${novadock.url}/identity/v3/auth/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'admin', domain: { name: 'Default' }, password: ADMIN_PASSWORD } },
        },
        scope: { project: { name: 'admin', domain: { name: 'Default' } } },
      },
    }),
  });
  if (tokenRes.status !== 201) throw new Error(`admin token: ${tokenRes.status}`);

  const shot = async (n: string) => {
    const file = path.join(shots, `${n.replace(/[^A-Za-z0-9_-]+/g, '_')}.png`);
    await page.screenshot({ path: file, fullPage: true });
    return file;
  };

  const env: HorizonEnv = {
    novadock,
    horizonUrl,
    horizonLog,
    shots,
    spareCidrs,
    context,
    page,
    api,
    shot,
    token: tokenRes.headers.get('x-subject-token')!,
    async login(user = 'admin', password = ADMIN_PASSWORD) {
      await page.goto(`${horizonUrl}/auth/login/`);
      await page.fill('#id_username', user);
      await page.fill('#id_password', password);
      await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/auth/login')), page.click('#loginBtn')]);
    },
    async visit(p, n) {
      const serverErrors: string[] = [];
      const onResponse = (r: Response) => {
        if (r.url().startsWith(horizonUrl) && r.status() >= 500)
          serverErrors.push(`${r.status()} ${r.request().method()} ${r.url().slice(horizonUrl.length)}`);
      };
      page.on('response', onResponse);
      const t0 = Date.now();
      try {
        const res = await page.goto(`${horizonUrl}${p}`);
        await page.waitForLoadState('networkidle', { timeout: 20_000 }).catch(() => undefined);
        const ms = Date.now() - t0;
        const errorAlerts = (await page.locator('.alert-danger:visible').allInnerTexts()).map((s) =>
          s.replace(/\s+/g, ' ').trim(),
        );
        return { path: p, status: res?.status() ?? 0, serverErrors, errorAlerts, ms, screenshot: await shot(n ?? p) };
      } finally {
        page.off('response', onResponse);
      }
    },
    async close() {
      await context.close().catch(() => undefined);
      await run('bash', [path.join(REPO, 'scripts/horizon-up.sh'), 'stop'], { env: hzEnv }).catch(() => undefined);
      await novadock.close();
      fs.rmSync(profile, { recursive: true, force: true });
      fs.rmSync(runDir, { recursive: true, force: true });
    },
  };
  return env;
}

/** The n-th address of an IPv4 range (`hostIn('198.18.1.64/26', 1)` is 198.18.1.65). */
export function hostIn(cidr: string, n: number): string {
  const [a, b, c, d] = cidr.split('/')[0].split('.').map(Number);
  const v = (((a << 24) >>> 0) + (b << 16) + (c << 8) + d + n) >>> 0;
  return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
}

/** The last lines of Horizon's log (for failure messages). */
export function horizonLogTail(env: HorizonEnv, lines = 40): string {
  try {
    return fs.readFileSync(env.horizonLog, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Uploads the Docker test image through the Image API, as `glance image-create` would. */
export async function uploadTestImage(env: HorizonEnv, name: string): Promise<string> {
  const tar = path.join(env.shots, '..', `${name}-${process.pid}.tar`);
  docker('image', 'save', TEST_IMAGE, '-o', tar);
  try {
    const created = await env.api('POST', '/image/v2/images', {
      name,
      container_format: 'docker',
      disk_format: 'raw',
      visibility: 'public',
    });
    if (created.status !== 201) throw new Error(`image create: ${created.status} ${JSON.stringify(created.body)}`);
    const put = await env.api('PUT', `/image/v2/images/${created.body.id}/file`, fs.readFileSync(tar), {
      'Content-Type': 'application/octet-stream',
    });
    if (put.status !== 204) throw new Error(`image upload: ${put.status} ${JSON.stringify(put.body)}`);
    return created.body.id as string;
  } finally {
    fs.rmSync(tar, { force: true });
  }
}

/** Boots a server through the Compute API (on the service's `private` network) and waits for ACTIVE. */
export async function bootServer(
  env: HorizonEnv,
  name: string,
  imageRef: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const res = await env.api(
    'POST',
    '/compute/v2.1/servers',
    { server: { name, imageRef, flavorRef: '6', networks: 'auto', ...extra } },
    { 'OpenStack-API-Version': 'compute 2.79' },
  );
  if (res.status !== 202) throw new Error(`boot ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  const id = res.body.server.id as string;
  await waitForServer(env, id, (s) => s.status === 'ACTIVE', 60_000);
  return id;
}

export async function waitForServer(env: HorizonEnv, id: string, pred: (s: any) => boolean, ms = 60_000): Promise<any> {
  const deadline = Date.now() + ms;
  for (;;) {
    const r = await env.api('GET', `/compute/v2.1/servers/${id}`, undefined, {
      'OpenStack-API-Version': 'compute 2.79',
    });
    if (r.status === 200 && pred(r.body.server)) return r.body.server;
    if (r.status === 404 && pred(null)) return null;
    if (Date.now() > deadline)
      throw new Error(
        `server ${id} not in the expected state within ${ms} ms: ${JSON.stringify(r.body).slice(0, 300)}`,
      );
    await new Promise((r2) => setTimeout(r2, 250));
  }
}

/** Teardown: deletes the servers through the API, waits (bounded) until they are gone, then removes
 * whatever Docker left of them; failures are ignored (the suite's own assertions have run). */
export async function deleteServers(env: HorizonEnv | undefined, ids: string[]): Promise<void> {
  if (!env) return;
  for (const s of ids) await env.api('DELETE', `/compute/v2.1/servers/${s}`).catch(() => undefined);
  for (const s of ids) await waitForServer(env, s, (x) => x === null, 30_000).catch(() => undefined);
  removeServerLeftovers(ids);
}

/** Removes whatever containers of these servers are left, and the Docker images made from them
 * (snapshots and shelved images are committed with the server's labels). */
export function removeServerLeftovers(ids: Iterable<string>): void {
  for (const id of ids) {
    try {
      docker('rm', '-f', `nova-${id}`);
    } catch {
      /* gone */
    }
    const images = docker('images', '-q', '--filter', `label=io.novadock.instance-uuid=${id}`)
      .split('\n')
      .filter(Boolean);
    if (images.length > 0) {
      try {
        docker('rmi', '-f', ...new Set(images));
      } catch {
        /* in use or gone */
      }
    }
  }
}

/**
 * Opens Horizon's Launch Instance wizard from the Instances page and names the instance: `step`
 * shows a wizard step by its label and returns its visible pane; `allocate` moves the row with
 * `row` in a pane's table to the allocated list.
 */
export async function openLaunchWizard(env: HorizonEnv, name: string) {
  const page = env.page;
  await page.click('#instances__action_launch-ng');
  await page.fill('.modal input[name="name"]', name);
  const step = async (label: string) => {
    await page.locator('.wizard-nav li', { hasText: label }).first().click();
    return page.locator('.modal .step:not(.ng-hide)');
  };
  const allocate = (scope: ReturnType<typeof page.locator>, row: string) =>
    scope.locator('tr', { hasText: row }).locator('button.fa-arrow-up').first().click();
  return { step, allocate };
}
