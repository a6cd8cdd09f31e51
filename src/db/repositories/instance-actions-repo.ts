// Instance actions and their events (os-instance-actions): who asked for what, when, and how it ended.
import type { Db } from '../knex.js';
import { sql } from '../sql.js';

export interface InstanceActionRow {
  id: number;
  instance_uuid: string;
  action: string;
  request_id: string;
  user_id: string | null;
  project_id: string | null;
  start_time: string;
  finish_time: string | null;
  message: string | null;
  updated_at: string | null;
}
export interface InstanceActionEventRow {
  id: number;
  action_id: number;
  event: string;
  start_time: string;
  finish_time: string | null;
  result: string | null;
  traceback: string | null;
  host: string | null;
  details: string | null;
}

export class InstanceActionsRepo {
  constructor(private readonly db: Db) {}

  async insert(row: Omit<InstanceActionRow, 'id'>, trx: Db = this.db): Promise<number> {
    const [r] = await sql(trx)('instance_actions').insert(row).returning('id');
    return typeof r === 'object' ? (r as { id: number }).id : (r as number);
  }
  async findByRequest(uuid: string, requestId: string, trx: Db = this.db): Promise<InstanceActionRow | undefined> {
    return sql(trx)<InstanceActionRow>('instance_actions')
      .where({ instance_uuid: uuid, request_id: requestId })
      .orderBy('id', 'desc')
      .first(); // the newest, as Nova's action_get_by_request_id
  }
  async update(id: number, changes: Partial<InstanceActionRow>, trx: Db = this.db): Promise<void> {
    await sql(trx)('instance_actions').where({ id }).update(changes);
  }
  async listFor(uuid: string, trx: Db = this.db): Promise<InstanceActionRow[]> {
    return sql(trx)<InstanceActionRow>('instance_actions').where({ instance_uuid: uuid }).orderBy('id', 'desc');
  }
  async insertEvent(row: Omit<InstanceActionEventRow, 'id'>, trx: Db = this.db): Promise<number> {
    const [r] = await sql(trx)('instance_action_events').insert(row).returning('id');
    return typeof r === 'object' ? (r as { id: number }).id : (r as number);
  }
  async updateEvent(id: number, changes: Partial<InstanceActionEventRow>, trx: Db = this.db): Promise<void> {
    await sql(trx)('instance_action_events').where({ id }).update(changes);
  }
  async events(actionId: number, trx: Db = this.db): Promise<InstanceActionEventRow[]> {
    return sql(trx)<InstanceActionEventRow>('instance_action_events').where({ action_id: actionId }).orderBy('id');
  }
}
