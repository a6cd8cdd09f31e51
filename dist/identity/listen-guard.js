import { DEFAULT_DOMAIN_ID } from './bootstrap.js';
import { MIN_STRONG_LENGTH, passwordWeakness } from './passwords.js';
const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|\[::1\]|localhost|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;
export function isLoopbackHost(host) {
    return LOOPBACK.test(host.trim());
}
const ADVICE = `set NOVADOCK_ADMIN_PASSWORD to a strong password (${MIN_STRONG_LENGTH} characters or more, not a well-known default), or listen on 127.0.0.1`;
/** Before the database is opened: the configured password alone. Null when listening is fine. */
export function configuredPasswordRefusal(host, configuredPassword) {
    if (isLoopbackHost(host) || configuredPassword === null)
        return null;
    const why = passwordWeakness(configuredPassword);
    return why ? `refusing to listen on ${host}: NOVADOCK_ADMIN_PASSWORD is weak (${why}); ${ADVICE}` : null;
}
/**
 * After bootstrap: the admin user's current password, whatever set it (the environment, the
 * generator, or `openstack user set --password` since). Its weakness was recorded when it was set.
 */
export async function storedPasswordRefusal(host, repo) {
    if (isLoopbackHost(host))
        return null;
    const admin = await repo.findUserByName(DEFAULT_DOMAIN_ID, 'admin');
    if (!admin || !admin.password_hash)
        return null;
    if (admin.password_weak === null || admin.password_weak === undefined) {
        return `refusing to listen on ${host}: the admin user's password was set before its strength was recorded; ${ADVICE}`;
    }
    if (admin.password_weak) {
        return `refusing to listen on ${host}: the admin user's password is weak (shorter than ${MIN_STRONG_LENGTH} characters or a well-known default); ${ADVICE}`;
    }
    return null;
}
/**
 * noauth2 believes whatever a token says, `admin` included: the server must then not be reachable
 * from other machines, whatever the password. Null when listening is fine.
 */
export function noauthRefusal(host, authStrategy) {
    if (authStrategy !== 'noauth2' || isLoopbackHost(host))
        return null;
    return `refusing to listen on ${host}: NOVADOCK_AUTH_STRATEGY=noauth2 lets any caller act as any user, admin included; listen on 127.0.0.1 or ::1, or use NOVADOCK_AUTH_STRATEGY=keystone`;
}
//# sourceMappingURL=listen-guard.js.map