import { stableId } from './stable-id.js';
export function defaultGroupId(projectId) {
    return stableId(`novadock-security-group-default-${projectId}`);
}
export function renderDefaultGroup(projectId) {
    const id = defaultGroupId(projectId);
    return {
        description: 'Default security group',
        id,
        name: 'default',
        rules: [{
                from_port: null,
                group: {},
                id: stableId(`novadock-security-group-rule-default-ingress-${projectId}`),
                ip_protocol: null,
                ip_range: { cidr: '0.0.0.0/0' },
                parent_group_id: id,
                to_port: null,
            }],
        tenant_id: projectId,
    };
}
/** The groups of a server's ports: the default group when it has a network, none otherwise. */
export function renderServerSecurityGroups(row) {
    return { security_groups: row.network && row.project_id ? [renderDefaultGroup(row.project_id)] : [] };
}
//# sourceMappingURL=security-groups.js.map