// One validated, typed configuration object, read once from the environment.
// A bad value stops the start with a one-line message naming the variable.
import os from 'node:os';
import path from 'node:path';
import { cidrWithin, cidrsOverlap, formatCidr, parseCidr } from './network/ip.js';
import { defaultRanges } from './network/ranges.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string;
  dockerHost: string;
  publicUrl: string | null;
  logLevel: LogLevel;
  /** 'docker' drives a real engine; 'fake' keeps servers in memory (demos, API tests). */
  computeDriver: 'docker' | 'fake';
  adminPassword: string | null;
  tokenTtlSeconds: number;
  /** Largest image upload accepted, in bytes (413 above it). */
  imageMaxBytes: number;
  /** Grace period given to a container's processes on stop, in seconds. */
  stopTimeoutSeconds: number;
  /** Timeout of one ordinary Docker API call, in milliseconds. */
  dockerTimeoutMs: number;
  /** Seconds between power-state syncs (the safety net behind Docker events); 0 disables it. */
  powerSyncIntervalSeconds: number;
  /** Deferred delete (nova reclaim_instance_interval): seconds a deleted server stays SOFT_DELETED; 0 = delete at once. */
  reclaimInstanceIntervalSeconds: number;
  /** Name of the default compute host (DOCKER_HOST's engine); the machine's host name unless set. */
  defaultHostName: string;
  /** Availability zone of the default compute host. */
  defaultAvailabilityZone: string;
  /** Further Docker hosts (NOVADOCK_COMPUTE_HOSTS="name=unix:///path@zone,name2=tcp://h:2375"). */
  computeHosts: { name: string; dockerUrl: string; availabilityZone: string }[];
  /** Seconds between host heartbeats; a host is down after two missed beats. */
  heartbeatIntervalSeconds: number;
  /**
   * How X-Auth-Token is checked: 'keystone' (tokens this service issued) or 'noauth2' (Nova's
   * test-only [api] auth_strategy: any token "user[:project]" is believed; loopback only).
   */
  authStrategy: AuthStrategy;
  /**
   * The network service's address space: every subnet (the defaults and users') lies inside these
   * pools, and the default topology's `public` and `private` ranges (carved from the top of the IPv4
   * pool unless given).
   */
  network: { poolV4: string; poolV6: string; publicCidr: string; privateCidr: string };
  /**
   * The fake driver's compute hosts (NOVADOCK_FAKE_HOSTS, fake driver only): how many in all (the
   * default host and fake-0001 … fake-NNNN), and what each one reports (NOVADOCK_FAKE_HOST_VCPUS,
   * NOVADOCK_FAKE_HOST_RAM_MB, NOVADOCK_FAKE_HOST_DISK_GB).
   */
  fakeHosts: { count: number; vcpus: number; ramMb: number; diskGb: number };
  /** nova.conf cpu_allocation_ratio and ram_allocation_ratio: the scheduler's overcommit of each host. */
  cpuAllocationRatio: number;
  ramAllocationRatio: number;
}

