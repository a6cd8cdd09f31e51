// Server diagnostics views (nova server_diagnostics.py). Below 2.48 the driver's own free-form
// keys (libvirt style: cpuN_time, memory, <nic>_rx…); from 2.48 Nova's standard 13 keys
// (views/server_diagnostics.py) with memory in MiB, CPU time in ns and no disks (a container
// has no block device of its own).
import type { DiagnosticsData } from '../../../../compute/servers/actions/diagnostics.js';
import { PowerState } from '../../../../virt/power-state.js';

const STATE_NAMES: Record<number, string> = {
  [PowerState.NOSTATE]: 'pending',
  [PowerState.RUNNING]: 'running',
  [PowerState.PAUSED]: 'paused',
  [PowerState.SHUTDOWN]: 'shutdown',
  [PowerState.CRASHED]: 'crashed',
  [PowerState.SUSPENDED]: 'suspended',
};
const MiB = 1024 * 1024;

export function renderDiagnosticsLegacy(d: DiagnosticsData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  d.stats.perCpuNs.forEach((ns, i) => {
    out[`cpu${i}_time`] = ns;
  });
  if (!d.stats.perCpuNs.length) out.cpu0_time = d.stats.cpuTimeNs;
  out.memory = Math.round(d.stats.memoryLimitBytes / 1024);
  out['memory-actual'] = Math.round(d.stats.memoryLimitBytes / 1024);
  out['memory-rss'] = Math.round(d.stats.memoryUsedBytes / 1024);
  for (const [nic, n] of Object.entries(d.stats.networks)) {
    Object.assign(out, {
      [`${nic}_rx`]: n.rxBytes,
      [`${nic}_rx_drop`]: n.rxDropped,
      [`${nic}_rx_errors`]: n.rxErrors,
      [`${nic}_rx_packets`]: n.rxPackets,
      [`${nic}_tx`]: n.txBytes,
      [`${nic}_tx_drop`]: n.txDropped,
      [`${nic}_tx_errors`]: n.txErrors,
      [`${nic}_tx_packets`]: n.txPackets,
    });
  }
  return out;
}

export function renderDiagnostics(d: DiagnosticsData): Record<string, unknown> {
  const power =
    d.instance.vm_state === 'suspended' && d.info.powerState === PowerState.PAUSED
      ? PowerState.SUSPENDED
      : d.info.powerState;
  const nics = Object.values(d.stats.networks);
  const perCpu = d.stats.perCpuNs.length ? d.stats.perCpuNs : [d.stats.cpuTimeNs];
  return {
    state: STATE_NAMES[power] ?? 'pending',
    driver: 'docker',
    hypervisor: 'docker',
    hypervisor_os: d.hostOs,
    uptime: d.stats.uptimeSeconds,
    config_drive: Boolean(d.instance.config_drive),
    num_cpus: d.instance.vcpus,
    num_disks: 0,
    num_nics: nics.length,
    memory_details: { maximum: d.instance.memory_mb, used: Math.round(d.stats.memoryUsedBytes / MiB) },
    cpu_details: perCpu.map((ns, id) => ({ id, time: ns, utilisation: null })),
    nic_details: nics.map((n) => ({
      mac_address: d.mac,
      rx_octets: n.rxBytes,
      rx_errors: n.rxErrors,
      rx_drop: n.rxDropped,
      rx_packets: n.rxPackets,
      rx_rate: null,
      tx_octets: n.txBytes,
      tx_errors: n.txErrors,
      tx_drop: n.txDropped,
      tx_packets: n.txPackets,
      tx_rate: null,
    })),
    disk_details: [],
  };
}
