// Keystone application credentials (/v3/users/{user_id}/application_credentials and the
// `application_credential` auth method): a user delegates some of its roles on one project to a
// named secret. The secret is shown once and stored only as a scrypt hash (as passwords are); a
// token issued from it is always scoped to that project, carries only the delegated roles the user
// still holds, never outlives the credential, and dies when it is deleted.
//
// Rules follow Keystone (keystone/api/users.py, application_credential/core.py,
// common/policies/application_credential.py, auth/core.py): create is the owner's only, with a
// project-scoped token whose roles include every delegated one; list, show and delete are the
// owner's or an admin's; a restricted credential's token may not create or delete credentials.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../db/time.js';
import type { IdentityRepo, RoleRow, UserRow } from '../db/repositories/identity-repo.js';
import type {
  ApplicationCredentialRow,
  ApplicationCredentialsRepo,
} from '../db/repositories/application-credentials-repo.js';
import type { ApplicationCredentialLookup, TokenService } from './token-service.js';
import { type AuthContext, isAdmin } from './auth-context.js';
import type { LoginBuckets, LoginThrottle } from './login-throttle.js';
import { assertPasswordLength, hashPassword, verifyPassword } from './passwords.js';
import { newKeystoneId } from './bootstrap.js';
import { BadRequest, Conflict, NotFound, Unauthorized, AUTHENTICATION_REQUIRED, actionForbidden } from '../errors.js';
import { isUniqueViolation } from '../db/constraints.js';

export interface ApplicationCredentialInput {
  name: string;
  description?: string | null;
  secret?: string | null;
  expires_at?: string | null;
  roles?: { id?: string; name?: string }[];
  unrestricted?: boolean | null;
  access_rules?: unknown[];
}

export interface ApplicationCredentialAuth {
  id?: string;
  name?: string;
  secret?: string;
  user?: { id?: string; name?: string; domain?: { id?: string; name?: string } };
}

/** A credential as the API shows it; `secret` only right after create. */
export interface ApplicationCredential {
  row: ApplicationCredentialRow;
  roles: RoleRow[];
  secret?: string;
}

const CLIENT_ERROR =
  ' The server could not comply with the request since it is either malformed or otherwise incorrect. The client is assumed to be in error.';
const FAILED = AUTHENTICATION_REQUIRED;
const forbidden = (action: string) => actionForbidden(action);
const expecting = (attribute: string, target: string) =>
  new BadRequest(`Expecting to find ${attribute} in ${target}.${CLIENT_ERROR}`);
const notFound = (id: string) => new NotFound(`Could not find Application Credential: ${id}.`);
const invalid = (detail: string) => new BadRequest(`Invalid application credential: ${detail}`);

/** Keystone's generated secret: 64 random bytes, base64url without padding (86 characters). */
export function generateSecret(): string {
  return randomBytes(64).toString('base64url');
}

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Keystone's parse_expiration_date: an ISO 8601 time (UTC unless it says otherwise), not in the past. */
export function parseExpiry(value: string, now: Date): string {
  const text = /(Z|[+-]\d{2}:?\d{2})$/.test(value) ? value : `${value}Z`;
  const ms = ISO_DATE_TIME.test(text) ? Date.parse(text) : NaN;
  if (!Number.isFinite(ms)) throw new BadRequest(`Timestamp not in expected format.${CLIENT_ERROR}`);
  if (ms < now.getTime()) throw new BadRequest(`The 'expires_at' must not be before now.${CLIENT_ERROR}`);
  return new Date(ms).toISOString();
}

export class ApplicationCredentials implements ApplicationCredentialLookup {
  constructor(
    private readonly repo: ApplicationCredentialsRepo,
    private readonly identityRepo: IdentityRepo,
    private readonly tokens: TokenService,
    private readonly throttle: LoginThrottle,
    private readonly clock: Clock,
  ) {}

  // ---- management ---------------------------------------------------------------------------

