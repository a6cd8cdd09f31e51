// Keystone roles (/v3/roles): the built-in admin, member and reader, which policy checks by name
// and which cannot change, and any an admin creates, renames or deletes. A change that alters what a
// token may do drops the token cache, so a deleted role stops working at once.
import type { IdentityRepo, RoleRow } from '../db/repositories/identity-repo.js';
import type { TokenService } from './token-service.js';
import type { AuthContext } from './auth-context.js';
import { enforce } from './policy.js';
import { isBuiltInRole, newKeystoneId } from './bootstrap.js';
import { BadRequest, Conflict, Forbidden } from '../errors.js';
import { isUniqueViolation } from '../db/constraints.js';
import { notFound, requireName } from './identity-admin.js';

const noDomainRoles = () =>
  new BadRequest('Domain-specific roles are not supported; omit domain_id for a global role.');

export interface RoleInput {
  name?: string;
  description?: string | null;
  domain_id?: string | null;
  options?: { immutable?: boolean | null };
}

/** Keystone's handle_conflicts wording for a global role. */
const duplicateRole = (name: string) =>
  new Conflict(`Conflict occurred attempting to store role - Duplicate entry found with name ${name}.`);

/** Keystone's ResourceUpdateForbidden / ResourceDeleteForbidden wording, then why it is final here. */
const immutableRole = (what: 'update' | 'delete', id: string) =>
  new Forbidden(
    `Unable to ${what} immutable role resource: \`${id}. The built-in roles admin, member and reader are what novadock's policy checks; they cannot be changed or deleted.`,
  );

function assertNotMadeImmutable(input: RoleInput): void {
  if (input.options?.immutable)
    throw new BadRequest('Only the built-in roles (admin, member, reader) are immutable here; a new role cannot be.');
}

export class RoleAdmin {
  constructor(
    private readonly repo: IdentityRepo,
    private readonly tokens: TokenService,
  ) {}

  async listRoles(auth: AuthContext, name?: string): Promise<RoleRow[]> {
    enforce(auth, 'identity:list_roles');
    const roles = await this.repo.listRoles();
    return name === undefined ? roles : roles.filter((r) => r.name === name);
  }

  async getRole(auth: AuthContext, id: string): Promise<RoleRow> {
    enforce(auth, 'identity:get_role');
    const role = await this.repo.findRoleById(id);
    if (!role) throw notFound('role', id);
    return role;
  }

  /**
   * POST /v3/roles. A new role carries no policy of its own: novadock's policy knows admin, member
   * and reader, so a custom role permits nothing beyond the built-in roles the user also holds
   * (Keystone's default policies likewise name only those three). Names are unique without regard
   * to case; only global roles exist (no domain-specific ones).
   */
  async createRole(auth: AuthContext, input: RoleInput): Promise<RoleRow> {
    enforce(auth, 'identity:create_role');
    if (input.domain_id) throw noDomainRoles();
    assertNotMadeImmutable(input);
    const name = requireName(input.name, 'role');
    if (await this.repo.findRoleByNameIgnoringCase(name)) throw duplicateRole(name);
    const row: RoleRow = { id: newKeystoneId(), name, description: input.description ?? null };
    try {
      await this.repo.insertRole(row);
    } catch (e) {
      if (isUniqueViolation(e)) throw duplicateRole(name); // a concurrent create of the same name
      throw e;
    }
    return row;
  }

  /** PATCH /v3/roles/{id}: name and description; the built-in roles are immutable. */
  async updateRole(auth: AuthContext, id: string, input: RoleInput): Promise<RoleRow> {
    enforce(auth, 'identity:update_role');
    const role = await this.repo.findRoleById(id);
    if (!role) throw notFound('role', id);
    if (isBuiltInRole(role)) throw immutableRole('update', id);
    if (input.domain_id) throw noDomainRoles();
    assertNotMadeImmutable(input);
    const changes: Partial<RoleRow> = {};
    if (input.name !== undefined) {
      const name = requireName(input.name, 'role');
      const other = await this.repo.findRoleByNameIgnoringCase(name);
      if (other && other.id !== id) throw duplicateRole(name);
      changes.name = name;
    }
    if (input.description !== undefined) changes.description = input.description;
    if (Object.keys(changes).length) {
      try {
        await this.repo.updateRole(id, changes);
      } catch (e) {
        if (isUniqueViolation(e)) throw duplicateRole(changes.name ?? role.name);
        throw e;
      }
      this.tokens.invalidateCache(); // tokens carry role names
    }
    return (await this.repo.findRoleById(id))!;
  }

  /**
   * DELETE /v3/roles/{id}: the role and all its assignments go (as in Keystone); a token whose
   * only role on its project it was stops working. The built-in roles cannot be deleted (403):
   * deleting admin would lock every administrator out.
   */
  async deleteRole(auth: AuthContext, id: string): Promise<void> {
    enforce(auth, 'identity:delete_role');
    const role = await this.repo.findRoleById(id);
    if (!role) throw notFound('role', id);
    if (isBuiltInRole(role)) throw immutableRole('delete', id);
    if (!(await this.repo.deleteRole(id))) throw notFound('role', id);
    this.tokens.invalidateCache();
  }
}
