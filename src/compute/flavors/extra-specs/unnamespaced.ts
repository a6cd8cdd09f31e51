// The two known extra specs without a namespace (nova/api/validation/extra_specs/null.py, Zed).
// Every other key without a `:` is accepted as it is.
import type { KnownSpec } from './types.js';

export const UNNAMESPACED_SPECS: readonly KnownSpec[] = [
  // deprecated spelling of hw:hide_hypervisor_id
  { name: 'hide_hypervisor_id', value: { type: 'bool' } },
  // placement: whether numbered request groups must land on different providers
  { name: 'group_policy', value: { type: 'str', enum: ['isolate', 'none'] } },
];
