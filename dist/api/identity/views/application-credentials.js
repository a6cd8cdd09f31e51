function credentialTime(iso) {
    return iso ? `${iso.slice(0, 19)}.${iso.slice(20, 23)}000` : null;
}
export function renderApplicationCredential(c, v3, form) {
    const { row } = c;
    const body = {
        id: row.id,
        name: row.name,
        description: row.description,
        project_id: row.project_id,
        roles: c.roles.map((r) => ({ id: r.id, name: r.name, domain_id: null })),
        expires_at: credentialTime(row.expires_at),
        unrestricted: Boolean(row.unrestricted),
        access_rules: [],
        links: { self: `${v3}/users/${row.user_id}/application_credentials/${row.id}` },
    };
    if (form === 'create' && c.secret !== undefined)
        body.secret = c.secret;
    if (form === 'show') {
        body.user_id = row.user_id;
        body.system = null;
    }
    return body;
}
//# sourceMappingURL=application-credentials.js.map