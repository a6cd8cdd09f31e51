// Keystone's administration API, reduced to what openstackclient and dashboards use: projects,
// users, roles, role grants and assignments, domains (Default only) and groups (none).
// Every method starts with its policy rule; admin may do anything, the others only read what is
// theirs. Changes that alter what a token may do drop the token cache (and, for a new password,
// revoke the user's tokens), so a removed role or a disabled user stops working at once.
import type {
  AssignmentRow,
  DomainRow,
  IdentityRepo,
  ListFilter,
  ProjectRow,
  RoleRow,
  UserRow,
} from '../db/repositories/identity-repo.js';
import type { Clock } from '../db/time.js';
import type { TokenService } from './token-service.js';
import type { AuthContext } from './auth-context.js';
import type { LoginThrottle } from './login-throttle.js';
import { enforce, isAdmin } from './policy.js';
import { assertPasswordLength, passwordColumns, verifyPassword } from './passwords.js';
import { DEFAULT_DOMAIN_ID, newKeystoneId } from './bootstrap.js';
import {
  AUTHENTICATION_REQUIRED,
  BadRequest,
  Conflict,
  IdentityNotFound,
  NotFound,
  Unauthorized,
  actionForbidden,
} from '../errors.js';

export interface ProjectInput {
  name?: string;
  description?: string | null;
  enabled?: boolean;
  domain_id?: string | null;
}
export interface UserInput {
  name?: string;
  password?: string | null;
  enabled?: boolean;
  email?: string | null;
  description?: string | null;
  default_project_id?: string | null;
  domain_id?: string | null;
}
export interface AssignmentQuery {
  userId?: string;
  roleId?: string;
  projectId?: string;
  /** asked about groups, domains or the system: nothing of that kind exists here */
  other?: boolean;
}

const forbidden = actionForbidden;
export const notFound = (kind: string, id: string) => IdentityNotFound(kind, id);
const duplicate = (kind: string, name: string, domainId: string) =>
  new Conflict(
    `Conflict occurred attempting to store ${kind} - Duplicate entry found with name ${name} at domain ID ${domainId}.`,
  );

export class IdentityAdmin {
  constructor(
    private readonly repo: IdentityRepo,
    private readonly tokens: TokenService,
    private readonly throttle: LoginThrottle,
    private readonly clock: Clock,
  ) {}

  // ---- the caller's own scopes (GET /v3/auth/projects, /v3/users/{id}/projects) --------------

  /** Enabled projects the user has a role on. */
  async projectsOfUser(auth: AuthContext, userId: string, rule = 'identity:list_user_projects'): Promise<ProjectRow[]> {
    enforce(auth, rule);
    if (userId !== auth.userId && !isAdmin(auth)) throw forbidden(rule);
    if (!(await this.repo.findUserById(userId))) throw notFound('user', userId);
    return (await this.repo.projectsOf(userId)).filter((p) => Boolean(p.enabled));
  }

  /** Domains the caller could scope to: only an admin can hold a domain-scoped token here. */
  async domainScopes(auth: AuthContext): Promise<DomainRow[]> {
    enforce(auth, 'identity:get_auth_domains');
    if (!(await this.repo.isAdminAnywhere(auth.userId))) return [];
    return (await this.repo.listDomains()).filter((d) => Boolean(d.enabled));
  }

  // ---- projects ----------------------------------------------------------------------------

  async listProjects(auth: AuthContext, filter: ListFilter): Promise<ProjectRow[]> {
    enforce(auth, 'identity:list_projects');
    if (isAdmin(auth)) return this.repo.listProjects(filter);
    // Everyone else sees the projects they belong to, and nothing about the others.
    const mine = (await this.repo.projectsOf(auth.userId)).map((p) => p.id);
    return this.repo.listProjects({ ...filter, ids: mine });
  }

