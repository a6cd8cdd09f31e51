export const isAdmin = (a) => a.roles.includes('admin');
/** member or admin: may change things in its project */
export const canWrite = (a) => a.roles.includes('admin') || a.roles.includes('member');
/**
 * reader, member or admin: may read its project. A role an admin created (POST /v3/roles) has no
 * rule of its own, so it grants nothing by itself, as a Keystone role no policy names.
 */
export const canRead = (a) => a.roles.some((r) => r === 'reader' || r === 'member' || r === 'admin');
//# sourceMappingURL=auth-context.js.map