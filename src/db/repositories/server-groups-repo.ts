// Server groups and their members (instance uuids). A member whose server is deleted no longer
// counts: members are read joined with the live servers.
import type { Db } from '../knex.js';
import { sql } from '../sql.js';

export interface ServerGroupRow {
  id: number;
  uuid: string;
  name: string;
  project_id: string;
  user_id: string;
  policy: string;
  rules: string;
  created_at: string;
}

export class ServerGroupsRepo {
  constructor(private readonly db: Db) {}

  findByUuid(uuid: string, trx: Db = this.db): Promise<ServerGroupRow | undefined> {
    return sql(trx)<ServerGroupRow>('server_groups').where({ uuid }).first();
  }

  list(opts: { projectId?: string; limit?: number; offset?: number }, trx: Db = this.db): Promise<ServerGroupRow[]> {
    const q = sql(trx)<ServerGroupRow>('server_groups').orderBy('id');
    if (opts.projectId !== undefined) q.where('project_id', opts.projectId);
    if (opts.offset) q.offset(opts.offset);
    if (opts.limit !== undefined) q.limit(opts.limit);
    return q;
  }

  async insert(row: Omit<ServerGroupRow, 'id'>, trx: Db = this.db): Promise<void> {
    await sql(trx)('server_groups').insert(row);
  }

  async delete(id: number, trx: Db = this.db): Promise<void> {
    await sql(trx)('server_groups').where({ id }).delete();
  }

  /** Live members of each group, in the order they joined. */
  async members(groupIds: number[], trx: Db = this.db): Promise<Map<number, string[]>> {
    const out = new Map<number, string[]>(groupIds.map((id) => [id, []]));
    if (!groupIds.length) return out;
    const rows = await sql(trx)('server_group_members as m')
      .join('instances as i', 'i.uuid', 'm.instance_uuid')
      .whereIn('m.group_id', groupIds)
      .where('i.deleted', false)
      .orderBy('i.id')
      .select('m.group_id', 'm.instance_uuid');
    for (const r of rows as { group_id: number; instance_uuid: string }[])
      out.get(Number(r.group_id))!.push(r.instance_uuid);
    return out;
  }

  async addMembers(groupId: number, instanceUuids: string[], trx: Db = this.db): Promise<void> {
    if (instanceUuids.length)
      await sql(trx)('server_group_members').insert(
        instanceUuids.map((u) => ({ group_id: groupId, instance_uuid: u })),
      );
  }

  /** The group an instance belongs to, if any. */
  async groupOf(instanceUuid: string, trx: Db = this.db): Promise<ServerGroupRow | undefined> {
    return sql(trx)<ServerGroupRow>('server_groups as g')
      .join('server_group_members as m', 'm.group_id', 'g.id')
      .where('m.instance_uuid', instanceUuid)
      .first('g.*');
  }

  /** How many live members of the group sit on each host. */
  async membersPerHost(
    groupId: number,
    excludeInstance: string | null,
    trx: Db = this.db,
  ): Promise<Map<number, number>> {
    const q = sql(trx)('server_group_members as m')
      .join('instances as i', 'i.uuid', 'm.instance_uuid')
      .where('m.group_id', groupId)
      .where('i.deleted', false)
      .whereNotNull('i.host_id')
      .groupBy('i.host_id')
      .select('i.host_id', sql(trx).raw('count(*) as n'));
    if (excludeInstance) q.whereNot('m.instance_uuid', excludeInstance);
    const rows = (await q) as { host_id: number; n: number | string }[];
    return new Map(rows.map((r) => [Number(r.host_id), Number(r.n)]));
  }
}
