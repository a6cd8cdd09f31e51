import { isBuiltInRole } from '../../../identity/bootstrap.js';
export function renderProject(p, v3) {
    return {
        id: p.id,
        name: p.name,
        domain_id: p.domain_id,
        description: p.description,
        enabled: Boolean(p.enabled),
        parent_id: p.domain_id, // a top-level project's parent is its domain
        is_domain: false,
        tags: [],
        options: {},
        links: { self: `${v3}/projects/${p.id}` },
    };
}
export function renderUser(u, v3) {
    const body = {
        id: u.id,
        name: u.name,
        domain_id: u.domain_id,
        enabled: Boolean(u.enabled),
        password_expires_at: null,
        options: {},
        links: { self: `${v3}/users/${u.id}` },
    };
    // Keystone shows these only when they are set.
    if (u.default_project_id)
        body.default_project_id = u.default_project_id;
    if (u.email)
        body.email = u.email;
    if (u.description)
        body.description = u.description;
    return body;
}
export function renderRole(r, v3) {
    // The built-in roles show Keystone's `immutable` option, as keystone-manage bootstrap sets it.
    const options = isBuiltInRole(r) ? { immutable: true } : {};
    return {
        id: r.id,
        name: r.name,
        domain_id: null,
        description: r.description ?? null,
        options,
        links: { self: `${v3}/roles/${r.id}` },
    };
}
export function renderDomain(d, v3) {
    return {
        id: d.id,
        name: d.name,
        description: d.description,
        enabled: Boolean(d.enabled),
        tags: [],
        options: {},
        links: { self: `${v3}/domains/${d.id}` },
    };
}
/** One role assignment; with `names`, as `?include_names` asks (names and domains added). */
export function renderAssignment(a, v3, names) {
    const domain = (id) => (id ? { id, name: names?.domains.get(id)?.name ?? id } : undefined);
    const role = { id: a.role_id };
    const user = { id: a.user_id };
    const project = { id: a.project_id };
    if (names) {
        role.name = names.roles.get(a.role_id)?.name;
        const u = names.users.get(a.user_id);
        user.name = u?.name;
        user.domain = domain(u?.domain_id);
        const p = names.projects.get(a.project_id);
        project.name = p?.name;
        project.domain = domain(p?.domain_id);
    }
    return {
        role,
        user,
        scope: { project },
        links: { assignment: `${v3}/projects/${a.project_id}/users/${a.user_id}/roles/${a.role_id}` },
    };
}
/** Keystone's list envelope; `self` is the request's own URL. */
export function listBody(key, items, self) {
    return { [key]: items, links: { self, previous: null, next: null } };
}
//# sourceMappingURL=resources.js.map