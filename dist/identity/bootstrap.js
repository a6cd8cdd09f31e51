// First start: the Default domain, the admin/member/reader roles, an `admin` project and an
// `admin` user with role admin. The admin password comes from NOVADOCK_ADMIN_PASSWORD or is
// generated; either way data/openrc (0600) gets every OS_* export a client needs.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { isWeakPassword, passwordColumns, verifyPassword } from './passwords.js';
export const DEFAULT_DOMAIN_ID = 'default';
export const ROLE_NAMES = ['admin', 'member', 'reader'];
/** The roles novadock's policy checks by name: immutable (shown as Keystone's `immutable` option). */
export const isBuiltInRole = (role) => ROLE_NAMES.includes(role.name);
export const newKeystoneId = () => randomUUID().replace(/-/g, '');
export async function bootstrapIdentity(repo, clock, configuredPassword) {
    const now = clock.now().toISOString();
    if (!(await repo.findDomain({ id: DEFAULT_DOMAIN_ID }))) {
        await repo.insertDomain({
            id: DEFAULT_DOMAIN_ID,
            name: 'Default',
            description: 'The default domain',
            enabled: true,
        });
    }
    for (const name of ROLE_NAMES) {
        if (!(await repo.findRoleByName(name)))
            await repo.insertRole({ id: newKeystoneId(), name });
    }
    let project = await repo.findProjectByName(DEFAULT_DOMAIN_ID, 'admin');
    if (!project) {
        project = {
            id: newKeystoneId(),
            name: 'admin',
            domain_id: DEFAULT_DOMAIN_ID,
            description: 'Bootstrap project for initializing the cloud.',
            enabled: true,
            created_at: now,
        };
        await repo.insertProject(project);
    }
    let user = await repo.findUserByName(DEFAULT_DOMAIN_ID, 'admin');
    let result = { adminPassword: null, generated: false, created: false };
    if (!user) {
        const password = configuredPassword ?? randomBytes(18).toString('base64url');
        user = {
            id: newKeystoneId(),
            name: 'admin',
            domain_id: DEFAULT_DOMAIN_ID,
            enabled: true,
            email: null,
            description: '',
            default_project_id: project.id,
            created_at: now,
            ...(await passwordColumns(password, now)),
        };
        await repo.insertUser(user);
        result = { adminPassword: password, generated: configuredPassword === null, created: true };
    }
    else if (configuredPassword !== null && !(await verifyPassword(configuredPassword, user.password_hash))) {
        // The operator changed NOVADOCK_ADMIN_PASSWORD: the environment wins.
        await repo.updateUser(user.id, await passwordColumns(configuredPassword, now));
        result = { adminPassword: configuredPassword, generated: false, created: false };
    }
    else if (configuredPassword !== null) {
        // Same password as stored: record its strength if an older version left it unknown.
        if (user.password_weak === null || user.password_weak === undefined) {
            await repo.updateUser(user.id, { password_weak: isWeakPassword(configuredPassword) });
        }
        result = { adminPassword: configuredPassword, generated: false, created: false };
    }
    const admin = await repo.findRoleByName('admin');
    await repo.assignRole(user.id, project.id, admin.id);
    return result;
}
/** Writes data/openrc (mode 0600). Keeps the existing file when the password is not known now. */
export function writeOpenrc(dataDir, authUrl, password) {
    const file = path.join(dataDir, 'openrc');
    if (password === null)
        return fs.existsSync(file) ? file : null;
    const q = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
    const text = [
        '# novadock credentials for the admin user; source this file, then run openstack, nova or glance.',
        `export OS_AUTH_URL=${q(authUrl)}`,
        'export OS_IDENTITY_API_VERSION=3',
        'export OS_USERNAME=admin',
        `export OS_PASSWORD=${q(password)}`,
        'export OS_PROJECT_NAME=admin',
        'export OS_USER_DOMAIN_NAME=Default',
        'export OS_PROJECT_DOMAIN_NAME=Default',
        'export OS_REGION_NAME=RegionOne',
        'export OS_INTERFACE=public',
        'export OS_IMAGE_API_VERSION=2',
        '',
    ].join('\n');
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, text, { mode: 0o600 });
    fs.chmodSync(file, 0o600);
    return file;
}
//# sourceMappingURL=bootstrap.js.map