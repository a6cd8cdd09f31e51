export class QuotasRepo {
    db;
    constructor(db) {
        this.db = db;
    }
    async projectLimits(projectId, trx = this.db) {
        const rows = await trx('quotas').where({ project_id: projectId });
        return Object.fromEntries(rows.map((r) => [r.resource, Number(r.hard_limit)]));
    }
    async classLimits(className, trx = this.db) {
        const rows = await trx('quota_classes').where({ class_name: className });
        return Object.fromEntries(rows.map((r) => [r.resource, Number(r.hard_limit)]));
    }
    async setProjectLimit(projectId, resource, hardLimit, now, trx = this.db) {
        await trx('quotas')
            .insert({ project_id: projectId, resource, hard_limit: hardLimit, created_at: now, updated_at: null })
            .onConflict(['project_id', 'resource'])
            .merge({ hard_limit: hardLimit, updated_at: now });
    }
    /** Nova's quota_destroy_all_by_project: the project's limits and its users' limits. */
    async deleteProjectLimits(projectId, trx = this.db) {
        await trx('quotas').where({ project_id: projectId }).delete();
        await trx('project_user_quotas').where({ project_id: projectId }).delete();
    }
    /** The user's own limits inside the project (no fallback). */
    async userLimits(projectId, userId, trx = this.db) {
        const rows = await trx('project_user_quotas').where({ project_id: projectId, user_id: userId });
        return Object.fromEntries(rows.map((r) => [r.resource, Number(r.hard_limit)]));
    }
    /** Every user limit of the project, for the sum that a project limit may not go below. */
    async allUserLimits(projectId, trx = this.db) {
        const rows = await trx('project_user_quotas')
            .where({ project_id: projectId })
            .select('user_id', 'resource', 'hard_limit');
        return rows.map((r) => ({
            ...r,
            hard_limit: Number(r.hard_limit),
        }));
    }
    async setUserLimit(projectId, userId, resource, hardLimit, now, trx = this.db) {
        await trx('project_user_quotas')
            .insert({
            project_id: projectId,
            user_id: userId,
            resource,
            hard_limit: hardLimit,
            created_at: now,
            updated_at: null,
        })
            .onConflict(['project_id', 'user_id', 'resource'])
            .merge({ hard_limit: hardLimit, updated_at: now });
    }
    async deleteUserLimits(projectId, userId, trx = this.db) {
        await trx('project_user_quotas').where({ project_id: projectId, user_id: userId }).delete();
    }
    async setClassLimit(className, resource, hardLimit, trx = this.db) {
        await trx('quota_classes')
            .insert({ class_name: className, resource, hard_limit: hardLimit })
            .onConflict(['class_name', 'resource'])
            .merge({ hard_limit: hardLimit });
    }
    /** PostgreSQL: holds the project's lock row until the caller's transaction ends. */
    async lockProject(projectId, trx) {
        await trx('quota_locks').insert({ project_id: projectId }).onConflict('project_id').ignore();
        await trx('quota_locks').where({ project_id: projectId }).forUpdate().first();
    }
}
//# sourceMappingURL=quotas-repo.js.map