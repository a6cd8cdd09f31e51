export const UNNAMESPACED_SPECS = [
    // deprecated spelling of hw:hide_hypervisor_id
    { name: 'hide_hypervisor_id', value: { type: 'bool' } },
    // placement: whether numbered request groups must land on different providers
    { name: 'group_policy', value: { type: 'str', enum: ['isolate', 'none'] } },
];
//# sourceMappingURL=unnamespaced.js.map