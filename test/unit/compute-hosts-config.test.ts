import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('NOVADOCK_COMPUTE_HOSTS', () => {
  it('parses name=url[@zone] entries; the zone defaults to the default availability zone', () => {
    const c = loadConfig({
      NOVADOCK_COMPUTE_HOSTS: 'd1=unix:///tmp/d1.sock@zone-a, d2=tcp://10.0.0.2:2375',
      NOVADOCK_AVAILABILITY_ZONE: 'az0',
    });
    expect(c.computeHosts).toEqual([
      { name: 'd1', dockerUrl: 'unix:///tmp/d1.sock', availabilityZone: 'zone-a' },
      { name: 'd2', dockerUrl: 'tcp://10.0.0.2:2375', availabilityZone: 'az0' },
    ]);
    expect(loadConfig({}).computeHosts).toEqual([]);
    expect(loadConfig({}).heartbeatIntervalSeconds).toBe(10);
  });

  it('a malformed entry or interval stops the start with a message naming the variable', () => {
    expect(() => loadConfig({ NOVADOCK_COMPUTE_HOSTS: 'nourl' })).toThrow(ConfigError);
    expect(() => loadConfig({ NOVADOCK_COMPUTE_HOSTS: 'x=ftp://h' })).toThrow(/NOVADOCK_COMPUTE_HOSTS/);
    expect(() => loadConfig({ NOVADOCK_HEARTBEAT_INTERVAL: '0' })).toThrow(/NOVADOCK_HEARTBEAT_INTERVAL/);
  });
});