  async getProject(auth: AuthContext, id: string): Promise<ProjectRow> {
    enforce(auth, 'identity:get_project');
    const project = await this.repo.findProjectById(id);
    if (!isAdmin(auth)) {
      // Same answer for "not yours" and "does not exist".
      if (!project || (await this.repo.rolesOn(auth.userId, project.id)).length === 0)
        throw forbidden('identity:get_project');
    }
    if (!project) throw notFound('project', id);
    return project;
  }

  async createProject(auth: AuthContext, input: ProjectInput): Promise<ProjectRow> {
    enforce(auth, 'identity:create_project');
    const domainId = await this.domainFor(input.domain_id);
    const name = requireName(input.name, 'project');
    if (await this.repo.findProjectByName(domainId, name)) throw duplicate('project', name, domainId);
    const row: ProjectRow = {
      id: newKeystoneId(),
      name,
      domain_id: domainId,
      description: input.description ?? '',
      enabled: input.enabled ?? true,
      created_at: this.clock.now().toISOString(),
    };
    await this.repo.insertProject(row);
    return row;
  }

  async updateProject(auth: AuthContext, id: string, input: ProjectInput): Promise<ProjectRow> {
    enforce(auth, 'identity:update_project');
    const project = await this.repo.findProjectById(id);
    if (!project) throw notFound('project', id);
    if (input.domain_id !== undefined && input.domain_id !== project.domain_id) {
      throw new BadRequest('Cannot change Domain ID');
    }
    const changes: Partial<ProjectRow> = {};
    if (input.name !== undefined) {
      const name = requireName(input.name, 'project');
      const other = await this.repo.findProjectByName(project.domain_id, name);
      if (other && other.id !== id) throw duplicate('project', name, project.domain_id);
      changes.name = name;
    }
    if (input.description !== undefined) changes.description = input.description ?? '';
    if (input.enabled !== undefined) changes.enabled = input.enabled;
    if (Object.keys(changes).length) await this.repo.updateProject(id, changes);
    if (input.enabled === false) this.tokens.invalidateCache();
    return (await this.repo.findProjectById(id))!;
  }

  async deleteProject(auth: AuthContext, id: string): Promise<void> {
    enforce(auth, 'identity:delete_project');
    if (!(await this.repo.deleteProject(id))) throw notFound('project', id);
    this.tokens.invalidateCache(); // its assignments and tokens went with it
  }

  // ---- users -------------------------------------------------------------------------------

  async listUsers(auth: AuthContext, filter: ListFilter): Promise<UserRow[]> {
    enforce(auth, 'identity:list_users');
    return this.repo.listUsers(filter);
  }

  async getUser(auth: AuthContext, id: string): Promise<UserRow> {
    enforce(auth, 'identity:get_user');
    if (id !== auth.userId && !isAdmin(auth)) throw forbidden('identity:get_user');
    const user = await this.repo.findUserById(id);
    if (!user) throw notFound('user', id);
    return user;
  }

  async createUser(auth: AuthContext, input: UserInput): Promise<UserRow> {
    enforce(auth, 'identity:create_user');
    const domainId = await this.domainFor(input.domain_id);
    const name = requireName(input.name, 'user');
    if (await this.repo.findUserByName(domainId, name)) throw duplicate('user', name, domainId);
    if (input.default_project_id) await this.requireProject(input.default_project_id);
    const now = this.clock.now().toISOString();
    const row: UserRow = {
      id: newKeystoneId(),
      name,
      domain_id: domainId,
      enabled: input.enabled ?? true,
      email: input.email ?? null,
      description: input.description ?? '',
      default_project_id: input.default_project_id ?? null,
      created_at: now,
      ...(await passwordColumns(input.password ?? null, now)),
    };
    await this.repo.insertUser(row);
    return row;
  }