export type AuthStrategy = 'keystone' | 'noauth2';

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function str(env: Env, name: string, fallback: string): string {
  const v = env[name];
  return v === undefined || v === '' ? fallback : v;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be an integer, got "${raw}"`);
  const n = Number(raw.trim());
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function ratio(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw.trim());
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || !(n > 0) || n > 1000)
    throw new ConfigError(`${name} must be a number above 0 and at most 1000, got "${raw}"`);
  return n;
}

function url(env: Env, name: string): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  try {
    const u = new URL(raw);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw new ConfigError(`${name} must be an absolute http(s) URL, got "${raw}"`);
  }
  return raw.replace(/\/+$/, '');
}

function cidr(env: Env, name: string, fallback: string, version: 4 | 6): string {
  const raw = str(env, name, fallback);
  const c = parseCidr(raw);
  if (!c || c.version !== version) throw new ConfigError(`${name} must be an IPv${version} CIDR, got "${raw}"`);
  return formatCidr(c);
}

function networkConfig(env: Env): Config['network'] {
  const poolV4 = cidr(env, 'NOVADOCK_NETWORK_POOL', '198.18.0.0/16', 4);
  const poolV6 = cidr(env, 'NOVADOCK_NETWORK_POOL_V6', 'fd6e:6f76:6100::/40', 6);
  let ranges: { publicCidr: string; privateCidr: string };
  try {
    ranges = defaultRanges(poolV4);
  } catch (e) {
    throw new ConfigError(`NOVADOCK_NETWORK_POOL: ${(e as Error).message}`);
  }
  const publicCidr = cidr(env, 'NOVADOCK_NETWORK_PUBLIC_CIDR', ranges.publicCidr, 4);
  const privateCidr = cidr(env, 'NOVADOCK_NETWORK_PRIVATE_CIDR', ranges.privateCidr, 4);
  const pool = parseCidr(poolV4)!;
  for (const [name, value] of [
    ['NOVADOCK_NETWORK_PUBLIC_CIDR', publicCidr],
    ['NOVADOCK_NETWORK_PRIVATE_CIDR', privateCidr],
  ] as const) {
    if (!cidrWithin(parseCidr(value)!, pool))
      throw new ConfigError(`${name} ${value} must lie inside NOVADOCK_NETWORK_POOL ${poolV4}`);
  }
  if (cidrsOverlap(parseCidr(publicCidr)!, parseCidr(privateCidr)!)) {
    throw new ConfigError(
      `NOVADOCK_NETWORK_PUBLIC_CIDR ${publicCidr} and NOVADOCK_NETWORK_PRIVATE_CIDR ${privateCidr} overlap`,
    );
  }
  return { poolV4, poolV6, publicCidr, privateCidr };
}

/** "name=url[@zone],…" → hosts; the zone defaults to the default availability zone. */
function computeHosts(env: Env, defaultZone: string): Config['computeHosts'] {
  const raw = env.NOVADOCK_COMPUTE_HOSTS;
  if (!raw || !raw.trim()) return [];
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => {
      const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)=((?:unix:\/\/\/|tcp:\/\/|https?:\/\/)[^@\s]+)(?:@([^@\s]+))?$/.exec(
        item,
      );
      if (!m)
        throw new ConfigError(
          `NOVADOCK_COMPUTE_HOSTS entries must look like name=unix:///path[@zone] or name=tcp://host:port[@zone], got "${item}"`,
        );
      return { name: m[1], dockerUrl: m[2], availabilityZone: m[3] ?? defaultZone };
    });
}

