// Keystone's authentication decisions: resolve the user (by id, or by name within a domain given by
// id or name, Default when absent), check the password or the presented token, resolve the scope,
// and issue a token. Every failure is the same 401, so nothing says whether a user exists.
import type { IdentityRepo, ProjectRow, UserRow } from '../db/repositories/identity-repo.js';
import type { TokenService } from './token-service.js';
import type { AuthContext } from './auth-context.js';
import { assertPasswordLength, verifyPassword } from './passwords.js';
import { DEFAULT_DOMAIN_ID } from './bootstrap.js';
import { BadRequest, Unauthorized, AUTHENTICATION_REQUIRED } from '../errors.js';
import type { LoginBuckets, LoginThrottle } from './login-throttle.js';

interface DomainRef {
  id?: string;
  name?: string;
}
interface UserRef {
  id?: string;
  name?: string;
  password?: string;
  domain?: DomainRef;
}
export interface AuthRequest {
  identity: { methods: string[]; password?: { user: UserRef }; token?: { id: string } };
  scope?:
    'unscoped' | { project?: { id?: string; name?: string; domain?: DomainRef }; domain?: DomainRef; system?: unknown };
}

const FAILED = AUTHENTICATION_REQUIRED;

/** Re-issues a token that came from an application credential (application-credentials.ts). */
export interface ApplicationCredentialTokens {
  reissue(ctx: AuthContext, requestedScope: boolean, methods: string[]): Promise<{ token: string; ctx: AuthContext }>;
}

export class IdentityService {
  private appCredTokens: ApplicationCredentialTokens | null = null;

  constructor(
    private readonly repo: IdentityRepo,
    readonly tokens: TokenService,
    private readonly throttle: LoginThrottle,
  ) {}

  /** Wired by the composition root. */
  useApplicationCredentials(tokens: ApplicationCredentialTokens): void {
    this.appCredTokens = tokens;
  }

  /** `client.address` is the caller's IP, for the per-address failure limit. */
  async authenticate(
    auth: AuthRequest,
    client: { address?: string | null } = {},
  ): Promise<{ token: string; ctx: AuthContext }> {
    const methods = auth.identity.methods;
    let user: UserRow | undefined;
    let expiresAt: string | undefined;
    if (methods.includes('password')) {
      const u = auth.identity.password?.user;
      if (!u || typeof u.password !== 'string')
        throw new BadRequest(
          'Expecting to find password in identity. The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.',
        );
      assertPasswordLength(u.password);
      user = await this.findUser(u);
      // The bucket is the user when it exists (so name and id forms share one), else what was asked
      // for; either way the answers are the same, so the limit says nothing about existence.
      const buckets: LoginBuckets = {
        user: user
          ? `id:${user.id}`
          : u.id
            ? `id:${u.id}`
            : `name:${(await this.domainId(u.domain)) ?? JSON.stringify(u.domain)}/${u.name ?? ''}`,
        address: client.address ?? null,
      };
      await this.throttle.assertAllowed(buckets);
      const ok = await verifyPassword(u.password, user?.password_hash ?? null);
      if (!ok || !user) {
        await this.throttle.recordFailure(buckets);
        throw new Unauthorized(FAILED);
      }
      if (!user.enabled) throw new Unauthorized(FAILED);
      await this.throttle.recordSuccess(buckets);
    } else if (methods.includes('token')) {
      const presented = auth.identity.token?.id;
      const ctx = typeof presented === 'string' ? await this.tokens.validate(presented) : null;
      if (!ctx) throw new Unauthorized(FAILED);
      // A credential's token stays bound to its project and roles: never rescoped, never widened.
      if (ctx.applicationCredential) {
        if (!this.appCredTokens) throw new Unauthorized(FAILED);
        return this.appCredTokens.reissue(ctx, auth.scope !== undefined, methods);
      }
      user = await this.repo.findUserById(ctx.userId);
      if (!user) throw new Unauthorized(FAILED);
      expiresAt = ctx.expiresAt; // a rescoped token never outlives the one it came from
    } else {
      throw new Unauthorized(`Attempted to authenticate with an unsupported method.`);
    }

    const scope = auth.scope;
    if (scope === undefined || scope === 'unscoped') {
      // No scope asks for an unscoped token (what dashboards log in with before they pick a
      // project). Keystone would fall back to the user's default project; we do not, so that
      // "no scope" and "unscoped" mean the same thing.
      return this.tokens.issue(user, {}, methods, expiresAt);
    }
    if (scope.project) {
      const project = await this.findProject(scope.project);
      if (!project || !project.enabled || (await this.repo.rolesOn(user.id, project.id)).length === 0) {
        throw new Unauthorized(`User ${user.id} has no access to project ${scope.project.id ?? scope.project.name}`);
      }
      return this.tokens.issue(user, { project }, methods, expiresAt);
    }
    if (scope.domain) {
      const domain = await this.repo.findDomain(scope.domain);
      if (!domain) throw new Unauthorized(FAILED);
      // Domain roles are not modelled: an admin anywhere may hold a domain-scoped token.
      if (!(await this.repo.isAdminAnywhere(user.id)))
        throw new Unauthorized(`User ${user.id} has no access to domain ${domain.id}`);
      return this.tokens.issue(user, { domainId: domain.id }, methods, expiresAt);
    }
    throw new Unauthorized('Scoping to a system is not supported.');
  }

  private async domainId(ref: DomainRef | undefined): Promise<string | null> {
    if (!ref || (!ref.id && !ref.name)) return DEFAULT_DOMAIN_ID;
    const d = await this.repo.findDomain(ref);
    return d ? d.id : null;
  }

  private async findUser(ref: UserRef): Promise<UserRow | undefined> {
    if (ref.id) return this.repo.findUserById(ref.id);
    if (!ref.name) return undefined;
    const domainId = await this.domainId(ref.domain);
    return domainId ? this.repo.findUserByName(domainId, ref.name) : undefined;
  }

  private async findProject(ref: { id?: string; name?: string; domain?: DomainRef }): Promise<ProjectRow | undefined> {
    if (ref.id) return this.repo.findProjectById(ref.id);
    if (!ref.name) return undefined;
    const domainId = await this.domainId(ref.domain);
    return domainId ? this.repo.findProjectByName(domainId, ref.name) : undefined;
  }
}
