export function toInstanceStats(raw, startedAt, running, now) {
    const cpu = raw.cpu_stats?.cpu_usage ?? {};
    const perCpuNs = (cpu.percpu_usage ?? []).map(Number);
    const mem = raw.memory_stats ?? {};
    // Like `docker stats`: page cache is reclaimable, so it is not "used" (cgroup v1 `cache`, v2 `inactive_file`).
    const cache = mem.stats?.total_inactive_file ?? mem.stats?.inactive_file ?? mem.stats?.cache ?? 0;
    const networks = {};
    for (const [name, n] of Object.entries(raw.networks ?? {})) {
        networks[name] = {
            rxBytes: n.rx_bytes ?? 0,
            rxPackets: n.rx_packets ?? 0,
            rxErrors: n.rx_errors ?? 0,
            rxDropped: n.rx_dropped ?? 0,
            txBytes: n.tx_bytes ?? 0,
            txPackets: n.tx_packets ?? 0,
            txErrors: n.tx_errors ?? 0,
            txDropped: n.tx_dropped ?? 0,
        };
    }
    const started = startedAt ? Date.parse(startedAt) : NaN;
    return {
        cpuTimeNs: Number(cpu.total_usage ?? 0),
        memoryUsedBytes: Math.max(0, Number(mem.usage ?? 0) - Number(cache)),
        memoryLimitBytes: Number(mem.limit ?? 0),
        onlineCpus: Number(raw.cpu_stats?.online_cpus ?? perCpuNs.length) || perCpuNs.length,
        perCpuNs,
        networks,
        uptimeSeconds: running && Number.isFinite(started) ? Math.max(0, Math.floor((now - started) / 1000)) : 0,
    };
}
//# sourceMappingURL=stats.js.map