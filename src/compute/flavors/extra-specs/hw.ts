// `hw:` extra specs (nova/api/validation/extra_specs/hw.py, Zed): CPU pinning and topology,
// NUMA, huge pages, TPM, watchdog and other guest features. Libvirt options in Nova; novadock
// stores them and runs containers without them.
import type { KnownSpec } from './types.js';

/**
 * A CPU set such as `0-3,^2`, the syntax of Nova's CPU masks and NUMA CPU maps, as Nova spells
 * it (hw:cpu_realtime_mask with a group around its first caret). Its nested optional groups
 * backtrack exponentially on a long near-miss (`1-1,1-1,…x`), so the match uses the safe pattern:
 * the same strings, read as a first number followed by any run of `-N` and `,N` / `,^N` pieces.
 */
const CPU_SET = {
  type: 'str',
  pattern: String.raw`\^?\d+((-\d+)?(,\^?\d+(-\d+)?)?)*`,
  safePattern: String.raw`\^?\d+(-\d+|,\^?\d+)*`,
} as const;
const REALTIME_CPU_SET = { ...CPU_SET, pattern: String.raw`(\^)?\d+((-\d+)?(,\^?\d+(-\d+)?)?)*` } as const;

const bool = { type: 'bool' } as const;
const atLeastOne = { type: 'int', min: 1 } as const;
const oneOf = (...values: string[]) => ({ type: 'str', enum: values }) as const;
const numaNode = { num: String.raw`\d+` };

export const HW_SPECS: readonly KnownSpec[] = [
  // realtime
  { name: 'hw:cpu_realtime', value: bool },
  { name: 'hw:cpu_realtime_mask', value: REALTIME_CPU_SET },
  { name: 'hw:hide_hypervisor_id', value: bool },
  // CPU policies
  { name: 'hw:cpu_policy', value: oneOf('dedicated', 'shared', 'mixed') },
  { name: 'hw:cpu_thread_policy', value: oneOf('prefer', 'isolate', 'require') },
  { name: 'hw:emulator_threads_policy', value: oneOf('isolate', 'share') },
  { name: 'hw:cpu_dedicated_mask', value: CPU_SET },
  // memory pages
  {
    name: 'hw:mem_page_size',
    value: { type: 'str', pattern: String.raw`(large|small|any|\d+([kKMGT]i?)?(b|bit|B)?)` },
  },
  { name: 'hw:locked_memory', value: bool },
  // NUMA
  { name: 'hw:numa_nodes', value: atLeastOne },
  { name: 'hw:numa_cpus.{num}', params: numaNode, value: CPU_SET },
  { name: 'hw:numa_mem.{num}', params: numaNode, value: atLeastOne },
  { name: 'hw:pci_numa_affinity_policy', value: oneOf('required', 'preferred', 'legacy', 'socket') },
  // CPU topology
  { name: 'hw:cpu_sockets', value: atLeastOne },
  { name: 'hw:cpu_cores', value: atLeastOne },
  { name: 'hw:cpu_threads', value: atLeastOne },
  { name: 'hw:max_cpu_sockets', value: atLeastOne },
  { name: 'hw:max_cpu_cores', value: atLeastOne },
  { name: 'hw:max_cpu_threads', value: atLeastOne },
  // guest features
  { name: 'hw:boot_menu', value: bool },
  { name: 'hw:vif_multiqueue_enabled', value: bool },
  { name: 'hw:mem_encryption', value: bool },
  {
    name: 'hw:pmem',
    // Nova's pattern nests quantifiers; the safe one accepts exactly the same strings
    // (labels of word characters, single commas between them, one optional trailing comma).
    value: { type: 'str', pattern: '([a-zA-Z0-9_]+(,)?)+', safePattern: '[a-zA-Z0-9_]+(,[a-zA-Z0-9_]+)*,?' },
  },
  { name: 'hw:pmu', value: bool },
  { name: 'hw:serial_port_count', value: { type: 'int', min: 0 } },
  { name: 'hw:tpm_model', value: oneOf('tpm-tis', 'tpm-crb') },
  { name: 'hw:tpm_version', value: oneOf('1.2', '2.0') },
  { name: 'hw:watchdog_action', value: oneOf('none', 'pause', 'poweroff', 'reset', 'disabled') },
  { name: 'hw:viommu_model', value: oneOf('intel', 'smmuv3', 'virtio', 'auto') },
  // ephemeral encryption (formats: nova.objects.fields.BlockDeviceEncryptionFormatType)
  { name: 'hw:ephemeral_encryption', value: bool },
  { name: 'hw:ephemeral_encryption_format', value: oneOf('plain', 'luks', 'luksv2') },
];