  async updateUser(auth: AuthContext, id: string, input: UserInput): Promise<UserRow> {
    enforce(auth, 'identity:update_user');
    const user = await this.repo.findUserById(id);
    if (!user) throw notFound('user', id);
    if (input.domain_id !== undefined && input.domain_id !== user.domain_id)
      throw new BadRequest('Cannot change Domain ID');
    const changes: Partial<UserRow> = {};
    if (input.name !== undefined) {
      const name = requireName(input.name, 'user');
      const other = await this.repo.findUserByName(user.domain_id, name);
      if (other && other.id !== id) throw duplicate('user', name, user.domain_id);
      changes.name = name;
    }
    if (input.enabled !== undefined) changes.enabled = input.enabled;
    if (input.email !== undefined) changes.email = input.email;
    if (input.description !== undefined) changes.description = input.description ?? '';
    if (input.default_project_id !== undefined) {
      if (input.default_project_id) await this.requireProject(input.default_project_id);
      changes.default_project_id = input.default_project_id;
    }
    const newPassword = input.password !== undefined;
    if (newPassword) {
      Object.assign(changes, await passwordColumns(input.password ?? null, this.clock.now().toISOString()));
    }
    if (Object.keys(changes).length) await this.repo.updateUser(id, changes);
    if (newPassword)
      await this.tokens.revokeUser(id); // tokens issued on the old secret end here
    else if (input.enabled === false) this.tokens.invalidateCache();
    return (await this.repo.findUserById(id))!;
  }

  /** Self-service password change (POST /v3/users/{id}/password): needs the old password. */
  async changeOwnPassword(
    auth: AuthContext,
    id: string,
    original: string,
    password: string,
    address: string | null,
  ): Promise<void> {
    enforce(auth, 'identity:change_password');
    if (id !== auth.userId) throw forbidden('identity:change_password');
    const user = await this.repo.findUserById(id);
    if (!user) throw notFound('user', id);
    assertPasswordLength(original, 'original_password');
    assertPasswordLength(password);
    const buckets = { user: `id:${id}`, address };
    await this.throttle.assertAllowed(buckets);
    if (!(await verifyPassword(original, user.password_hash))) {
      await this.throttle.recordFailure(buckets);
      throw new Unauthorized(`Error when changing user password: ${AUTHENTICATION_REQUIRED}`);
    }
    const now = this.clock.now().toISOString();
    await this.repo.updateUser(id, await passwordColumns(password, now));
    await this.tokens.revokeUser(id);
  }

  async deleteUser(auth: AuthContext, id: string): Promise<void> {
    enforce(auth, 'identity:delete_user');
    if (!(await this.repo.deleteUser(id))) throw notFound('user', id);
    this.tokens.invalidateCache();
  }

  // ---- grants and assignments (role CRUD: role-admin.ts) -------------------------------------

  /** PUT /v3/projects/{p}/users/{u}/roles/{r} */
  async grant(auth: AuthContext, projectId: string, userId: string, roleId: string): Promise<void> {
    enforce(auth, 'identity:create_grant');
    await this.requireGrantParts(projectId, userId, roleId);
    await this.repo.assignRole(userId, projectId, roleId);
    this.tokens.invalidateCache();
  }

  async revoke(auth: AuthContext, projectId: string, userId: string, roleId: string): Promise<void> {
    enforce(auth, 'identity:revoke_grant');
    await this.requireGrantParts(projectId, userId, roleId);
    if (!(await this.repo.unassignRole(userId, projectId, roleId))) throw missingGrant(projectId, userId, roleId);
    this.tokens.invalidateCache();
  }

  /** HEAD/GET /v3/projects/{p}/users/{u}/roles/{r}: 204 when granted, else 404. */
  async checkGrant(auth: AuthContext, projectId: string, userId: string, roleId: string): Promise<void> {
    enforce(auth, 'identity:check_grant');
    await this.requireGrantParts(projectId, userId, roleId);
    const roles = await this.repo.rolesOn(userId, projectId);
    if (!roles.some((r) => r.id === roleId)) throw missingGrant(projectId, userId, roleId);
  }

