// loadConfig: development defaults from an empty environment, each setting read from its variable,
// and every bad value refused with a ConfigError that names the variable.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, fakeComputeHosts, loadConfig, testConfig } from '../../src/config.js';
import os from 'node:os';

describe('loadConfig defaults', () => {
  it('an empty environment gives the development defaults', () => {
    const c = loadConfig({});
    const dataDir = path.resolve('./data');
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 8774,
      dataDir,
      databaseUrl: `sqlite://${path.join(dataDir, 'novadock.sqlite')}`,
      dockerHost: 'unix:///var/run/docker.sock',
      publicUrl: null,
      logLevel: 'info',
      computeDriver: 'docker',
      adminPassword: null,
      tokenTtlSeconds: 12 * 3600,
      imageMaxBytes: 10 * 1024 ** 3,
      stopTimeoutSeconds: 10,
      dockerTimeoutMs: 30_000,
      powerSyncIntervalSeconds: 10,
      defaultAvailabilityZone: 'nova',
      computeHosts: [],
      heartbeatIntervalSeconds: 10,
      authStrategy: 'keystone',
      fakeHosts: { count: 1, vcpus: 2, ramMb: 24 * 1024, diskGb: 100 },
      cpuAllocationRatio: 16,
      ramAllocationRatio: 1.5,
    });
  });

  it('empty strings count as unset', () => {
    expect(
      loadConfig({ NOVADOCK_PORT: '', NOVADOCK_LOG_LEVEL: '', NOVADOCK_PUBLIC_URL: '', NOVADOCK_ADMIN_PASSWORD: '' }),
    ).toMatchObject({ port: 8774, logLevel: 'info', publicUrl: null, adminPassword: null });
  });

  it('does not read process.env when an environment is passed', () => {
    const saved = process.env.NOVADOCK_PORT;
    process.env.NOVADOCK_PORT = '1234';
    try {
      expect(loadConfig({}).port).toBe(8774);
    } finally {
      if (saved === undefined) delete process.env.NOVADOCK_PORT;
      else process.env.NOVADOCK_PORT = saved;
    }
  });
});

describe('loadConfig reads each variable', () => {
  it('takes every setting from its variable', () => {
    const c = loadConfig({
      NOVADOCK_HOST: '::1',
      NOVADOCK_PORT: '9000',
      NOVADOCK_DATA_DIR: '/tmp/nd-data',
      DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/nova',
      DOCKER_HOST: 'tcp://127.0.0.1:2375',
      NOVADOCK_PUBLIC_URL: 'https://cloud.example:8443/',
      NOVADOCK_LOG_LEVEL: 'debug',
      NOVADOCK_COMPUTE_DRIVER: 'fake',
      NOVADOCK_ADMIN_PASSWORD: 'a-long-secret-value',
      NOVADOCK_TOKEN_TTL: '3600',
      NOVADOCK_IMAGE_MAX_BYTES: '1048576',
      NOVADOCK_STOP_TIMEOUT: '0',
      NOVADOCK_DOCKER_TIMEOUT_MS: '5000',
      NOVADOCK_POWER_SYNC_INTERVAL: '0',
      NOVADOCK_AVAILABILITY_ZONE: 'az1',
      NOVADOCK_HEARTBEAT_INTERVAL: '5',
      NOVADOCK_AUTH_STRATEGY: 'noauth2',
    });
    expect(c).toMatchObject({
      host: '::1',
      port: 9000,
      dataDir: '/tmp/nd-data',
      databaseUrl: 'postgres://u:p@127.0.0.1:5432/nova',
      dockerHost: 'tcp://127.0.0.1:2375',
      publicUrl: 'https://cloud.example:8443',
      logLevel: 'debug',
      computeDriver: 'fake',
      adminPassword: 'a-long-secret-value',
      tokenTtlSeconds: 3600,
      imageMaxBytes: 1048576,
      stopTimeoutSeconds: 0,
      dockerTimeoutMs: 5000,
      powerSyncIntervalSeconds: 0,
      defaultAvailabilityZone: 'az1',
      heartbeatIntervalSeconds: 5,
      authStrategy: 'noauth2',
    });
  });

  it('the SQLite file follows NOVADOCK_DATA_DIR unless DATABASE_URL is set', () => {
    expect(loadConfig({ NOVADOCK_DATA_DIR: '/srv/nd' }).databaseUrl).toBe('sqlite:///srv/nd/novadock.sqlite');
    expect(loadConfig({ DATABASE_URL: 'sqlite://:memory:' }).databaseUrl).toBe('sqlite://:memory:');
  });

  it('NOVADOCK_COMPUTE_HOSTS lists further hosts, each zone defaulting to NOVADOCK_AVAILABILITY_ZONE', () => {
    const c = loadConfig({
      NOVADOCK_AVAILABILITY_ZONE: 'az0',
      NOVADOCK_COMPUTE_HOSTS: 'h1=unix:///var/run/other.sock, h2=tcp://10.0.0.2:2375@az2',
    });
    expect(c.computeHosts).toEqual([
      { name: 'h1', dockerUrl: 'unix:///var/run/other.sock', availabilityZone: 'az0' },
      { name: 'h2', dockerUrl: 'tcp://10.0.0.2:2375', availabilityZone: 'az2' },
    ]);
  });

  it("NOVADOCK_DEFAULT_HOST_NAME names the default compute host (the machine's name otherwise)", () => {
    expect(loadConfig({}).defaultHostName).toBe(os.hostname());
    expect(loadConfig({ NOVADOCK_DEFAULT_HOST_NAME: 'compute-1.lab' }).defaultHostName).toBe('compute-1.lab');
    expect(() => loadConfig({ NOVADOCK_DEFAULT_HOST_NAME: 'no spaces' })).toThrow(/NOVADOCK_DEFAULT_HOST_NAME/);
  });

  it('fake hosts and allocation ratios come from their variables', () => {
    const c = loadConfig({
      NOVADOCK_COMPUTE_DRIVER: 'fake',
      NOVADOCK_FAKE_HOSTS: '3',
      NOVADOCK_FAKE_HOST_VCPUS: '64',
      NOVADOCK_FAKE_HOST_RAM_MB: '131072',
      NOVADOCK_FAKE_HOST_DISK_GB: '2048',
      NOVADOCK_CPU_ALLOCATION_RATIO: '4',
      NOVADOCK_RAM_ALLOCATION_RATIO: '1.0',
    });
    expect(c.fakeHosts).toEqual({ count: 3, vcpus: 64, ramMb: 131072, diskGb: 2048 });
    expect([c.cpuAllocationRatio, c.ramAllocationRatio]).toEqual([4, 1]);
    expect(fakeComputeHosts(c)).toEqual([
      { name: 'fake-0001', dockerUrl: 'fake://fake-0001', availabilityZone: 'nova' },
      { name: 'fake-0002', dockerUrl: 'fake://fake-0002', availabilityZone: 'nova' },
    ]);
    // only the fake driver has fake hosts
    expect(fakeComputeHosts({ ...c, computeDriver: 'docker' })).toEqual([]);
  });

  it('integers accept the bounds of their range', () => {
    expect(loadConfig({ NOVADOCK_PORT: '0' }).port).toBe(0);
    expect(loadConfig({ NOVADOCK_PORT: '65535' }).port).toBe(65535);
    expect(loadConfig({ NOVADOCK_STOP_TIMEOUT: '600' }).stopTimeoutSeconds).toBe(600);
  });
});

