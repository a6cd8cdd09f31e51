// os-hosts documents (nova/api/openstack/compute/hosts.py, removed at 2.43): the host list, one
// entry per enabled service, and a compute host's resources: (total), (used_now), (used_max) and
// one entry per project with servers there.
import type { Hypervisor, ServiceRecord } from '../../../compute/hosts/compute-services.js';
import { resources } from './hypervisors-views.js';

/** nova-compute → compute, as Nova's service `topic`. */
const topicOf = (binary: string) => binary.replace(/^nova-/, '');

export function renderHostList(services: ServiceRecord[]) {
  return { hosts: services.map((s) => ({ host_name: s.host, service: topicOf(s.binary), zone: s.zone })) };
}

export function renderHostResources(
  host: string,
  h: Hypervisor,
  byProject: { projectId: string; vcpus: number; memoryMb: number; localGb: number }[],
) {
  const r = resources(h);
  const entry = (project: string, cpu: number, memoryMb: number, diskGb: number) => ({
    resource: { host, project, cpu, memory_mb: memoryMb, disk_gb: diskGb },
  });
  const sum = (k: 'vcpus' | 'memoryMb' | 'localGb') => byProject.reduce((n, p) => n + p[k], 0);
  return {
    host: [
      entry('(total)', r.vcpus, r.memory_mb, r.local_gb),
      entry('(used_now)', r.vcpus_used, r.memory_mb_used, r.local_gb_used),
      entry('(used_max)', sum('vcpus'), sum('memoryMb'), sum('localGb')),
      ...byProject.map((p) => entry(p.projectId, p.vcpus, p.memoryMb, p.localGb)),
    ],
  };
}
