// os-hypervisors views (nova/api/openstack/compute/hypervisors.py _view_hypervisor): integer ids
// below 2.53 and UUIDs from it; cpu_info a JSON string below 2.28 and an object from it; the
// resource figures and /statistics gone from 2.88, replaced by `uptime` in the detail.
import os from 'node:os';
import type { Hypervisor } from '../../../compute/hosts/compute-services.js';
import { serviceId } from './compute-services-views.js';
import type { ApiVersion } from '../../../compute/api-version.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** Docker's "24.0.5" as Nova's integer version (major*1e6 + minor*1e3 + patch, as libvirt's). */
export function dockerVersionNumber(version: string | undefined): number {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(version ?? '');
  return m ? Number(m[1]) * 1_000_000 + Number(m[2]) * 1000 + Number(m[3] ?? 0) : 0;
}

export function hypervisorId(v: ApiVersion, h: Hypervisor): number | string {
  return v.gte('2.53') ? h.uuid : h.id;
}

/** The figures Nova reports per compute node, from docker info and the servers placed there. */
export function resources(h: Hypervisor) {
  const vcpus = h.info?.cpus ?? 0;
  const memoryMb = Math.floor((h.info?.memoryBytes ?? 0) / MiB);
  const localGb = Math.floor((h.info?.diskTotalBytes ?? 0) / GiB);
  return {
    vcpus,
    memory_mb: memoryMb,
    local_gb: localGb,
    vcpus_used: h.usage.vcpus,
    memory_mb_used: h.usage.memoryMb,
    local_gb_used: h.usage.localGb,
    free_ram_mb: memoryMb - h.usage.memoryMb,
    free_disk_gb: localGb - h.usage.localGb,
    current_workload: h.usage.busy,
    running_vms: h.usage.count,
    disk_available_least: Math.floor((h.info?.diskFreeBytes ?? 0) / GiB),
  };
}

function cpuInfo(h: Hypervisor) {
  const cpus = os.cpus();
  const local = h.hostIp === '127.0.0.1';
  return {
    arch: os.arch() === 'x64' ? 'x86_64' : os.arch() === 'arm64' ? 'aarch64' : os.arch(),
    model: local && cpus[0] ? cpus[0].model : 'unknown',
    vendor:
      local && cpus[0]
        ? /intel/i.test(cpus[0].model)
          ? 'Intel'
          : /amd/i.test(cpus[0].model)
            ? 'AMD'
            : 'unknown'
        : 'unknown',
    features: [] as string[],
    topology: { cores: h.info?.cpus ?? 0, threads: 1, sockets: 1 },
  };
}

export function renderHypervisorSummary(
  v: ApiVersion,
  h: Hypervisor,
  servers?: { display_name: string; uuid: string }[],
) {
  return {
    id: hypervisorId(v, h),
    hypervisor_hostname: h.hostname,
    state: h.service.up ? 'up' : 'down',
    status: h.service.disabled ? 'disabled' : 'enabled',
    ...(servers !== undefined ? { servers: servers.map((s) => ({ name: s.display_name, uuid: s.uuid })) } : {}),
  };
}

export function renderHypervisorDetail(
  v: ApiVersion,
  h: Hypervisor,
  extra: { servers?: { display_name: string; uuid: string }[]; uptime?: string | null } = {},
) {
  const { servers, ...summary } = renderHypervisorSummary(v, h);
  void servers;
  const base = {
    ...summary,
    hypervisor_type: 'docker',
    hypervisor_version: dockerVersionNumber(h.info?.serverVersion),
    host_ip: h.hostIp,
    service: { id: serviceId(v, h.service), host: h.service.host, disabled_reason: h.service.disabledReason },
  };
  const withServers =
    extra.servers !== undefined ? { servers: extra.servers.map((s) => ({ name: s.display_name, uuid: s.uuid })) } : {};
  if (v.gte('2.88')) return { ...base, uptime: extra.uptime ?? null, ...withServers };
  const info = cpuInfo(h);
  return { ...base, ...resources(h), cpu_info: v.gte('2.28') ? info : JSON.stringify(info), ...withServers };
}

export function renderStatistics(list: Hypervisor[]) {
  const total = {
    count: list.length,
    vcpus: 0,
    memory_mb: 0,
    local_gb: 0,
    vcpus_used: 0,
    memory_mb_used: 0,
    local_gb_used: 0,
    free_ram_mb: 0,
    free_disk_gb: 0,
    current_workload: 0,
    running_vms: 0,
    disk_available_least: 0,
  };
  for (const h of list) {
    const r = resources(h);
    for (const k of Object.keys(r) as (keyof typeof r)[]) total[k] += r[k];
  }
  return { hypervisor_statistics: total };
}