  async create(auth: AuthContext, userId: string, input: ApplicationCredentialInput): Promise<ApplicationCredential> {
    // Policy identity:create_application_credential is rule:owner with project scope only.
    if (!auth.projectId || auth.userId !== userId) throw forbidden('identity:create_application_credential');
    assertUnrestricted(auth);
    if (input.access_rules && input.access_rules.length > 0) {
      // Keystone accepts them and keystonemiddleware enforces them; nothing here would enforce them,
      // so a credential that looks limited must not be handed out.
      throw invalid('access rules are not supported by this cloud; create the credential without access_rules.');
    }
    const secret = input.secret ? input.secret : generateSecret();
    assertPasswordLength(secret, 'secret');
    const expiresAt = input.expires_at ? parseExpiry(input.expires_at, this.clock.now()) : null;
    const roles = await this.delegatedRoles(auth, input.roles);
    if (await this.repo.findByName(userId, input.name)) throw duplicate(input.name);
    const row: ApplicationCredentialRow = {
      id: newKeystoneId(),
      name: input.name,
      description: input.description ?? null,
      user_id: userId,
      project_id: auth.projectId,
      secret_hash: await hashPassword(secret),
      expires_at: expiresAt,
      unrestricted: input.unrestricted === true,
      created_at: this.clock.now().toISOString(),
    };
    try {
      await this.repo.insert(
        row,
        roles.map((r) => r.id),
      );
    } catch (e) {
      if (isUniqueViolation(e)) throw duplicate(input.name); // a concurrent create of the same name
      throw e;
    }
    return { row, roles, secret };
  }

  /** Owner or admin (Keystone's admin_or_owner); `?name=` is an exact match. */
  async list(auth: AuthContext, userId: string, filter: { name?: string }): Promise<ApplicationCredential[]> {
    if (auth.userId !== userId && !isAdmin(auth)) throw forbidden('identity:list_application_credentials');
    const rows = await this.repo.listForUser(userId, filter);
    const roles = await this.repo.rolesOf(rows.map((r) => r.id));
    return rows.map((row) => ({ row, roles: roles.get(row.id) ?? [] }));
  }

  /**
   * Owner or admin. As in Keystone the owner is the credential's user, not the one in the path
   * (which would let anyone name themselves there); an unknown id is a 404.
   */
  async get(auth: AuthContext, id: string): Promise<ApplicationCredential> {
    const row = await this.repo.findById(id);
    if (!row) throw notFound(id);
    if (row.user_id !== auth.userId && !isAdmin(auth)) throw forbidden('identity:get_application_credential');
    return { row, roles: (await this.repo.rolesOf([id])).get(id) ?? [] };
  }

  /** Owner or admin, and not with a restricted credential's token; revokes the tokens issued from it. */
  async delete(auth: AuthContext, pathUserId: string, id: string): Promise<void> {
    const row = await this.repo.findById(id);
    const owner = row ? row.user_id : pathUserId;
    if (owner !== auth.userId && !isAdmin(auth)) throw forbidden('identity:delete_application_credential');
    assertUnrestricted(auth);
    if (!row || !(await this.repo.delete(id))) throw notFound(id);
    this.tokens.invalidateCache();
  }

  /** The roles a new credential delegates: those asked for (by id or name), all of which the
   * caller's token must hold, or else every role of the token. */
  private async delegatedRoles(
    auth: AuthContext,
    asked: { id?: string; name?: string }[] | undefined,
  ): Promise<RoleRow[]> {
    const held = (await Promise.all(auth.roles.map((name) => this.identityRepo.findRoleByName(name)))).filter(
      (r): r is RoleRow => r !== undefined,
    );
    if (!asked || asked.length === 0) return held;
    const out = new Map<string, RoleRow>();
    for (const ref of asked) {
      let id = ref.id;
      if (!id) {
        const role = await this.identityRepo.findRoleByName(ref.name ?? '');
        if (!role) throw new NotFound(`Could not find role: ${ref.name}.`);
        id = role.id;
      }
      const mine = held.find((r) => r.id === id);
      if (!mine) throw invalid('Cannot create an application credential with unassigned role');
      out.set(mine.id, mine);
    }
    return [...out.values()];
  }

  // ---- authentication ---------------------------------------------------------------------------

  /** For the token service: the credential and its role names, while it exists. */
  async find(id: string) {
    const row = await this.repo.findById(id);
    if (!row) return undefined;
    const roles = (await this.repo.rolesOf([id])).get(id) ?? [];
    return {
      id: row.id,
      name: row.name,
      unrestricted: Boolean(row.unrestricted),
      expiresAt: row.expires_at,
      roleNames: roles.map((r) => r.name),
    };
  }

