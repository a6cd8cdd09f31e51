// `quota:` extra specs (nova/api/validation/extra_specs/quota.py, Zed): VMware limits,
// reservations and shares, libvirt CPU shares/period/quota, disk and VIF I/O limits.
import type { KnownSpec } from './types.js';

const atLeastZero = { type: 'int', min: 0 } as const;

/** VMware: limit, reservation and shares for each of CPU, memory, disk I/O and VIF. */
const vmwareAllocation = ['cpu', 'memory', 'disk_io', 'vif'].flatMap((resource): KnownSpec[] => [
  { name: `quota:${resource}_limit`, value: atLeastZero },
  { name: `quota:${resource}_reservation`, value: { type: 'int' } },
  { name: `quota:${resource}_shares_level`, value: { type: 'str', enum: ['custom', 'high', 'normal', 'low'] } },
  { name: `quota:${resource}_shares_share`, value: atLeastZero },
]);

/** libvirt CPU tuning; cpu_quota may be negative (unlimited). */
const libvirtCpu: KnownSpec[] = [
  { name: 'quota:cpu_shares', value: atLeastZero },
  { name: 'quota:cpu_period', value: atLeastZero },
  { name: 'quota:cpu_quota', value: { type: 'int' } },
];

const diskIo = ['read', 'write', 'total'].flatMap((stat) =>
  ['bytes', 'iops'].map((metric): KnownSpec => ({ name: `quota:disk_${stat}_${metric}_sec`, value: atLeastZero })),
);

const vifIo = ['inbound', 'outbound'].flatMap((direction) =>
  ['average', 'peak', 'burst'].map((metric): KnownSpec => ({
    name: `quota:vif_${direction}_${metric}`,
    value: atLeastZero,
  })),
);

export const QUOTA_SPECS: readonly KnownSpec[] = [...vmwareAllocation, ...libvirtCpu, ...diskIo, ...vifIo];
