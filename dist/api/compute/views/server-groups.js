export function renderServerGroup(v, g) {
    const owner = v.gte('2.13') ? { project_id: g.row.project_id, user_id: g.row.user_id } : {};
    if (v.gte('2.64')) {
        return { id: g.row.uuid, name: g.row.name, policy: g.policy, rules: g.rules, members: g.members, ...owner };
    }
    return { id: g.row.uuid, name: g.row.name, policies: [g.policy], metadata: {}, members: g.members, ...owner };
}
//# sourceMappingURL=server-groups.js.map