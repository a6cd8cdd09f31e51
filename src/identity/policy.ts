// Policy: deny by default. Reader may read its project; member may also change it; admin may do
// anything anywhere (and list with all_tenants). Objects of another project are 404 to the caller
// (no existence leak), so scoping checks return "visible or not" rather than throwing 403.
//
// Two ways in: `authorize(auth, level, rule)` when the route names the level itself, and
// `enforce(auth, rule)` for rules listed in RULES below; a rule that is not listed is denied.
import { BadRequest, PolicyForbids, Unauthorized, actionForbidden } from '../errors.js';
import { canRead, canWrite, isAdmin, type AuthContext } from './auth-context.js';
import { FALSE_STRINGS, TRUE_STRINGS } from '../contract/parameter-types.js';

export type Action = 'read' | 'write' | 'admin';
/** 'token': any valid token, even unscoped (the caller's own things: its projects, its token). */
export type Level = 'token' | Action;

/** The caller's project; compute and image APIs need a project-scoped token. */
export function projectOf(auth: AuthContext): string {
  if (!auth.projectId) throw new Unauthorized('A project-scoped token is required.');
  return auth.projectId;
}

function allows(auth: AuthContext, level: Level): boolean {
  switch (level) {
    case 'token':
      return true;
    case 'read':
      return canRead(auth);
    case 'write':
      return canWrite(auth);
    case 'admin':
      return isAdmin(auth);
    default:
      return false;
  }
}

/** Throws 403 unless the caller's roles allow `action` (Nova's policy message). */
export function authorize(auth: AuthContext, action: Action, rule = 'this action'): void {
  if (!allows(auth, action)) throw PolicyForbids(rule);
}

/**
 * The named rules and the level each needs (Keystone's rule names for the identity API).
 * Rules that also allow "the caller itself" (its own user, its own projects) are decided by the
 * identity service on top of the level given here.
 */
export const RULES: Readonly<Record<string, Level>> = {
  'identity:validate_token': 'token', // own token; admin any (identity service)
  'identity:revoke_token': 'token', // own token; admin any
  'identity:get_auth_catalog': 'token',
  'identity:get_auth_projects': 'token',
  'identity:get_auth_domains': 'token',
  'identity:get_auth_system': 'token',
  'identity:list_user_projects': 'token', // self; admin any
  'identity:get_user': 'token', // self; admin any
  'identity:change_password': 'token', // self only
  'identity:list_projects': 'token', // admin: all; others: their own projects only
  'identity:get_project': 'token', // a project the caller has a role on; admin any
  'identity:list_roles': 'read',
  'identity:get_role': 'read',
  'identity:create_role': 'admin',
  'identity:update_role': 'admin',
  'identity:delete_role': 'admin',
  'identity:list_domains': 'token', // admin: all; others: the domains of their projects
  'identity:get_domain': 'token',
  'identity:list_groups': 'read',
  'identity:list_groups_for_user': 'token',
  'identity:list_role_assignments': 'token', // admin: all; others: their own assignments
  // Keystone: services and endpoints for admins (and system readers); regions for anyone.
  'identity:list_services': 'admin',
  'identity:get_service': 'admin',
  'identity:list_endpoints': 'admin',
  'identity:get_endpoint': 'admin',
  'identity:list_regions': 'token',
  'identity:get_region': 'token',
  // The writes are admin-only in Keystone; novadock then refuses them (its catalog is fixed).
  ...Object.fromEntries(
    ['service', 'endpoint', 'region'].flatMap((k) =>
      ['create', 'update', 'delete'].map((v) => [`identity:${v}_${k}`, 'admin' as const]),
    ),
  ),
  'identity:list_users': 'admin',
  'identity:create_user': 'admin',
  'identity:update_user': 'admin',
  'identity:delete_user': 'admin',
  'identity:create_project': 'admin',
  'identity:update_project': 'admin',
  'identity:delete_project': 'admin',
  'identity:create_grant': 'admin',
  'identity:revoke_grant': 'admin',
  'identity:check_grant': 'admin',
  'identity:list_grants': 'admin',
};

/** Throws 403 unless RULES lists `rule` and the caller has its level. Unlisted rules are denied. */
export function enforce(auth: AuthContext, rule: string): void {
  const level = Object.prototype.hasOwnProperty.call(RULES, rule) ? RULES[rule] : undefined;
  if (level === undefined || !allows(auth, level)) {
    if (rule.startsWith('identity:')) throw actionForbidden(rule);
    throw PolicyForbids(rule);
  }
}

/** May the caller see an object owned by `ownerProjectId`? (admin: yes; others: only their own) */
export function canSee(auth: AuthContext, ownerProjectId: string | null): boolean {
  return isAdmin(auth) || (ownerProjectId !== null && ownerProjectId === auth.projectId);
}

/**
 * Nova's all_tenants (nova.api.openstack.common.is_all_tenants): present and empty, or a true
 * word, asks for every project; a false word does not; anything else is a 400. Only admin may
 * ask; anyone else gets Nova's 403 for `rule`.
 */
export function wantsAllTenants(
  auth: AuthContext,
  value: unknown,
  rule = 'os_compute_api:servers:index:get_all_tenants',
): boolean {
  if (value === undefined) return false;
  const v = String(Array.isArray(value) ? value[value.length - 1] : value)
    .trim()
    .toLowerCase();
  if (FALSE_STRINGS.includes(v)) return false;
  if (v !== '' && !TRUE_STRINGS.includes(v)) {
    const all = [...FALSE_STRINGS, ...TRUE_STRINGS]
      .sort()
      .map((w) => `'${w}'`)
      .join(', ');
    throw new BadRequest(`Invalid input received: Unrecognized value '${v}', acceptable values are: ${all}`);
  }
  authorize(auth, 'admin', rule);
  return true;
}

export { isAdmin, canRead, canWrite };
