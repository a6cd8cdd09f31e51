// Small namespaces (Zed): `accel:` (Cyborg device profiles, accel.py), `pci_passthrough:`
// (PCI aliases, pci_passthrough.py) and `vmware:` (vmware.py).
import type { KnownSpec } from './types.js';

export const ACCEL_SPECS: readonly KnownSpec[] = [{ name: 'accel:device_profile', value: { type: 'str' } }];

export const PCI_PASSTHROUGH_SPECS: readonly KnownSpec[] = [
  {
    // One or more comma-separated `alias:count`. In Nova's pattern the `\s*` after a comma and the
    // alias's `[^:]+` both take spaces, which backtracks exponentially on a long near-miss; the
    // alias taking them alone accepts the same strings.
    name: 'pci_passthrough:alias',
    value: {
      type: 'str',
      pattern: String.raw`[^:]+:\d+(?:\s*,\s*[^:]+:\d+)*`,
      safePattern: String.raw`[^:]+:\d+(?:\s*,[^:]+:\d+)*`,
    },
  },
];

export const VMWARE_SPECS: readonly KnownSpec[] = [
  { name: 'vmware:hw_version', value: { type: 'str' } },
  { name: 'vmware:storage_policy', value: { type: 'str' } },
];