describe('loadConfig refuses bad values, naming the variable', () => {
  const cases: [string, string][] = [
    ['NOVADOCK_PORT', 'eighty'],
    ['NOVADOCK_PORT', '65536'],
    ['NOVADOCK_PORT', '-1'],
    ['NOVADOCK_PORT', '80.5'],
    ['NOVADOCK_TOKEN_TTL', '59'],
    ['NOVADOCK_TOKEN_TTL', 'forever'],
    ['NOVADOCK_IMAGE_MAX_BYTES', '0'],
    ['NOVADOCK_STOP_TIMEOUT', '601'],
    ['NOVADOCK_DOCKER_TIMEOUT_MS', '99'],
    ['NOVADOCK_POWER_SYNC_INTERVAL', '3601'],
    ['NOVADOCK_HEARTBEAT_INTERVAL', '0'],
    ['DATABASE_URL', 'mysql://localhost/nova'],
    ['DOCKER_HOST', '/var/run/docker.sock'],
    ['NOVADOCK_PUBLIC_URL', 'ftp://example.com'],
    ['NOVADOCK_PUBLIC_URL', 'not a url'],
    ['NOVADOCK_LOG_LEVEL', 'loud'],
    ['NOVADOCK_COMPUTE_DRIVER', 'libvirt'],
    ['NOVADOCK_HOST', 'bad host!'],
    ['NOVADOCK_AUTH_STRATEGY', 'noauth'],
    ['NOVADOCK_AUTH_STRATEGY', 'NOAUTH2'],
    ['NOVADOCK_COMPUTE_HOSTS', 'h1=/var/run/docker.sock'],
    ['NOVADOCK_COMPUTE_HOSTS', 'no-equals-sign'],
    ['NOVADOCK_FAKE_HOSTS', '0'],
    ['NOVADOCK_FAKE_HOSTS', 'many'],
    ['NOVADOCK_FAKE_HOST_VCPUS', '0'],
    ['NOVADOCK_FAKE_HOST_RAM_MB', '-5'],
    ['NOVADOCK_CPU_ALLOCATION_RATIO', '0'],
    ['NOVADOCK_CPU_ALLOCATION_RATIO', 'lots'],
    ['NOVADOCK_RAM_ALLOCATION_RATIO', '-1.5'],
  ];
  for (const [name, value] of cases) {
    it(`${name}=${JSON.stringify(value)}`, () => {
      let caught: unknown;
      try {
        loadConfig({ [name]: value });
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(ConfigError);
      const message = (caught as Error).message;
      expect(message.startsWith(name)).toBe(true);
      // one line, quoting what was wrong
      expect(message).not.toContain('\n');
      expect(message).toContain(value);
    });
  }
});

describe('testConfig', () => {
  it('is in-memory, fake-driven and quiet, and takes overrides', () => {
    const c = testConfig({ port: 1 });
    expect(c).toMatchObject({
      databaseUrl: 'sqlite://:memory:',
      computeDriver: 'fake',
      logLevel: 'silent',
      powerSyncIntervalSeconds: 0,
      port: 1,
    });
    expect(c.adminPassword).toBeTruthy();
  });
});
