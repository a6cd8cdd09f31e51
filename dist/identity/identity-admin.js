import { enforce, isAdmin } from './policy.js';
import { assertPasswordLength, passwordColumns, verifyPassword } from './passwords.js';
import { DEFAULT_DOMAIN_ID, isBuiltInRole, newKeystoneId } from './bootstrap.js';
import { BadRequest, Conflict, Forbidden, NotFound, Unauthorized } from '../errors.js';
const forbidden = (rule) => new Forbidden(`You are not authorized to perform the requested action: ${rule}.`);
export const notFound = (kind, id) => new NotFound(`Could not find ${kind}: ${id}.`);
const duplicate = (kind, name, domainId) => new Conflict(`Conflict occurred attempting to store ${kind} - Duplicate entry found with name ${name} at domain ID ${domainId}.`);
export class IdentityAdmin {
    repo;
    tokens;
    throttle;
    clock;
    constructor(repo, tokens, throttle, clock) {
        this.repo = repo;
        this.tokens = tokens;
        this.throttle = throttle;
        this.clock = clock;
    }
    // ---- the caller's own scopes (GET /v3/auth/projects, /v3/users/{id}/projects) --------------
    /** Enabled projects the user has a role on. */
    async projectsOfUser(auth, userId, rule = 'identity:list_user_projects') {
        enforce(auth, rule);
        if (userId !== auth.userId && !isAdmin(auth))
            throw forbidden(rule);
        if (!(await this.repo.findUserById(userId)))
            throw notFound('user', userId);
        return (await this.repo.projectsOf(userId)).filter((p) => Boolean(p.enabled));
    }
    /** Domains the caller could scope to: only an admin can hold a domain-scoped token here. */
    async domainScopes(auth) {
        enforce(auth, 'identity:get_auth_domains');
        if (!(await this.repo.isAdminAnywhere(auth.userId)))
            return [];
        return (await this.repo.listDomains()).filter((d) => Boolean(d.enabled));
    }
    // ---- projects ----------------------------------------------------------------------------
    async listProjects(auth, filter) {
        enforce(auth, 'identity:list_projects');
        if (isAdmin(auth))
            return this.repo.listProjects(filter);
        // Everyone else sees the projects they belong to, and nothing about the others.
        const mine = (await this.repo.projectsOf(auth.userId)).map((p) => p.id);
        return this.repo.listProjects({ ...filter, ids: mine });
    }
    async getProject(auth, id) {
        enforce(auth, 'identity:get_project');
        const project = await this.repo.findProjectById(id);
        if (!isAdmin(auth)) {
            // Same answer for "not yours" and "does not exist".
            if (!project || (await this.repo.rolesOn(auth.userId, project.id)).length === 0)
                throw forbidden('identity:get_project');
        }
        if (!project)
            throw notFound('project', id);
        return project;
    }
    async createProject(auth, input) {
        enforce(auth, 'identity:create_project');
        const domainId = await this.domainFor(input.domain_id);
        const name = requireName(input.name, 'project');
        if (await this.repo.findProjectByName(domainId, name))
            throw duplicate('project', name, domainId);
        const row = {
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
    async updateProject(auth, id, input) {
        enforce(auth, 'identity:update_project');
        const project = await this.repo.findProjectById(id);
        if (!project)
            throw notFound('project', id);
        if (input.domain_id !== undefined && input.domain_id !== project.domain_id) {
            throw new BadRequest('Cannot change Domain ID');
        }
        const changes = {};
        if (input.name !== undefined) {
            const name = requireName(input.name, 'project');
            const other = await this.repo.findProjectByName(project.domain_id, name);
            if (other && other.id !== id)
                throw duplicate('project', name, project.domain_id);
            changes.name = name;
        }
        if (input.description !== undefined)
            changes.description = input.description ?? '';
        if (input.enabled !== undefined)
            changes.enabled = input.enabled;
        if (Object.keys(changes).length)
            await this.repo.updateProject(id, changes);
        if (input.enabled === false)
            this.tokens.invalidateCache();
        return (await this.repo.findProjectById(id));
    }
    async deleteProject(auth, id) {
        enforce(auth, 'identity:delete_project');
        if (!(await this.repo.deleteProject(id)))
            throw notFound('project', id);
        this.tokens.invalidateCache(); // its assignments and tokens went with it
    }
    // ---- users -------------------------------------------------------------------------------
    async listUsers(auth, filter) {
        enforce(auth, 'identity:list_users');
        return this.repo.listUsers(filter);
    }
    async getUser(auth, id) {
        enforce(auth, 'identity:get_user');
        if (id !== auth.userId && !isAdmin(auth))
            throw forbidden('identity:get_user');
        const user = await this.repo.findUserById(id);
        if (!user)
            throw notFound('user', id);
        return user;
    }
    async createUser(auth, input) {
        enforce(auth, 'identity:create_user');
        const domainId = await this.domainFor(input.domain_id);
        const name = requireName(input.name, 'user');
        if (await this.repo.findUserByName(domainId, name))
            throw duplicate('user', name, domainId);
        if (input.default_project_id)
            await this.requireProject(input.default_project_id);
        const now = this.clock.now().toISOString();
        const row = {
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
    async updateUser(auth, id, input) {
        enforce(auth, 'identity:update_user');
        const user = await this.repo.findUserById(id);
        if (!user)
            throw notFound('user', id);
        if (input.domain_id !== undefined && input.domain_id !== user.domain_id)
            throw new BadRequest('Cannot change Domain ID');
        const changes = {};
        if (input.name !== undefined) {
            const name = requireName(input.name, 'user');
            const other = await this.repo.findUserByName(user.domain_id, name);
            if (other && other.id !== id)
                throw duplicate('user', name, user.domain_id);
            changes.name = name;
        }
        if (input.enabled !== undefined)
            changes.enabled = input.enabled;
        if (input.email !== undefined)
            changes.email = input.email;
        if (input.description !== undefined)
            changes.description = input.description ?? '';
        if (input.default_project_id !== undefined) {
            if (input.default_project_id)
                await this.requireProject(input.default_project_id);
            changes.default_project_id = input.default_project_id;
        }
        const newPassword = input.password !== undefined;
        if (newPassword) {
            Object.assign(changes, await passwordColumns(input.password ?? null, this.clock.now().toISOString()));
        }
        if (Object.keys(changes).length)
            await this.repo.updateUser(id, changes);
        if (newPassword)
            await this.tokens.revokeUser(id); // tokens issued on the old secret end here
        else if (input.enabled === false)
            this.tokens.invalidateCache();
        return (await this.repo.findUserById(id));
    }
    /** Self-service password change (POST /v3/users/{id}/password): needs the old password. */
    async changeOwnPassword(auth, id, original, password, address) {
        enforce(auth, 'identity:change_password');
        if (id !== auth.userId)
            throw forbidden('identity:change_password');
        const user = await this.repo.findUserById(id);
        if (!user)
            throw notFound('user', id);
        assertPasswordLength(original, 'original_password');
        assertPasswordLength(password);
        const buckets = { user: `id:${id}`, address };
        await this.throttle.assertAllowed(buckets);
        if (!(await verifyPassword(original, user.password_hash))) {
            await this.throttle.recordFailure(buckets);
            throw new Unauthorized('Error when changing user password: The request you have made requires authentication.');
        }
        const now = this.clock.now().toISOString();
        await this.repo.updateUser(id, await passwordColumns(password, now));
        await this.tokens.revokeUser(id);
    }
    async deleteUser(auth, id) {
        enforce(auth, 'identity:delete_user');
        if (!(await this.repo.deleteUser(id)))
            throw notFound('user', id);
        this.tokens.invalidateCache();
    }
    // ---- roles, grants, assignments ------------------------------------------------------------
    async listRoles(auth, name) {
        enforce(auth, 'identity:list_roles');
        const roles = await this.repo.listRoles();
        return name === undefined ? roles : roles.filter((r) => r.name === name);
    }
    async getRole(auth, id) {
        enforce(auth, 'identity:get_role');
        const role = await this.repo.findRoleById(id);
        if (!role)
            throw notFound('role', id);
        return role;
    }
    /**
     * POST /v3/roles. A new role carries no policy of its own: novadock's policy knows admin, member
     * and reader, so a custom role permits nothing beyond the built-in roles the user also holds
     * (Keystone's default policies likewise name only those three). Names are unique without regard
     * to case; only global roles exist (no domain-specific ones).
     */
    async createRole(auth, input) {
        enforce(auth, 'identity:create_role');
        if (input.domain_id)
            throw new BadRequest('Domain-specific roles are not supported; omit domain_id for a global role.');
        assertNotMadeImmutable(input);
        const name = requireName(input.name, 'role');
        if (await this.repo.findRoleByNameIgnoringCase(name))
            throw duplicateRole(name);
        const row = { id: newKeystoneId(), name, description: input.description ?? null };
        try {
            await this.repo.insertRole(row);
        }
        catch (e) {
            if (isUniqueViolation(e))
                throw duplicateRole(name); // a concurrent create of the same name
            throw e;
        }
        return row;
    }
    /** PATCH /v3/roles/{id}: name and description; the built-in roles are immutable. */
    async updateRole(auth, id, input) {
        enforce(auth, 'identity:update_role');
        const role = await this.repo.findRoleById(id);
        if (!role)
            throw notFound('role', id);
        if (isBuiltInRole(role))
            throw immutableRole('update', id);
        if (input.domain_id)
            throw new BadRequest('Domain-specific roles are not supported; omit domain_id for a global role.');
        assertNotMadeImmutable(input);
        const changes = {};
        if (input.name !== undefined) {
            const name = requireName(input.name, 'role');
            const other = await this.repo.findRoleByNameIgnoringCase(name);
            if (other && other.id !== id)
                throw duplicateRole(name);
            changes.name = name;
        }
        if (input.description !== undefined)
            changes.description = input.description;
        if (Object.keys(changes).length) {
            try {
                await this.repo.updateRole(id, changes);
            }
            catch (e) {
                if (isUniqueViolation(e))
                    throw duplicateRole(changes.name ?? role.name);
                throw e;
            }
            this.tokens.invalidateCache(); // tokens carry role names
        }
        return (await this.repo.findRoleById(id));
    }
    /**
     * DELETE /v3/roles/{id}: the role and all its assignments go (as in Keystone); a token whose
     * only role on its project it was stops working. The built-in roles cannot be deleted (403):
     * deleting admin would lock every administrator out.
     */
    async deleteRole(auth, id) {
        enforce(auth, 'identity:delete_role');
        const role = await this.repo.findRoleById(id);
        if (!role)
            throw notFound('role', id);
        if (isBuiltInRole(role))
            throw immutableRole('delete', id);
        if (!(await this.repo.deleteRole(id)))
            throw notFound('role', id);
        this.tokens.invalidateCache();
    }
    /** PUT /v3/projects/{p}/users/{u}/roles/{r} */
    async grant(auth, projectId, userId, roleId) {
        enforce(auth, 'identity:create_grant');
        await this.requireGrantParts(projectId, userId, roleId);
        await this.repo.assignRole(userId, projectId, roleId);
        this.tokens.invalidateCache();
    }
    async revoke(auth, projectId, userId, roleId) {
        enforce(auth, 'identity:revoke_grant');
        await this.requireGrantParts(projectId, userId, roleId);
        if (!(await this.repo.unassignRole(userId, projectId, roleId)))
            throw missingGrant(projectId, userId, roleId);
        this.tokens.invalidateCache();
    }
    /** HEAD/GET /v3/projects/{p}/users/{u}/roles/{r}: 204 when granted, else 404. */
    async checkGrant(auth, projectId, userId, roleId) {
        enforce(auth, 'identity:check_grant');
        await this.requireGrantParts(projectId, userId, roleId);
        const roles = await this.repo.rolesOn(userId, projectId);
        if (!roles.some((r) => r.id === roleId))
            throw missingGrant(projectId, userId, roleId);
    }
    /** GET /v3/projects/{p}/users/{u}/roles */
    async listGrants(auth, projectId, userId) {
        enforce(auth, 'identity:list_grants');
        await this.requireProject(projectId);
        if (!(await this.repo.findUserById(userId)))
            throw notFound('user', userId);
        return this.repo.rolesOn(userId, projectId);
    }
    /** GET /v3/role_assignments. Non-admins see only their own assignments. */
    async listAssignments(auth, q) {
        enforce(auth, 'identity:list_role_assignments');
        if (q.other)
            return [];
        let userId = q.userId;
        if (!isAdmin(auth)) {
            if (userId !== undefined && userId !== auth.userId)
                return [];
            userId = auth.userId;
        }
        return this.repo.listAssignments({ userId, projectId: q.projectId, roleId: q.roleId });
    }
    // ---- domains and groups --------------------------------------------------------------------
    async listDomains(auth, filter) {
        enforce(auth, 'identity:list_domains');
        let domains = await this.repo.listDomains();
        if (!isAdmin(auth)) {
            const mine = await this.domainsOf(auth);
            domains = domains.filter((d) => mine.has(d.id));
        }
        return domains.filter((d) => (filter.name === undefined || d.name === filter.name) &&
            (filter.enabled === undefined || Boolean(d.enabled) === filter.enabled));
    }
    async getDomain(auth, id) {
        enforce(auth, 'identity:get_domain');
        const domain = await this.repo.findDomain({ id });
        if (!isAdmin(auth) && (!domain || !(await this.domainsOf(auth)).has(domain.id)))
            throw forbidden('identity:get_domain');
        if (!domain)
            throw notFound('domain', id);
        return domain;
    }
    /** Lookups for rendering names (role assignments with include_names). */
    names() {
        return {
            users: async (ids) => new Map((await this.repo.listUsers({ ids })).map((u) => [u.id, u])),
            projects: async (ids) => new Map((await this.repo.listProjects({ ids })).map((p) => [p.id, p])),
            roles: async () => new Map((await this.repo.listRoles()).map((r) => [r.id, r])),
            domains: async () => new Map((await this.repo.listDomains()).map((d) => [d.id, d])),
        };
    }
    // ---- helpers -------------------------------------------------------------------------------
    async domainsOf(auth) {
        const ids = new Set([auth.userDomainId]);
        for (const p of await this.repo.projectsOf(auth.userId))
            ids.add(p.domain_id);
        return ids;
    }
    /** The domain a new project or user goes in: the one named (it must exist) or Default. */
    async domainFor(domainId) {
        if (!domainId)
            return DEFAULT_DOMAIN_ID;
        const domain = await this.repo.findDomain({ id: domainId });
        if (!domain)
            throw notFound('domain', domainId);
        return domain.id;
    }
    async requireProject(id) {
        const project = await this.repo.findProjectById(id);
        if (!project)
            throw notFound('project', id);
        return project;
    }
    /** Keystone checks the role first, then the actor, then the target. */
    async requireGrantParts(projectId, userId, roleId) {
        if (!(await this.repo.findRoleById(roleId)))
            throw notFound('role', roleId);
        if (!(await this.repo.findUserById(userId)))
            throw notFound('user', userId);
        await this.requireProject(projectId);
    }
}
function requireName(name, kind) {
    const trimmed = (name ?? '').trim();
    if (!trimmed)
        throw new BadRequest(`Invalid input for field 'name': a ${kind} name is required and may not be blank.`);
    return trimmed;
}
/** Keystone's handle_conflicts wording for a global role. */
const duplicateRole = (name) => new Conflict(`Conflict occurred attempting to store role - Duplicate entry found with name ${name}.`);
/** Keystone's ResourceUpdateForbidden / ResourceDeleteForbidden wording, then why it is final here. */
const immutableRole = (what, id) => new Forbidden(`Unable to ${what} immutable role resource: \`${id}. The built-in roles admin, member and reader are what novadock's policy checks; they cannot be changed or deleted.`);
function assertNotMadeImmutable(input) {
    if (input.options?.immutable)
        throw new BadRequest('Only the built-in roles (admin, member, reader) are immutable here; a new role cannot be.');
}
function isUniqueViolation(e) {
    const code = e.code;
    return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
const missingGrant = (projectId, userId, roleId) => new NotFound(`Could not find role assignment with role: ${roleId}, user or group: ${userId}, project, domain, or system: ${projectId}.`);
//# sourceMappingURL=identity-admin.js.map