  /** GET /v3/projects/{p}/users/{u}/roles */
  async listGrants(auth: AuthContext, projectId: string, userId: string): Promise<RoleRow[]> {
    enforce(auth, 'identity:list_grants');
    await this.requireProject(projectId);
    if (!(await this.repo.findUserById(userId))) throw notFound('user', userId);
    return this.repo.rolesOn(userId, projectId);
  }

  /** GET /v3/role_assignments. Non-admins see only their own assignments. */
  async listAssignments(auth: AuthContext, q: AssignmentQuery): Promise<AssignmentRow[]> {
    enforce(auth, 'identity:list_role_assignments');
    if (q.other) return [];
    let userId = q.userId;
    if (!isAdmin(auth)) {
      if (userId !== undefined && userId !== auth.userId) return [];
      userId = auth.userId;
    }
    return this.repo.listAssignments({ userId, projectId: q.projectId, roleId: q.roleId });
  }

  // ---- domains and groups --------------------------------------------------------------------

  async listDomains(auth: AuthContext, filter: { name?: string; enabled?: boolean }): Promise<DomainRow[]> {
    enforce(auth, 'identity:list_domains');
    let domains = await this.repo.listDomains();
    if (!isAdmin(auth)) {
      const mine = await this.domainsOf(auth);
      domains = domains.filter((d) => mine.has(d.id));
    }
    return domains.filter(
      (d) =>
        (filter.name === undefined || d.name === filter.name) &&
        (filter.enabled === undefined || Boolean(d.enabled) === filter.enabled),
    );
  }

  async getDomain(auth: AuthContext, id: string): Promise<DomainRow> {
    enforce(auth, 'identity:get_domain');
    const domain = await this.repo.findDomain({ id });
    if (!isAdmin(auth) && (!domain || !(await this.domainsOf(auth)).has(domain.id)))
      throw forbidden('identity:get_domain');
    if (!domain) throw notFound('domain', id);
    return domain;
  }

  /** Lookups for rendering names (role assignments with include_names). */
  names() {
    return {
      users: async (ids: string[]) => new Map((await this.repo.listUsers({ ids })).map((u) => [u.id, u])),
      projects: async (ids: string[]) => new Map((await this.repo.listProjects({ ids })).map((p) => [p.id, p])),
      roles: async () => new Map((await this.repo.listRoles()).map((r) => [r.id, r])),
      domains: async () => new Map((await this.repo.listDomains()).map((d) => [d.id, d])),
    };
  }

  // ---- helpers -------------------------------------------------------------------------------

  private async domainsOf(auth: AuthContext): Promise<Set<string>> {
    const ids = new Set([auth.userDomainId]);
    for (const p of await this.repo.projectsOf(auth.userId)) ids.add(p.domain_id);
    return ids;
  }

  /** The domain a new project or user goes in: the one named (it must exist) or Default. */
  private async domainFor(domainId: string | null | undefined): Promise<string> {
    if (!domainId) return DEFAULT_DOMAIN_ID;
    const domain = await this.repo.findDomain({ id: domainId });
    if (!domain) throw notFound('domain', domainId);
    return domain.id;
  }

  private async requireProject(id: string): Promise<ProjectRow> {
    const project = await this.repo.findProjectById(id);
    if (!project) throw notFound('project', id);
    return project;
  }

  /** Keystone checks the role first, then the actor, then the target. */
  private async requireGrantParts(projectId: string, userId: string, roleId: string): Promise<void> {
    if (!(await this.repo.findRoleById(roleId))) throw notFound('role', roleId);
    if (!(await this.repo.findUserById(userId))) throw notFound('user', userId);
    await this.requireProject(projectId);
  }
}

export function requireName(name: string | undefined, kind: string): string {
  const trimmed = (name ?? '').trim();
  if (!trimmed)
    throw new BadRequest(`Invalid input for field 'name': a ${kind} name is required and may not be blank.`);
  return trimmed;
}

const missingGrant = (projectId: string, userId: string, roleId: string) =>
  new NotFound(
    `Could not find role assignment with role: ${roleId}, user or group: ${userId}, project, domain, or system: ${projectId}.`,
  );
