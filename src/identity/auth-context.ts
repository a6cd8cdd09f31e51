// Who is calling, as established from a validated token. Routes and the compute API take this,
// never raw headers.
export interface AuthContext {
  userId: string;
  userName: string;
  userDomainId: string;
  /** null for unscoped and domain-scoped tokens */
  projectId: string | null;
  projectName: string | null;
  projectDomainId: string | null;
  /** set for domain-scoped tokens */
  domainId: string | null;
  roles: string[];
  methods: string[];
  auditId: string;
  issuedAt: string;
  expiresAt: string;
  /** sha256 of the token, the key it is stored under */
  tokenHash: string;
  /** set when the token came from an application credential (its roles are the credential's) */
  applicationCredential?: { id: string; name: string; unrestricted: boolean };
}

export const isAdmin = (a: AuthContext) => a.roles.includes('admin');
/** member or admin: may change things in its project */
export const canWrite = (a: AuthContext) => a.roles.includes('admin') || a.roles.includes('member');
/**
 * reader, member or admin: may read its project. A role an admin created (POST /v3/roles) has no
 * rule of its own, so it grants nothing by itself, as a Keystone role no policy names.
 */
export const canRead = (a: AuthContext) => a.roles.some((r) => r === 'reader' || r === 'member' || r === 'admin');
