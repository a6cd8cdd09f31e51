// The hypervisor view above the advertised maximum (2.88 drops the figures, adds uptime), ready
// for when the maximum is raised; and the Docker version as Nova's integer.
import { describe, expect, it } from 'vitest';
import { dockerVersionNumber, renderHypervisorDetail } from '../../src/api/compute/hosts/hypervisors-views.js';
import type { Hypervisor } from '../../src/compute/hosts/compute-services.js';
import { ApiVersion } from '../../src/compute/api-version.js';

const h = {
  id: 3,
  uuid: '5cde33a5-0d65-5e7e-a2e0-b9881677246c',
  hostname: 'vm',
  hostIp: '127.0.0.1',
  service: {
    id: 5,
    uuid: '308c264b-6592-4dc7-97f6-c8f84d88846e',
    host: 'vm',
    disabled: false,
    disabledReason: null,
    up: true,
  },
  info: {
    cpus: 2,
    memoryBytes: 2 * 1024 ** 3,
    diskTotalBytes: 0,
    diskFreeBytes: 0,
    serverVersion: '24.0.5',
    apiVersion: '1.43',
    operatingSystem: '',
    kernelVersion: '',
    storageDriver: '',
    containers: 0,
    containersRunning: 0,
  },
  usage: { vcpus: 1, memoryMb: 512, localGb: 1, count: 1, busy: 0 },
} as unknown as Hypervisor;

describe('hypervisor views', () => {
  it('2.88: id, hostname, state, status, type, version, host_ip, service, uptime; no figures', () => {
    const v = renderHypervisorDetail(ApiVersion.parse('2.88'), h, {
      uptime: ' 10:00:00 up 1 days,  2:03,  0 users,  load average: 0.10, 0.20, 0.30',
    });
    expect(Object.keys(v)).toEqual([
      'id',
      'hypervisor_hostname',
      'state',
      'status',
      'hypervisor_type',
      'hypervisor_version',
      'host_ip',
      'service',
      'uptime',
    ]);
    expect(v).toMatchObject({
      id: h.uuid,
      hypervisor_version: 24000005,
      service: { id: '308c264b-6592-4dc7-97f6-c8f84d88846e', host: 'vm', disabled_reason: null },
    });
  });

  it('2.1: the figures from docker info and the placed servers', () => {
    const v = renderHypervisorDetail(ApiVersion.parse('2.1'), h) as Record<string, unknown>;
    expect(v).toMatchObject({
      id: 3,
      vcpus: 2,
      memory_mb: 2048,
      vcpus_used: 1,
      memory_mb_used: 512,
      free_ram_mb: 1536,
      running_vms: 1,
    });
  });

  it('docker versions', () => {
    expect(dockerVersionNumber('20.10.24+dfsg1')).toBe(20010024);
    expect(dockerVersionNumber('27.1')).toBe(27001000);
    expect(dockerVersionNumber('')).toBe(0);
  });
});
