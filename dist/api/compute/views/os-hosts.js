import { resources } from './hypervisors.js';
/** nova-compute → compute, as Nova's service `topic`. */
const topicOf = (binary) => binary.replace(/^nova-/, '');
export function renderHostList(services) {
    return { hosts: services.map((s) => ({ host_name: s.host, service: topicOf(s.binary), zone: s.zone })) };
}
export function renderHostResources(host, h, byProject) {
    const r = resources(h);
    const entry = (project, cpu, memoryMb, diskGb) => ({ resource: { host, project, cpu, memory_mb: memoryMb, disk_gb: diskGb } });
    const sum = (k) => byProject.reduce((n, p) => n + p[k], 0);
    return {
        host: [
            entry('(total)', r.vcpus, r.memory_mb, r.local_gb),
            entry('(used_now)', r.vcpus_used, r.memory_mb_used, r.local_gb_used),
            entry('(used_max)', sum('vcpus'), sum('memoryMb'), sum('localGb')),
            ...byProject.map((p) => entry(p.projectId, p.vcpus, p.memoryMb, p.localGb)),
        ],
    };
}
//# sourceMappingURL=os-hosts.js.map