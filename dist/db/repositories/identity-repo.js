function applyFilter(q, f) {
    if (f.name !== undefined)
        q.where('name', f.name);
    if (f.domainId !== undefined)
        q.where('domain_id', f.domainId);
    if (f.enabled !== undefined)
        q.where('enabled', f.enabled);
    if (f.ids !== undefined)
        q.whereIn('id', f.ids);
    return q;
}
export class IdentityRepo {
    db;
    constructor(db) {
        this.db = db;
    }
    findDomain(ref, trx = this.db) {
        if (ref.id)
            return trx('domains').whereRaw('lower(id) = lower(?)', [ref.id]).first();
        return trx('domains')
            .where({ name: ref.name ?? 'Default' })
            .first();
    }
    listDomains(trx = this.db) {
        return trx('domains').orderBy('name');
    }
    async insertDomain(row, trx = this.db) {
        await trx('domains').insert(row);
    }
    findProjectById(id, trx = this.db) {
        return trx('projects').where({ id }).first();
    }
    findProjectByName(domainId, name, trx = this.db) {
        return trx('projects').where({ domain_id: domainId, name }).first();
    }
    listProjects(filter = {}, trx = this.db) {
        return applyFilter(trx('projects'), filter).orderBy('name');
    }
    async insertProject(row, trx = this.db) {
        await trx('projects').insert(row);
    }
    async updateProject(id, changes, trx = this.db) {
        await trx('projects').where({ id }).update(changes);
    }
    async deleteProject(id, trx = this.db) {
        return trx('projects').where({ id }).delete();
    }
    findUserById(id, trx = this.db) {
        return trx('users').where({ id }).first();
    }
    findUserByName(domainId, name, trx = this.db) {
        return trx('users').where({ domain_id: domainId, name }).first();
    }
    listUsers(filter = {}, trx = this.db) {
        return applyFilter(trx('users'), filter).orderBy('name');
    }
    async insertUser(row, trx = this.db) {
        await trx('users').insert(row);
    }
    async updateUser(id, changes, trx = this.db) {
        await trx('users').where({ id }).update(changes);
    }
    async deleteUser(id, trx = this.db) {
        return trx('users').where({ id }).delete();
    }
    findRoleByName(name, trx = this.db) {
        return trx('roles').where({ name }).first();
    }
    findRoleById(id, trx = this.db) {
        return trx('roles').where({ id }).first();
    }
    listRoles(trx = this.db) {
        return trx('roles').orderBy('name');
    }
    async insertRole(row, trx = this.db) {
        await trx('roles').insert(row);
    }
    /** Role names are unique without regard to case (index roles_name_lower_uq). */
    findRoleByNameIgnoringCase(name, trx = this.db) {
        return trx('roles').whereRaw('lower(name) = lower(?)', [name]).first();
    }
    async updateRole(id, changes, trx = this.db) {
        await trx('roles').where({ id }).update(changes);
    }
    /** The role and every assignment of it (Keystone deletes a role's assignments with it). */
    async deleteRole(id, trx = this.db) {
        return trx.transaction(async (t) => {
            await t('role_assignments').where({ role_id: id }).delete();
            return (await t('roles').where({ id }).delete()) > 0;
        });
    }
    async rolesOn(userId, projectId, trx = this.db) {
        return trx('role_assignments as a')
            .join('roles as r', 'r.id', 'a.role_id')
            .where({ 'a.user_id': userId, 'a.project_id': projectId })
            .select('r.id', 'r.name')
            .orderBy('r.name');
    }
    async projectsOf(userId, trx = this.db) {
        return trx('projects as p')
            .whereIn('p.id', trx('role_assignments').where({ user_id: userId }).select('project_id'))
            .select('p.*')
            .orderBy('p.name');
    }
    async assignRole(userId, projectId, roleId, trx = this.db) {
        await trx('role_assignments')
            .insert({ user_id: userId, project_id: projectId, role_id: roleId })
            .onConflict(['user_id', 'project_id', 'role_id'])
            .ignore();
    }
    async unassignRole(userId, projectId, roleId, trx = this.db) {
        return trx('role_assignments').where({ user_id: userId, project_id: projectId, role_id: roleId }).delete();
    }
    listAssignments(filter = {}, trx = this.db) {
        const q = trx('role_assignments').select('user_id', 'project_id', 'role_id');
        if (filter.userId !== undefined)
            q.where({ user_id: filter.userId });
        if (filter.projectId !== undefined)
            q.where({ project_id: filter.projectId });
        if (filter.roleId !== undefined)
            q.where({ role_id: filter.roleId });
        return q.orderBy(['project_id', 'user_id', 'role_id']);
    }
    /** Admin on any project: the cloud administrator in this service's model. */
    async isAdminAnywhere(userId, trx = this.db) {
        const row = await trx('role_assignments as a')
            .join('roles as r', 'r.id', 'a.role_id')
            .where({ 'a.user_id': userId, 'r.name': 'admin' })
            .first('a.user_id');
        return row !== undefined;
    }
    async insertToken(row, trx = this.db) {
        await trx('tokens').insert(row);
    }
    findToken(idHash, trx = this.db) {
        return trx('tokens').where({ id_hash: idHash }).first();
    }
    async revokeToken(idHash, trx = this.db) {
        return trx('tokens').where({ id_hash: idHash }).update({ revoked: true });
    }
    /** Revokes every live token of a user (password change): they were issued on the old secret. */
    async revokeUserTokens(userId, trx = this.db) {
        return trx('tokens').where({ user_id: userId, revoked: false }).update({ revoked: true });
    }
    async deleteExpiredTokens(beforeIso, trx = this.db) {
        return trx('tokens').where('expires_at', '<', beforeIso).delete();
    }
}
//# sourceMappingURL=identity-repo.js.map