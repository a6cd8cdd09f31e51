// Nova's test-only `[api] auth_strategy = noauth2` (NoAuthMiddleware): no Keystone check at all;
// the X-Auth-Token itself names the caller. "user:project", or just "user" (the project is then
// the user's name). The user called `admin` is admin; everyone else is a member of the named
// project. openstack and nova with `--os-auth-type none` send the token "notused": user notused,
// member of project notused, as Nova would have it.
//
// Unlike Nova, novadock keeps its callers in identity tables: quota-sets and flavor access refuse
// projects that do not exist, and `openstack project list` should show who owns the servers. So a
// name is resolved to a record (by id, then by name in the Default domain) and an unknown one is
// created on first use (Default domain, a fresh Keystone id, no password: it cannot log in through
// Keystone). Roles are never stored: they come from the rule above on each request, and a disabled
// user or project is refused as it would be with a Keystone token.
import { randomBytes } from 'node:crypto';
import { DEFAULT_DOMAIN_ID, newKeystoneId } from './bootstrap.js';
import { hashToken } from './token-service.js';
/** The name Nova's noauth2 makes admin. */
export const NOAUTH_ADMIN_USER = 'admin';
const MAX_NAME = 255;
const CACHE_MS = 2_000;
const CREATED_BY = 'Created on first use by the noauth2 auth strategy';
/** Nova's split of a noauth token: up to the first ':' is the user, the rest the project. Null when unusable. */
export function parseNoAuthToken(token) {
    const colon = token.indexOf(':');
    const user = colon < 0 ? token : token.slice(0, colon);
    const project = colon < 0 || colon === token.length - 1 ? user : token.slice(colon + 1);
    if (user === '' || user.length > MAX_NAME || project.length > MAX_NAME)
        return null;
    return { user, project };
}
export class NoAuth {
    repo;
    clock;
    ttlSeconds;
    cache = new Map();
    constructor(repo, tokens, clock, ttlSeconds) {
        this.repo = repo;
        this.clock = clock;
        this.ttlSeconds = ttlSeconds;
        // Disabling or deleting a user or project through the identity API takes effect at once.
        tokens.onInvalidate(() => this.cache.clear());
    }
    /** The caller a noauth token names, or null (malformed, a Keystone token that is no longer valid, a disabled record). */
    async contextFor(token) {
        const now = this.clock.now().getTime();
        const hit = this.cache.get(token);
        if (hit && hit.until > now)
            return hit.ctx;
        const ctx = await this.resolve(token);
        if (ctx) {
            if (this.cache.size > 10_000)
                this.cache.clear();
            this.cache.set(token, { ctx, until: now + CACHE_MS });
        }
        return ctx;
    }
    async resolve(token) {
        const names = parseNoAuthToken(token);
        if (!names)
            return null;
        // A token Keystone issued that has expired or been revoked stays refused; it must not turn
        // into a user named after it.
        const tokenHash = hashToken(token);
        if (await this.repo.findToken(tokenHash))
            return null;
        const project = await this.project(names.project);
        const user = await this.user(names.user, project.id);
        if (!user.enabled || !project.enabled)
            return null;
        const now = this.clock.now();
        const isAdminUser = user.name === NOAUTH_ADMIN_USER && user.domain_id === DEFAULT_DOMAIN_ID;
        return {
            userId: user.id,
            userName: user.name,
            userDomainId: user.domain_id,
            projectId: project.id,
            projectName: project.name,
            projectDomainId: project.domain_id,
            domainId: null,
            roles: isAdminUser ? ['admin'] : ['member'],
            methods: ['noauth2'],
            auditId: randomBytes(16).toString('base64url').slice(0, 22),
            issuedAt: now.toISOString(),
            expiresAt: new Date(now.getTime() + this.ttlSeconds * 1000).toISOString(),
            tokenHash,
        };
    }
    async project(ref) {
        const found = (await this.repo.findProjectById(ref)) ?? (await this.repo.findProjectByName(DEFAULT_DOMAIN_ID, ref));
        if (found)
            return found;
        const row = {
            id: newKeystoneId(),
            name: ref,
            domain_id: DEFAULT_DOMAIN_ID,
            description: CREATED_BY,
            enabled: true,
            created_at: this.clock.now().toISOString(),
        };
        return this.insertOnce(() => this.repo.insertProject(row), () => this.repo.findProjectByName(DEFAULT_DOMAIN_ID, ref), row);
    }
    async user(ref, projectId) {
        const found = (await this.repo.findUserById(ref)) ?? (await this.repo.findUserByName(DEFAULT_DOMAIN_ID, ref));
        if (found)
            return found;
        const row = {
            id: newKeystoneId(),
            name: ref,
            domain_id: DEFAULT_DOMAIN_ID,
            password_hash: null,
            enabled: true,
            email: null,
            description: CREATED_BY,
            default_project_id: projectId,
            created_at: this.clock.now().toISOString(),
            password_updated_at: null,
        };
        return this.insertOnce(() => this.repo.insertUser(row), () => this.repo.findUserByName(DEFAULT_DOMAIN_ID, ref), row);
    }
    /** Two first requests at once both try to insert: the loser of the unique-name race reads the winner's row. */
    async insertOnce(insert, reread, row) {
        try {
            await insert();
            return row;
        }
        catch (err) {
            const winner = await reread();
            if (winner)
                return winner;
            throw err;
        }
    }
}
//# sourceMappingURL=noauth.js.map