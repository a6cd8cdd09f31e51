// Read side of os-instance-actions: a server's actions newest first, with Nova's filters and
// keyset paging (db api actions_get: ORDER BY created_at DESC, id DESC; changes-since/-before on updated_at).
import type { Db } from '../knex.js';
import { sql } from '../sql.js';
import type { InstanceActionRow } from './instance-actions-repo.js';

export interface ActionListQuery {
  instanceUuid: string;
  limit?: number;
  /** the action row after which the page starts */
  marker?: InstanceActionRow;
  changesSince?: string;
  changesBefore?: string;
}

export class InstanceActionsQueries {
  constructor(private readonly db: Db) {}

  async list(q: ActionListQuery): Promise<InstanceActionRow[]> {
    const query = sql(this.db)<InstanceActionRow>('instance_actions').where({ instance_uuid: q.instanceUuid });
    if (q.changesSince) query.where('updated_at', '>=', q.changesSince);
    if (q.changesBefore) query.where('updated_at', '<=', q.changesBefore);
    if (q.marker) {
      const m = q.marker;
      query.where((w) =>
        w
          .where('start_time', '<', m.start_time)
          .orWhere((x) => x.where('start_time', m.start_time).where('id', '<', m.id)),
      );
    }
    query.orderBy([
      { column: 'start_time', order: 'desc' },
      { column: 'id', order: 'desc' },
    ]);
    if (q.limit !== undefined) query.limit(q.limit);
    return query;
  }

  async findByRequest(instanceUuid: string, requestId: string): Promise<InstanceActionRow | undefined> {
    return sql(this.db)<InstanceActionRow>('instance_actions')
      .where({ instance_uuid: instanceUuid, request_id: requestId })
      .orderBy('id', 'desc')
      .first();
  }
}
