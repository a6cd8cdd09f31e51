// Keystone records: domains, projects, users, roles, assignments and token hashes.
import type { Knex } from 'knex';
import type { Db } from '../knex.js';
import { sql } from '../sql.js';

export interface DomainRow {
  id: string;
  name: string;
  description: string;
  enabled: boolean | number;
}
export interface ProjectRow {
  id: string;
  name: string;
  domain_id: string;
  description: string;
  enabled: boolean | number;
  created_at: string;
}
export interface UserRow {
  id: string;
  name: string;
  domain_id: string;
  password_hash: string | null;
  enabled: boolean | number;
  email: string | null;
  description: string;
  default_project_id: string | null;
  created_at: string;
  password_updated_at: string | null;
  /** decided when the password was set; null when unknown */
  password_weak?: boolean | number | null;
}
export interface RoleRow {
  id: string;
  name: string;
  description?: string | null;
}
export interface AssignmentRow {
  user_id: string;
  project_id: string;
  role_id: string;
}
/** Exact-match filters of Keystone list calls (?name=, ?domain_id=, ?enabled=). */
export interface ListFilter {
  name?: string;
  domainId?: string;
  enabled?: boolean;
  ids?: string[];
}

function applyFilter<T extends object>(q: Knex.QueryBuilder<T>, f: ListFilter): Knex.QueryBuilder<T> {
  if (f.name !== undefined) q.where('name', f.name);
  if (f.domainId !== undefined) q.where('domain_id', f.domainId);
  if (f.enabled !== undefined) q.where('enabled', f.enabled);
  if (f.ids !== undefined) q.whereIn('id', f.ids);
  return q;
}
export interface TokenRow {
  id_hash: string;
  user_id: string;
  project_id: string | null;
  domain_id: string | null;
  methods: string;
  audit_id: string;
  issued_at: string;
  expires_at: string;
  revoked: boolean | number;
  /** set on tokens issued from an application credential */
  application_credential_id?: string | null;
}

export class IdentityRepo {
  constructor(private readonly db: Db) {}

  findDomain(ref: { id?: string; name?: string }, trx: Db = this.db): Promise<DomainRow | undefined> {
    if (ref.id) return sql(trx)<DomainRow>('domains').whereRaw('lower(id) = lower(?)', [ref.id]).first();
    return sql(trx)<DomainRow>('domains')
      .where({ name: ref.name ?? 'Default' })
      .first();
  }
  listDomains(trx: Db = this.db): Promise<DomainRow[]> {
    return sql(trx)<DomainRow>('domains').orderBy('name');
  }
  async insertDomain(row: DomainRow, trx: Db = this.db) {
    await sql(trx)('domains').insert(row);
  }

  findProjectById(id: string, trx: Db = this.db) {
    return sql(trx)<ProjectRow>('projects').where({ id }).first();
  }
  findProjectByName(domainId: string, name: string, trx: Db = this.db) {
    return sql(trx)<ProjectRow>('projects').where({ domain_id: domainId, name }).first();
  }
  listProjects(filter: ListFilter = {}, trx: Db = this.db): Promise<ProjectRow[]> {
    return applyFilter(sql(trx)<ProjectRow>('projects'), filter).orderBy('name');
  }
  async insertProject(row: ProjectRow, trx: Db = this.db) {
    await sql(trx)('projects').insert(row);
  }
  async updateProject(id: string, changes: Partial<ProjectRow>, trx: Db = this.db) {
    await sql(trx)('projects').where({ id }).update(changes);
  }
  async deleteProject(id: string, trx: Db = this.db) {
    return sql(trx)('projects').where({ id }).delete();
  }

  findUserById(id: string, trx: Db = this.db) {
    return sql(trx)<UserRow>('users').where({ id }).first();
  }
  findUserByName(domainId: string, name: string, trx: Db = this.db) {
    return sql(trx)<UserRow>('users').where({ domain_id: domainId, name }).first();
  }
  listUsers(filter: ListFilter = {}, trx: Db = this.db): Promise<UserRow[]> {
    return applyFilter(sql(trx)<UserRow>('users'), filter).orderBy('name');
  }
  async insertUser(row: UserRow, trx: Db = this.db) {
    await sql(trx)('users').insert(row);
  }
  async updateUser(id: string, changes: Partial<UserRow>, trx: Db = this.db) {
    await sql(trx)('users').where({ id }).update(changes);
  }
  async deleteUser(id: string, trx: Db = this.db) {
    return sql(trx)('users').where({ id }).delete();
  }

