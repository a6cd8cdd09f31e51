// Issues, validates and revokes Keystone tokens. A token is 32 random bytes (base64url); only its
// sha256 is stored. Validation is a primary-key lookup plus the caller's roles on the project,
// kept in a short-lived cache so that a busy client does not cost two queries per request.
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../db/time.js';
import type { IdentityRepo, ProjectRow, UserRow } from '../db/repositories/identity-repo.js';
import type { AuthContext } from './auth-context.js';

/** What a token issued from an application credential needs to know of it at each validation. */
export interface ApplicationCredentialLookup {
  /** The credential with its role names, or undefined when it is gone. */
  find(
    id: string,
  ): Promise<
    { id: string; name: string; unrestricted: boolean; expiresAt: string | null; roleNames: string[] } | undefined
  >;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const CACHE_MS = 2_000;
const PURGE_MS = 10 * 60_000;

export class TokenService {
  /** Keyed by the token itself (this process sees it anyway): a hit costs no sha256. */
  private cache = new Map<string, { ctx: AuthContext; until: number; expires: number }>();
  private lastPurge = 0;
  private readonly invalidationListeners: (() => void)[] = [];

  private appCreds: ApplicationCredentialLookup | null = null;

  constructor(
    private readonly repo: IdentityRepo,
    private readonly clock: Clock,
    private readonly ttlSeconds: number,
  ) {}

  /** Wired by the composition root: tokens bound to a credential are checked against it. */
  useApplicationCredentials(lookup: ApplicationCredentialLookup): void {
    this.appCreds = lookup;
  }

  /**
   * `applicationCredential`: the credential the token comes from; it then carries only that
   * credential's roles, lives no longer than it, and dies with it (Keystone, CVE-2022-2447).
   */
  async issue(
    user: UserRow,
    scope: { project?: ProjectRow; domainId?: string },
    methods: string[],
    expiresAt?: string,
    applicationCredential?: { id: string; expiresAt: string | null },
  ): Promise<{ token: string; ctx: AuthContext }> {
    const token = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    let expires = expiresAt ?? new Date(now.getTime() + this.ttlSeconds * 1000).toISOString();
    const credExpiry = applicationCredential?.expiresAt;
    if (credExpiry && Date.parse(credExpiry) < Date.parse(expires))
      expires = new Date(Date.parse(credExpiry)).toISOString();
    const row = {
      id_hash: hashToken(token),
      user_id: user.id,
      project_id: scope.project?.id ?? null,
      domain_id: scope.domainId ?? null,
      methods: methods.join(','),
      audit_id: randomBytes(16).toString('base64url').slice(0, 22),
      issued_at: now.toISOString(),
      expires_at: expires,
      revoked: false,
      ...(applicationCredential ? { application_credential_id: applicationCredential.id } : {}),
    };
    await this.repo.insertToken(row);
    await this.purgeExpired(now);
    const ctx = await this.contextFor(row.id_hash);
    if (!ctx) throw new Error('token vanished right after it was issued');
    return { token, ctx };
  }

  /** The caller behind a token, or null when it is unknown, expired, revoked or its user disabled. */
  async validate(token: string): Promise<AuthContext | null> {
    const now = this.clock.now().getTime();
    const hit = this.cache.get(token);
    if (hit && hit.until > now && hit.expires > now) return hit.ctx;
    const ctx = await this.contextFor(hashToken(token));
    if (ctx) {
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(token, { ctx, until: now + CACHE_MS, expires: Date.parse(ctx.expiresAt) });
    } else {
      this.cache.delete(token);
    }
    return ctx;
  }

  async revoke(token: string): Promise<boolean> {
    this.cache.delete(token);
    return (await this.repo.revokeToken(hashToken(token))) > 0;
  }

  /** Revokes every token of a user (after a password change). */
  async revokeUser(userId: string): Promise<void> {
    await this.repo.revokeUserTokens(userId);
    this.invalidateCache();
  }

  /** Expired rows are useless; drop them now and then (at most every PURGE_MS), on issue. */
  private async purgeExpired(now: Date): Promise<void> {
    if (now.getTime() - this.lastPurge < PURGE_MS) return;
    this.lastPurge = now.getTime();
    await this.repo.deleteExpiredTokens(now.toISOString());
  }

  /** Forget cached contexts (after role, project or user changes). */
  invalidateCache(): void {
    this.cache.clear();
    for (const listener of this.invalidationListeners) listener();
  }

  /** Other caches of callers (noauth2's) follow the same identity changes. */
  onInvalidate(listener: () => void): void {
    this.invalidationListeners.push(listener);
  }

  private async contextFor(idHash: string): Promise<AuthContext | null> {
    const row = await this.repo.findToken(idHash);
    if (!row || row.revoked) return null;
    if (Date.parse(row.expires_at) <= this.clock.now().getTime()) return null;
    const user = await this.repo.findUserById(row.user_id);
    if (!user || !user.enabled) return null;
    let project: ProjectRow | undefined;
    let roles: string[] = [];
    let credential: AuthContext['applicationCredential'];
    let delegated: Set<string> | null = null;
    if (row.application_credential_id) {
      // Keystone: the credential's roles that the user still holds; none left, or the
      // credential gone or expired, and the token is invalid.
      const cred = this.appCreds ? await this.appCreds.find(row.application_credential_id) : undefined;
      if (!cred || (cred.expiresAt && Date.parse(cred.expiresAt) <= this.clock.now().getTime())) return null;
      credential = { id: cred.id, name: cred.name, unrestricted: cred.unrestricted };
      delegated = new Set(cred.roleNames);
    }
    if (row.project_id) {
      project = await this.repo.findProjectById(row.project_id);
      if (!project || !project.enabled) return null;
      roles = (await this.repo.rolesOn(user.id, project.id)).map((r) => r.name);
      if (delegated) roles = roles.filter((r) => delegated.has(r));
      if (roles.length === 0) return null; // assignment removed since issue
    } else if (row.domain_id) {
      // Domain roles are not modelled: a domain-scoped token is the cloud admin's, and only
      // while that user still holds admin somewhere.
      if (!(await this.repo.isAdminAnywhere(user.id))) return null;
      roles = ['admin'];
    }
    return {
      userId: user.id,
      userName: user.name,
      userDomainId: user.domain_id,
      projectId: project?.id ?? null,
      projectName: project?.name ?? null,
      projectDomainId: project?.domain_id ?? null,
      domainId: row.domain_id,
      roles,
      methods: row.methods.split(','),
      auditId: row.audit_id,
      issuedAt: row.issued_at,
      expiresAt: row.expires_at,
      tokenHash: row.id_hash,
      ...(credential ? { applicationCredential: credential } : {}),
    };
  }
}