export function loadConfig(env: Env = process.env): Config {
  const dataDir = path.resolve(str(env, 'NOVADOCK_DATA_DIR', './data'));
  const databaseUrl = str(env, 'DATABASE_URL', `sqlite://${path.join(dataDir, 'novadock.sqlite')}`);
  if (!/^(sqlite:|postgres:|postgresql:)/.test(databaseUrl)) {
    throw new ConfigError(`DATABASE_URL must start with sqlite:// or postgres://, got "${databaseUrl}"`);
  }
  const dockerHost = str(env, 'DOCKER_HOST', 'unix:///var/run/docker.sock');
  if (!/^(unix:\/\/\/|tcp:\/\/|https?:\/\/)/.test(dockerHost)) {
    throw new ConfigError(`DOCKER_HOST must be unix:///path or tcp://host:port, got "${dockerHost}"`);
  }
  const logLevel = str(env, 'NOVADOCK_LOG_LEVEL', 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`NOVADOCK_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const computeDriver = str(env, 'NOVADOCK_COMPUTE_DRIVER', 'docker');
  if (computeDriver !== 'docker' && computeDriver !== 'fake') {
    throw new ConfigError(`NOVADOCK_COMPUTE_DRIVER must be docker or fake, got "${computeDriver}"`);
  }
  const authStrategy = str(env, 'NOVADOCK_AUTH_STRATEGY', 'keystone');
  if (authStrategy !== 'keystone' && authStrategy !== 'noauth2') {
    throw new ConfigError(`NOVADOCK_AUTH_STRATEGY must be keystone or noauth2, got "${authStrategy}"`);
  }
  // Nova's [DEFAULT] host; the names NOVADOCK_COMPUTE_HOSTS takes
  const defaultHostName = str(env, 'NOVADOCK_DEFAULT_HOST_NAME', os.hostname());
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/.test(defaultHostName)) {
    throw new ConfigError(
      `NOVADOCK_DEFAULT_HOST_NAME must be letters, digits, '.', '_' or '-' (at most 255), got "${defaultHostName}"`,
    );
  }
  const host = str(env, 'NOVADOCK_HOST', '127.0.0.1');
  if (!/^[0-9a-zA-Z.:[\]-]+$/.test(host))
    throw new ConfigError(`NOVADOCK_HOST is not a host name or address: "${host}"`);
  return {
    host,
    port: int(env, 'NOVADOCK_PORT', 8774, 0, 65535),
    dataDir,
    databaseUrl,
    dockerHost,
    publicUrl: url(env, 'NOVADOCK_PUBLIC_URL'),
    logLevel,
    computeDriver,
    adminPassword: env.NOVADOCK_ADMIN_PASSWORD || null,
    tokenTtlSeconds: int(env, 'NOVADOCK_TOKEN_TTL', 12 * 3600, 60, 30 * 24 * 3600),
    imageMaxBytes: int(env, 'NOVADOCK_IMAGE_MAX_BYTES', 10 * 1024 ** 3, 1, Number.MAX_SAFE_INTEGER),
    stopTimeoutSeconds: int(env, 'NOVADOCK_STOP_TIMEOUT', 10, 0, 600),
    dockerTimeoutMs: int(env, 'NOVADOCK_DOCKER_TIMEOUT_MS', 30_000, 100, 3_600_000),
    powerSyncIntervalSeconds: int(env, 'NOVADOCK_POWER_SYNC_INTERVAL', 10, 0, 3600),
    reclaimInstanceIntervalSeconds: int(env, 'NOVADOCK_RECLAIM_INSTANCE_INTERVAL', 0, 0, 365 * 24 * 3600),
    defaultHostName,
    defaultAvailabilityZone: str(env, 'NOVADOCK_AVAILABILITY_ZONE', 'nova'),
    computeHosts: computeHosts(env, str(env, 'NOVADOCK_AVAILABILITY_ZONE', 'nova')),
    heartbeatIntervalSeconds: int(env, 'NOVADOCK_HEARTBEAT_INTERVAL', 10, 1, 3600),
    authStrategy,
    network: networkConfig(env),
    fakeHosts: {
      count: int(env, 'NOVADOCK_FAKE_HOSTS', 1, 1, 10_000),
      vcpus: int(env, 'NOVADOCK_FAKE_HOST_VCPUS', 2, 1, 1_000_000),
      ramMb: int(env, 'NOVADOCK_FAKE_HOST_RAM_MB', 24 * 1024, 1, 1024 ** 3),
      diskGb: int(env, 'NOVADOCK_FAKE_HOST_DISK_GB', 100, 1, 1024 ** 3),
    },
    cpuAllocationRatio: ratio(env, 'NOVADOCK_CPU_ALLOCATION_RATIO', 16.0),
    ramAllocationRatio: ratio(env, 'NOVADOCK_RAM_ALLOCATION_RATIO', 1.5),
  };
}

/** The fake driver's further hosts, fake-0001 … (NOVADOCK_FAKE_HOSTS counts the default host too). */
export function fakeComputeHosts(config: Config): Config['computeHosts'] {
  if (config.computeDriver !== 'fake') return [];
  return Array.from({ length: config.fakeHosts.count - 1 }, (_, i) => {
    const name = `fake-${String(i + 1).padStart(4, '0')}`;
    return { name, dockerUrl: `fake://${name}`, availabilityZone: config.defaultAvailabilityZone };
  });
}

/** A configuration for tests: in-memory SQLite, fake driver, temp data dir. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    ...loadConfig({ NOVADOCK_DATA_DIR: overrides.dataDir ?? '/tmp/novadock-test', NOVADOCK_LOG_LEVEL: 'silent' }),
    databaseUrl: 'sqlite://:memory:',
    computeDriver: 'fake',
    adminPassword: 'test-admin-password',
    powerSyncIntervalSeconds: 0,
    ...overrides,
  };
}
