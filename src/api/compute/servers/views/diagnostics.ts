// Server diagnostics views (nova server_diagnostics.py). Below 2.48 the driver's own free-form
// keys (libvirt style: cpuN_time, memory, <nic>_rx…); from 2.48 Nova's standard 13 keys
// (views/server_diagnostics.py) with memory in MiB, CPU time in ns and no disks (a container
// has no block device of its own).
//
// `driver` is `libvirt`. Nova's response schema (schemas/server_diagnostics.py) allows only
// ironic, libvirt, vmwareapi and xenapi, and strict clients validate it (Tempest's schema adds
// hyperv); `docker` failed them. libvirt is the value in every enum, and Nova's own way to run
// containers (virt_type=lxc). `hypervisor` stays `docker` (a free string there), as does the
// hypervisor_type of os-hypervisors. (issue 17; docs/compatibility.md says so too)
//
// CPUs are the flavor's vCPUs (Nova's libvirt driver lists the guest's vCPUs, not the host's).
// Docker accounts CPU time per container, not per vCPU: each vCPU shows an equal share of the
// container's CPU time, so the shares add up to it.
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

/** The container's CPU time shared evenly among the flavor's vCPUs (ns each; the shares add up). */
function vcpuTimes(d: DiagnosticsData): number[] {
  const n = Math.max(1, d.instance.vcpus);
  const share = Math.floor(d.stats.cpuTimeNs / n);
  return Array.from({ length: n }, (_, i) => (i === 0 ? d.stats.cpuTimeNs - share * (n - 1) : share));
}

export function renderDiagnosticsLegacy(d: DiagnosticsData): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  vcpuTimes(d).forEach((ns, i) => {
    out[`cpu${i}_time`] = ns;
  });
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
  return {
    state: STATE_NAMES[power] ?? 'pending',
    driver: 'libvirt',
    hypervisor: 'docker',
    hypervisor_os: d.hostOs,
    uptime: d.stats.uptimeSeconds,
    config_drive: Boolean(d.instance.config_drive),
    num_cpus: d.instance.vcpus,
    num_disks: 0,
    num_nics: nics.length,
    memory_details: { maximum: d.instance.memory_mb, used: Math.round(d.stats.memoryUsedBytes / MiB) },
    cpu_details: vcpuTimes(d).map((ns, id) => ({ id, time: ns, utilisation: null })),
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
