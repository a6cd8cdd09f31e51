// Keystone v3 resource bodies: projects, users, roles, domains, role assignments and the list
// envelope ({"<key>": [...], "links": {"self", "previous", "next"}}), shaped like Keystone's own.
import type { AssignmentRow, DomainRow, ProjectRow, RoleRow, UserRow } from '../../../db/repositories/identity-repo.js';
import { isBuiltInRole } from '../../../identity/bootstrap.js';

/** `${base}/identity/v3` */
export type V3 = string;

export function renderProject(p: ProjectRow, v3: V3) {
  return {
    id: p.id,
    name: p.name,
    domain_id: p.domain_id,
    description: p.description,
    enabled: Boolean(p.enabled),
    parent_id: p.domain_id, // a top-level project's parent is its domain
    is_domain: false,
    tags: [] as string[],
    options: {},
    links: { self: `${v3}/projects/${p.id}` },
  };
}

export function renderUser(u: UserRow, v3: V3) {
  const body: Record<string, unknown> = {
    id: u.id,
    name: u.name,
    domain_id: u.domain_id,
    enabled: Boolean(u.enabled),
    password_expires_at: null,
    options: {},
    links: { self: `${v3}/users/${u.id}` },
  };
  // Keystone shows these only when they are set.
  if (u.default_project_id) body.default_project_id = u.default_project_id;
  if (u.email) body.email = u.email;
  if (u.description) body.description = u.description;
  return body;
}

export function renderRole(r: RoleRow, v3: V3) {
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

export function renderDomain(d: DomainRow, v3: V3) {
  return {
    id: d.id,
    name: d.name,
    description: d.description,
    enabled: Boolean(d.enabled),
    tags: [] as string[],
    options: {},
    links: { self: `${v3}/domains/${d.id}` },
  };
}

export interface AssignmentNames {
  users: Map<string, UserRow>;
  projects: Map<string, ProjectRow>;
  roles: Map<string, RoleRow>;
  domains: Map<string, DomainRow>;
}

/** One role assignment; with `names`, as `?include_names` asks (names and domains added). */
export function renderAssignment(a: AssignmentRow, v3: V3, names: AssignmentNames | null) {
  const domain = (id: string | undefined) => (id ? { id, name: names?.domains.get(id)?.name ?? id } : undefined);
  const role: Record<string, unknown> = { id: a.role_id };
  const user: Record<string, unknown> = { id: a.user_id };
  const project: Record<string, unknown> = { id: a.project_id };
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
export function listBody<T>(key: string, items: T[], self: string) {
  return { [key]: items, links: { self, previous: null, next: null } };
}
