// Password hashing with scrypt (node:crypto): salted, memory-hard, compared in constant time.
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { BadRequest } from '../errors.js';
const N = 16384, r = 8, p = 1, KEYLEN = 64;
function scrypt(password, salt, opts) {
    return new Promise((resolve, reject) => scryptCb(password, salt, KEYLEN, opts, (err, key) => (err ? reject(err) : resolve(key))));
}
/** Format: scrypt$N$r$p$salt(b64)$hash(b64) */
export async function hashPassword(password) {
    const salt = randomBytes(16);
    const key = await scrypt(password, salt, { N, r, p });
    return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}
export async function verifyPassword(password, stored) {
    // Hash even when there is no stored hash, so a missing user costs the same time as a wrong password.
    const parts = (stored ?? `scrypt$${N}$${r}$${p}$${DUMMY_SALT}$${DUMMY_HASH}`).split('$');
    if (parts.length !== 6 || parts[0] !== 'scrypt')
        return false;
    const [, n, rr, pp, saltB64, hashB64] = parts;
    const expected = Buffer.from(hashB64, 'base64');
    const key = await scrypt(password, Buffer.from(saltB64, 'base64'), { N: Number(n), r: Number(rr), p: Number(pp) });
    return key.length === expected.length && timingSafeEqual(key, expected) && stored !== null;
}
const DUMMY_SALT = randomBytes(16).toString('base64');
const DUMMY_HASH = randomBytes(KEYLEN).toString('base64');
export const MIN_STRONG_LENGTH = 12;
/** Keystone's default max_password_length; it also bounds the work one login may ask of scrypt. */
export const MAX_PASSWORD_LENGTH = 4096;
/** 400 for an over-long password, without echoing it (schema messages would quote the value). */
export function assertPasswordLength(password, field = 'password') {
    if (password.length > MAX_PASSWORD_LENGTH) {
        throw new BadRequest(`Invalid input for field '${field}': the password is longer than ${MAX_PASSWORD_LENGTH} characters.`);
    }
}
const WELL_KNOWN = [
    'admin',
    'secret',
    'password',
    'openstack',
    'nova',
    'devstack',
    'changeme',
    'admin123',
    'password123',
    'adminadminadmin',
    'secretsecret',
    'passwordpassword',
    'openstackopenstack',
    'changemechangeme',
    '123456789012',
    'qwertyuiopas',
    'administrator',
    'superuser',
    'letmeinletmein',
    'novadock',
    'novadockadmin',
];
/** Why a password is too weak for a service reachable from other machines, or null when it is not. */
export function passwordWeakness(password) {
    if (WELL_KNOWN.includes(password.toLowerCase()))
        return 'it is a well-known default password';
    if (password.length < MIN_STRONG_LENGTH)
        return `it is shorter than ${MIN_STRONG_LENGTH} characters`;
    return null;
}
/** Weak for a non-loopback listener: short, or a well-known default. */
export function isWeakPassword(password) {
    return passwordWeakness(password) !== null;
}
/** The user columns for a new password (hash, weakness, time), computed while the plaintext is known. */
export async function passwordColumns(password, nowIso) {
    if (password !== null)
        assertPasswordLength(password);
    return {
        password_hash: password === null ? null : await hashPassword(password),
        password_weak: password === null ? null : isWeakPassword(password),
        password_updated_at: password === null ? null : nowIso,
    };
}
//# sourceMappingURL=passwords.js.map