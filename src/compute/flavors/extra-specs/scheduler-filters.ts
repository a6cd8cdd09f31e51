// Extra specs read by two scheduler filters, whose values are comparison expressions of any form
// (`>= 5`, `s== 2.1.0`, `<in> gcc`, or a plain value), so only the key is checked:
// `aggregate_instance_extra_specs:` (AggregateInstanceExtraSpecsFilter) and `capabilities:`
// (ComputeCapabilitiesFilter). After nova/api/validation/extra_specs/aggregate_instance_extra_specs.py
// and capabilities.py, Zed.
import type { KnownSpec } from './types.js';

const anyString = { type: 'str' } as const;

export const AGGREGATE_INSTANCE_EXTRA_SPECS_SPECS: readonly KnownSpec[] = [
  { name: 'aggregate_instance_extra_specs:{key}', params: { key: '.+' }, value: anyString },
];

/** Attributes of a compute node (ComputeNode) and of the scheduler's HostState. */
const FLAT_CAPABILITIES = [
  'id',
  'uuid',
  'service_id',
  'host',
  'vcpus',
  'memory_mb',
  'local_gb',
  'vcpus_used',
  'memory_mb_used',
  'local_gb_used',
  'hypervisor_type',
  'hypervisor_version',
  'hypervisor_hostname',
  'free_ram_mb',
  'free_disk_gb',
  'current_workload',
  'running_vms',
  'disk_available_least',
  'host_ip',
  'mapped',
  'cpu_allocation_ratio',
  'ram_allocation_ratio',
  'disk_allocation_ratio',
  'total_usable_ram_mb',
  'total_usable_disk_gb',
  'disk_mb_used',
  'free_disk_mb',
  'vcpus_total',
  'num_instances',
  'num_io_ops',
  'failed_builds',
  'aggregates',
  'cell_uuid',
  'updated',
];

/** Structured attributes, which a key may follow into with `:field:subfield`. */
const NESTED_CAPABILITIES = [
  'cpu_info',
  'metrics',
  'stats',
  'numa_topology',
  'supported_hv_specs',
  'pci_device_pools',
  'nodename',
  'pci_stats',
  'supported_instances',
  'limits',
  'instances',
];

export const CAPABILITIES_SPECS: readonly KnownSpec[] = [
  ...FLAT_CAPABILITIES.map((c): KnownSpec => ({ name: `capabilities:${c}`, value: anyString })),
  ...NESTED_CAPABILITIES.map((c): KnownSpec => ({
    name: `capabilities:${c}{filter}`,
    params: { filter: String.raw`(:\w+)*` },
    value: anyString,
  })),
];
