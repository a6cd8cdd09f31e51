// Keystone application credentials and the roles each delegates.
import type { Db } from '../knex.js';
import { sql } from '../sql.js';
import type { RoleRow } from './identity-repo.js';

export interface ApplicationCredentialRow {
  id: string;
  name: string;
  description: string | null;
  user_id: string;
  project_id: string;
  secret_hash: string;
  expires_at: string | null;
  unrestricted: boolean | number;
  created_at: string;
}

export class ApplicationCredentialsRepo {
  constructor(private readonly db: Db) {}

  /** Inserts the credential and its roles together; a duplicate (user, name) throws the DB's unique error. */
  async insert(row: ApplicationCredentialRow, roleIds: string[]): Promise<void> {
    await sql(this.db).transaction(async (trx) => {
      await trx('application_credentials').insert(row);
      if (roleIds.length > 0) {
        await trx('application_credential_roles').insert(
          roleIds.map((role_id) => ({ application_credential_id: row.id, role_id })),
        );
      }
    });
  }

  findById(id: string): Promise<ApplicationCredentialRow | undefined> {
    return sql(this.db)<ApplicationCredentialRow>('application_credentials').where({ id }).first();
  }

  findByName(userId: string, name: string): Promise<ApplicationCredentialRow | undefined> {
    return sql(this.db)<ApplicationCredentialRow>('application_credentials').where({ user_id: userId, name }).first();
  }

  listForUser(userId: string, filter: { name?: string } = {}): Promise<ApplicationCredentialRow[]> {
    const q = sql(this.db)<ApplicationCredentialRow>('application_credentials').where({ user_id: userId });
    if (filter.name !== undefined) q.where({ name: filter.name });
    return q.orderBy(['created_at', 'id']);
  }

  /** Roles of each credential, by credential id (one query for a whole list). */
  async rolesOf(ids: string[]): Promise<Map<string, RoleRow[]>> {
    const out = new Map<string, RoleRow[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return out;
    const rows = await sql(this.db)('application_credential_roles as c')
      .join('roles as r', 'r.id', 'c.role_id')
      .whereIn('c.application_credential_id', ids)
      .select('c.application_credential_id as credId', 'r.id', 'r.name')
      .orderBy('r.name');
    for (const row of rows as { credId: string; id: string; name: string }[])
      out.get(row.credId)?.push({ id: row.id, name: row.name });
    return out;
  }

  /** Deletes the credential (its roles cascade) and revokes every token issued from it. */
  async delete(id: string): Promise<boolean> {
    return sql(this.db).transaction(async (trx) => {
      await trx('tokens').where({ application_credential_id: id, revoked: false }).update({ revoked: true });
      return (await trx('application_credentials').where({ id }).delete()) > 0;
    });
  }
}
