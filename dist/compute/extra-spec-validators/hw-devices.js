const atLeastZero = { type: 'int', min: 0 };
export const HW_RNG_SPECS = [
    { name: 'hw_rng:allowed', value: { type: 'bool' } },
    { name: 'hw_rng:rate_bytes', value: atLeastZero },
    { name: 'hw_rng:rate_period', value: atLeastZero },
];
export const HW_VIDEO_SPECS = [
    { name: 'hw_video:ram_max_mb', value: atLeastZero },
];
//# sourceMappingURL=hw-devices.js.map