// `hw_rng:` and `hw_video:` extra specs (nova/api/validation/extra_specs/hw_rng.py, hw_video.py,
// Zed): the random number generator device and the video RAM cap.
import type { KnownSpec } from './types.js';

const atLeastZero = { type: 'int', min: 0 } as const;

export const HW_RNG_SPECS: readonly KnownSpec[] = [
  { name: 'hw_rng:allowed', value: { type: 'bool' } },
  { name: 'hw_rng:rate_bytes', value: atLeastZero },
  { name: 'hw_rng:rate_period', value: atLeastZero },
];

export const HW_VIDEO_SPECS: readonly KnownSpec[] = [{ name: 'hw_video:ram_max_mb', value: atLeastZero }];
