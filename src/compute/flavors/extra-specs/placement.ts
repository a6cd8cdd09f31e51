// Placement request extra specs (nova/api/validation/extra_specs/resources.py and traits.py, Zed):
// `resources[GROUP]:CLASS=amount` and `trait[GROUP]:NAME=required|forbidden`, where GROUP is an
// optional request-group suffix and CLASS / NAME a standard name or CUSTOM_*. Nova registers one
// validator per standard name; one alternation per namespace accepts the same keys.
import { STANDARD_TRAITS } from './standard-traits.js';
import type { KnownSpec } from './types.js';

/** os-resource-classes 1.1.0 STANDARDS (pinned by Nova Zed's upper constraints). */
export const STANDARD_RESOURCE_CLASSES: readonly string[] = [
  'VCPU',
  'MEMORY_MB',
  'DISK_GB',
  'PCI_DEVICE',
  'SRIOV_NET_VF',
  'NUMA_SOCKET',
  'NUMA_CORE',
  'NUMA_THREAD',
  'NUMA_MEMORY_MB',
  'IPV4_ADDRESS',
  'VGPU',
  'VGPU_DISPLAY_HEAD',
  'NET_BW_EGR_KILOBIT_PER_SEC',
  'NET_BW_IGR_KILOBIT_PER_SEC',
  'PCPU',
  'MEM_ENCRYPTION_CONTEXT',
  'FPGA',
  'PGPU',
  'NET_PACKET_RATE_KILOPACKET_PER_SEC',
  'NET_PACKET_RATE_EGR_KILOPACKET_PER_SEC',
  'NET_PACKET_RATE_IGR_KILOPACKET_PER_SEC',
];

/** The optional request-group suffix: `resources1:`, `trait_gpu:`. */
const GROUP = '([a-zA-Z0-9_-]{1,64})?';
const CUSTOM_NAME = '[A-Z0-9_]+';
const requiredOrForbidden = { type: 'str', enum: ['required', 'forbidden'] } as const;

export const RESOURCES_SPECS: readonly KnownSpec[] = [
  {
    name: 'resources{group}:{class}',
    params: { group: GROUP, class: `(${STANDARD_RESOURCE_CLASSES.join('|')})` },
    value: { type: 'int' },
  },
  {
    name: 'resources{group}:CUSTOM_{resource}',
    params: { group: GROUP, resource: CUSTOM_NAME },
    value: { type: 'int' },
  },
];

export const TRAIT_SPECS: readonly KnownSpec[] = [
  {
    name: 'trait{group}:{trait}',
    params: { group: GROUP, trait: `(${STANDARD_TRAITS.join('|')})` },
    value: requiredOrForbidden,
  },
  { name: 'trait{group}:CUSTOM_{trait}', params: { group: GROUP, trait: CUSTOM_NAME }, value: requiredOrForbidden },
];
