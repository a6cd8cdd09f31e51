// Policy: deny by default. Reader may read its project; member may also change it; admin may do
// anything anywhere (and list with all_tenants). Objects of another project are 404 to the caller
// (no existence leak), so scoping checks return "visible or not" rather than throwing 403.
import { Forbidden, Unauthorized } from '../errors';
import { canRead, canWrite, isAdmin, type AuthContext } from './auth-context';

export type Action = 'read' | 'write' | 'admin';

/** The caller's project; compute and image APIs need a project-scoped token. */
export function projectOf(auth: AuthContext): string {
  if (!auth.projectId) throw new Unauthorized('A project-scoped token is required.');
  return auth.projectId;
}

/** Throws 403 unless the caller's roles allow `action` (Nova's policy message). */
export function authorize(auth: AuthContext, action: Action, rule = 'this action'): void {
  const ok = action === 'admin' ? isAdmin(auth) : action === 'write' ? canWrite(auth) : canRead(auth);
  if (!ok) throw new Forbidden(`Policy doesn't allow ${rule} to be performed.`);
}

/** May the caller see an object owned by `ownerProjectId`? (admin: yes; others: only their own) */
export function canSee(auth: AuthContext, ownerProjectId: string | null): boolean {
  return isAdmin(auth) || (ownerProjectId !== null && ownerProjectId === auth.projectId);
}

export { isAdmin, canRead, canWrite };
