export class ApplicationCredentialsRepo {
    db;
    constructor(db) {
        this.db = db;
    }
    /** Inserts the credential and its roles together; a duplicate (user, name) throws the DB's unique error. */
    async insert(row, roleIds) {
        await this.db.transaction(async (trx) => {
            await trx('application_credentials').insert(row);
            if (roleIds.length > 0) {
                await trx('application_credential_roles').insert(roleIds.map((role_id) => ({ application_credential_id: row.id, role_id })));
            }
        });
    }
    findById(id) {
        return this.db('application_credentials').where({ id }).first();
    }
    findByName(userId, name) {
        return this.db('application_credentials').where({ user_id: userId, name }).first();
    }
    listForUser(userId, filter = {}) {
        const q = this.db('application_credentials').where({ user_id: userId });
        if (filter.name !== undefined)
            q.where({ name: filter.name });
        return q.orderBy(['created_at', 'id']);
    }
    /** Roles of each credential, by credential id (one query for a whole list). */
    async rolesOf(ids) {
        const out = new Map(ids.map((id) => [id, []]));
        if (ids.length === 0)
            return out;
        const rows = await this.db('application_credential_roles as c')
            .join('roles as r', 'r.id', 'c.role_id')
            .whereIn('c.application_credential_id', ids)
            .select('c.application_credential_id as credId', 'r.id', 'r.name')
            .orderBy('r.name');
        for (const row of rows)
            out.get(row.credId)?.push({ id: row.id, name: row.name });
        return out;
    }
    /** Deletes the credential (its roles cascade) and revokes every token issued from it. */
    async delete(id) {
        return this.db.transaction(async (trx) => {
            await trx('tokens').where({ application_credential_id: id, revoked: false }).update({ revoked: true });
            return (await trx('application_credentials').where({ id }).delete()) > 0;
        });
    }
}
//# sourceMappingURL=application-credentials-repo.js.map