  findRoleByName(name: string, trx: Db = this.db) {
    return sql(trx)<RoleRow>('roles').where({ name }).first();
  }
  findRoleById(id: string, trx: Db = this.db) {
    return sql(trx)<RoleRow>('roles').where({ id }).first();
  }
  listRoles(trx: Db = this.db): Promise<RoleRow[]> {
    return sql(trx)<RoleRow>('roles').orderBy('name');
  }
  async insertRole(row: RoleRow, trx: Db = this.db) {
    await sql(trx)('roles').insert(row);
  }
  /** Role names are unique without regard to case (index roles_name_lower_uq). */
  findRoleByNameIgnoringCase(name: string, trx: Db = this.db) {
    return sql(trx)<RoleRow>('roles').whereRaw('lower(name) = lower(?)', [name]).first();
  }
  async updateRole(id: string, changes: Partial<Pick<RoleRow, 'name' | 'description'>>, trx: Db = this.db) {
    await sql(trx)('roles').where({ id }).update(changes);
  }
  /** The role and every assignment of it (Keystone deletes a role's assignments with it). */
  async deleteRole(id: string, trx: Db = this.db): Promise<boolean> {
    return sql(trx).transaction(async (t) => {
      await t('role_assignments').where({ role_id: id }).delete();
      return (await t('roles').where({ id }).delete()) > 0;
    });
  }

  async rolesOn(userId: string, projectId: string, trx: Db = this.db): Promise<RoleRow[]> {
    return sql(trx)<RoleRow>('role_assignments as a')
      .join('roles as r', 'r.id', 'a.role_id')
      .where({ 'a.user_id': userId, 'a.project_id': projectId })
      .select('r.id', 'r.name')
      .orderBy('r.name');
  }
  async projectsOf(userId: string, trx: Db = this.db): Promise<ProjectRow[]> {
    return sql(trx)<ProjectRow>('projects as p')
      .whereIn('p.id', sql(trx)('role_assignments').where({ user_id: userId }).select('project_id'))
      .select('p.*')
      .orderBy('p.name');
  }
  async assignRole(userId: string, projectId: string, roleId: string, trx: Db = this.db) {
    await sql(trx)('role_assignments')
      .insert({ user_id: userId, project_id: projectId, role_id: roleId })
      .onConflict(['user_id', 'project_id', 'role_id'])
      .ignore();
  }
  async unassignRole(userId: string, projectId: string, roleId: string, trx: Db = this.db) {
    return sql(trx)('role_assignments').where({ user_id: userId, project_id: projectId, role_id: roleId }).delete();
  }
  listAssignments(
    filter: { userId?: string; projectId?: string; roleId?: string } = {},
    trx: Db = this.db,
  ): Promise<AssignmentRow[]> {
    const q = sql(trx)<AssignmentRow>('role_assignments').select('user_id', 'project_id', 'role_id');
    if (filter.userId !== undefined) q.where({ user_id: filter.userId });
    if (filter.projectId !== undefined) q.where({ project_id: filter.projectId });
    if (filter.roleId !== undefined) q.where({ role_id: filter.roleId });
    return q.orderBy(['project_id', 'user_id', 'role_id']);
  }
  /** Admin on any project: the cloud administrator in this service's model. */
  async isAdminAnywhere(userId: string, trx: Db = this.db): Promise<boolean> {
    const row = await sql(trx)('role_assignments as a')
      .join('roles as r', 'r.id', 'a.role_id')
      .where({ 'a.user_id': userId, 'r.name': 'admin' })
      .first('a.user_id');
    return row !== undefined;
  }

  async insertToken(row: TokenRow, trx: Db = this.db) {
    await sql(trx)('tokens').insert(row);
  }
  findToken(idHash: string, trx: Db = this.db) {
    return sql(trx)<TokenRow>('tokens').where({ id_hash: idHash }).first();
  }
  async revokeToken(idHash: string, trx: Db = this.db) {
    return sql(trx)('tokens').where({ id_hash: idHash }).update({ revoked: true });
  }
  /** Revokes every live token of a user (password change): they were issued on the old secret. */
  async revokeUserTokens(userId: string, trx: Db = this.db) {
    return sql(trx)('tokens').where({ user_id: userId, revoked: false }).update({ revoked: true });
  }
  async deleteExpiredTokens(beforeIso: string, trx: Db = this.db) {
    return sql(trx)('tokens').where('expires_at', '<', beforeIso).delete();
  }
}