  /**
   * The `application_credential` method. Unknown credential, wrong secret, expiry and a disabled
   * user are all the same 401, and failures count against the login throttle as passwords do.
   */
  async authenticate(
    input: ApplicationCredentialAuth | undefined,
    requestedScope: boolean,
    client: { address?: string | null } = {},
  ): Promise<{ token: string; ctx: AuthContext }> {
    if (requestedScope)
      throw new Unauthorized(
        'Error authenticating with application credential: Application credentials cannot request a scope.',
      );
    if (!input) throw expecting('application_credential', 'identity');
    const { cred, bucket } = await this.lookup(input);
    const buckets: LoginBuckets = { user: bucket, address: client.address ?? null };
    await this.throttle.assertAllowed(buckets);
    const secret = typeof input.secret === 'string' ? input.secret : '';
    assertPasswordLength(secret, 'secret');
    const ok = await verifyPassword(secret, cred?.secret_hash ?? null);
    if (!ok || !cred) {
      await this.throttle.recordFailure(buckets);
      throw new Unauthorized(FAILED);
    }
    const user = await this.identityRepo.findUserById(cred.user_id);
    if (!user || !user.enabled) throw new Unauthorized(FAILED);
    await this.throttle.recordSuccess(buckets);
    return this.issueFor(user, cred, ['application_credential']);
  }

  /**
   * The `token` method given a token that came from a credential: Keystone forbids any scope
   * ("Using an application credential token to create a scoped token is not allowed."); without
   * one, the new token is bound to the same credential and lives no longer than the old one.
   */
  async reissue(
    ctx: AuthContext,
    requestedScope: boolean,
    methods: string[],
  ): Promise<{ token: string; ctx: AuthContext }> {
    if (requestedScope)
      throw forbidden('Using an application credential token to create a scoped token is not allowed.');
    const cred = ctx.applicationCredential ? await this.repo.findById(ctx.applicationCredential.id) : undefined;
    const user = await this.identityRepo.findUserById(ctx.userId);
    if (!cred || !user) throw new Unauthorized(FAILED);
    return this.issueFor(user, cred, methods, ctx.expiresAt);
  }

  private async issueFor(user: UserRow, cred: ApplicationCredentialRow, methods: string[], expiresAt?: string) {
    if (cred.expires_at && Date.parse(cred.expires_at) <= this.clock.now().getTime()) throw new Unauthorized(FAILED);
    const project = await this.identityRepo.findProjectById(cred.project_id);
    if (!project || !project.enabled) throw new Unauthorized(FAILED);
    const delegated = new Set(((await this.repo.rolesOf([cred.id])).get(cred.id) ?? []).map((r) => r.id));
    const held = await this.identityRepo.rolesOn(user.id, project.id);
    if (!held.some((r) => delegated.has(r.id)))
      throw new Unauthorized(`User ${user.id} has no access to project ${project.id}`);
    return this.tokens.issue(user, { project }, methods, expiresAt, { id: cred.id, expiresAt: cred.expires_at });
  }

  /** The credential named by id, or by name and its user (id, or name within a domain). The
   * throttle bucket is the credential when it exists, else what was asked for. */
  private async lookup(
    input: ApplicationCredentialAuth,
  ): Promise<{ cred: ApplicationCredentialRow | undefined; bucket: string }> {
    if (input.id) {
      const cred = await this.repo.findById(input.id);
      return { cred, bucket: `appcred:${cred?.id ?? input.id}` };
    }
    if (!input.name) throw expecting('name or ID', 'application credential');
    const u = input.user;
    if (!u) throw expecting('user', 'application credential');
    let user: UserRow | undefined;
    if (u.id) {
      user = await this.identityRepo.findUserById(u.id);
    } else {
      if (!u.domain) throw expecting('domain', 'user');
      const domain = await this.identityRepo.findDomain(u.domain);
      user = domain && u.name ? await this.identityRepo.findUserByName(domain.id, u.name) : undefined;
    }
    const cred = user ? await this.repo.findByName(user.id, input.name) : undefined;
    const asked = u.id ?? `${u.domain?.id ?? u.domain?.name ?? ''}/${u.name ?? ''}`;
    return { cred, bucket: cred ? `appcred:${cred.id}` : `appcred:${asked}/${input.name}` };
  }
}

/** Keystone's _check_unrestricted_application_credential (its wording ends in two full stops). */
function assertUnrestricted(auth: AuthContext): void {
  if (auth.applicationCredential && !auth.applicationCredential.unrestricted) {
    throw forbidden(
      "Using method 'application_credential' is not allowed for managing additional application credentials.",
    );
  }
}

const duplicate = (name: string) =>
  new Conflict(
    `Conflict occurred attempting to store application_credential - Duplicate entry found with name ${name}.`,
  );
