// The reads behind the server views, in as few statements as the views allow:
// - one server with its metadata, tags and compute host in ONE statement (GET /servers/{id} had five);
// - the metadata and tags of a whole page of servers in ONE statement, the page's uuids bound as one
//   parameter (no IN-lists chunked by 500);
// - the compute hosts a page names, by id.
// Metadata come ordered by key and tags by tag, as InstanceMetadataRepo.get / InstanceTagsRepo.get
// order them, on both engines.
import { isSqlite, type Db } from '../knex.js';
import { sql } from '../sql.js';
import { readConnection } from '../sqlite-client.js';
import type { ComputeHostRow } from './hosts-repo.js';
import { normalizeInstance, type InstanceRow } from './instances-repo.js';

export const HOST_COLUMNS: readonly (keyof ComputeHostRow)[] = [
  'id',
  'uuid',
  'name',
  'docker_url',
  'availability_zone',
  'disabled',
  'disabled_reason',
  'forced_down',
  'last_seen_at',
  'info',
  'created_at',
  'updated_at',
];

export interface InstanceForView {
  row: InstanceRow;
  metadata: Record<string, string>;
  tags: string[];
  /** the compute host row as stored (its configured zone), or undefined when unscheduled */
  host: ComputeHostRow | undefined;
}

/**
 * `column IN (the values)` with the values bound as ONE parameter, a JSON array (knex would expand
 * an array binding into one placeholder per value: SQLite and PostgreSQL cap those).
 */
export function inList(db: Db, column: string, values: readonly string[]): { sql: string; binding: string } {
  return isSqlite(db)
    ? { sql: `${column} in (select value from json_each(?))`, binding: JSON.stringify(values) }
    : { sql: `${column} in (select json_array_elements_text(?::json))`, binding: JSON.stringify(values) };
}

/** A JSON value as the driver hands it back: text on SQLite, already parsed on PostgreSQL. */
function json<T>(v: unknown, empty: T): T {
  if (v === null || v === undefined) return empty;
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

export class InstanceViewQueries {
  constructor(private readonly db: Db) {}

  /** One server (deleted rows included, as findByUuid) with everything its view shows. */
  async findForView(uuid: string, trx: Db = this.db): Promise<InstanceForView | undefined> {
    const sqlite = isSqlite(trx);
    const metadata = sqlite
      ? `(select json_group_object(m.key, m.value) from (select key, value from instance_metadata where instance_uuid = i.uuid order by key) m)`
      : `(select coalesce(json_object_agg(m.key, m.value order by m.key), '{}'::json) from instance_metadata m where m.instance_uuid = i.uuid)`;
    const tags = sqlite
      ? `(select json_group_array(t.tag) from (select tag from instance_tags where instance_uuid = i.uuid order by tag) t)`
      : `(select coalesce(json_agg(t.tag order by t.tag), '[]'::json) from instance_tags t where t.instance_uuid = i.uuid)`;
    // every column of compute_hosts, named as findForView takes them apart below
    const hostColumns = HOST_COLUMNS.map((c) => `h.${c} as "h__${c}"`).join(', ');
    const query = `select i.*, ${metadata} as "x__metadata", ${tags} as "x__tags", ${hostColumns}
         from instances i left join compute_hosts h on h.id = i.host_id
        where i.uuid = ? limit 1`;
    const direct = readConnection(sql(trx));
    const rows = direct
      ? direct.all<Record<string, unknown>>(query, [uuid])
      : ((await sql(trx).raw(query, [uuid])) as unknown);
    const first = (
      sqlite ? (rows as Record<string, unknown>[]) : (rows as { rows: Record<string, unknown>[] }).rows
    )[0];
    if (!first) return undefined;
    const {
      x__metadata: meta,
      x__tags: tagList,
      h__id: id,
      h__uuid: hostUuid,
      h__name: name,
      h__docker_url: dockerUrl,
      h__availability_zone: zone,
      h__disabled: disabled,
      h__disabled_reason: disabledReason,
      h__forced_down: forcedDown,
      h__last_seen_at: lastSeen,
      h__info: info,
      h__created_at: created,
      h__updated_at: updated,
      ...row
    } = first;
    const host =
      id === null || id === undefined
        ? undefined
        : ({
            id,
            uuid: hostUuid,
            name,
            docker_url: dockerUrl,
            availability_zone: zone,
            disabled,
            disabled_reason: disabledReason,
            forced_down: forcedDown,
            last_seen_at: lastSeen,
            info,
            created_at: created,
            updated_at: updated,
          } as ComputeHostRow);
    return {
      row: normalizeInstance(row as unknown as InstanceRow),
      metadata: json<Record<string, string>>(meta, {}),
      tags: json<string[]>(tagList, []),
      host,
    };
  }

  /** The metadata and tags of many servers, in one statement whatever their number. */
  async metadataAndTags(
    uuids: readonly string[],
    trx: Db = this.db,
  ): Promise<{ metadata: Map<string, Record<string, string>>; tags: Map<string, string[]> }> {
    const metadata = new Map<string, Record<string, string>>(uuids.map((u) => [u, {}]));
    const tags = new Map<string, string[]>(uuids.map((u) => [u, []]));
    if (!uuids.length) return { metadata, tags };
    const m = inList(trx, 'instance_uuid', uuids);
    const t = inList(trx, 'instance_uuid', uuids);
    const result = (await sql(trx).raw(
      `select instance_uuid, 0 as kind, key as k, value as v from instance_metadata where ${m.sql}
       union all
       select instance_uuid, 1 as kind, tag as k, null as v from instance_tags where ${t.sql}
       order by kind, k`,
      [m.binding, t.binding],
    )) as unknown;
    const rows = (isSqlite(trx) ? result : (result as { rows: unknown[] }).rows) as {
      instance_uuid: string;
      kind: number;
      k: string;
      v: string | null;
    }[];
    for (const r of rows) {
      if (Number(r.kind) === 0) metadata.get(r.instance_uuid)![r.k] = r.v!;
      else tags.get(r.instance_uuid)!.push(r.k);
    }
    return { metadata, tags };
  }

  /** The compute host rows with these ids, as stored. */
  async hostsByIds(ids: readonly number[], trx: Db = this.db): Promise<ComputeHostRow[]> {
    if (!ids.length) return [];
    return sql(trx)<ComputeHostRow>('compute_hosts').whereIn('id', [...ids]);
  }
}
