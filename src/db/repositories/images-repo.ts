// Glance image records, their tags and members, and which Docker image each became on each host.
// Rows are stored as Glance sees them; custom properties are one JSON text column of string → string.
import type { Db } from '../knex.js';
import { sql } from '../sql.js';

/** Glance's comparative list filters, as the list query takes them (parsed in images/list-filter-ops.ts). */
export type TimeOp = '=' | '<>' | '>' | '>=' | '<' | '<=';
export interface TimeFilter {
  key: 'created_at' | 'updated_at';
  op: TimeOp;
  /** UTC, "YYYY-MM-DDTHH:MM:SS[.ffffff]" */ value: string;
}
export interface RangeFilter {
  key: 'size' | 'virtual_size';
  op: '>=' | '<=';
  value: number;
}

export type ImageStatus =
  'queued' | 'saving' | 'active' | 'killed' | 'deleted' | 'pending_delete' | 'deactivated' | 'uploading' | 'importing';
export type ImageVisibility = 'public' | 'private' | 'shared' | 'community';

export interface ImageRow {
  id: string;
  name: string | null;
  status: ImageStatus;
  visibility: ImageVisibility;
  owner: string | null;
  container_format: string | null;
  disk_format: string | null;
  size: number | null;
  virtual_size: number | null;
  checksum: string | null;
  os_hash_algo: string | null;
  os_hash_value: string | null;
  min_disk: number;
  min_ram: number;
  protected: boolean | number;
  os_hidden: boolean | number;
  /** JSON text: custom properties, string → string */
  properties: string;
  created_at: string;
  updated_at: string;
}

export interface ImageMemberRow {
  image_id: string;
  member: string;
  status: 'pending' | 'accepted' | 'rejected';
  created_at: string;
  updated_at: string;
}

export interface ImageHostLoadRow {
  image_id: string;
  host_id: number;
  docker_image_id: string;
  loaded_at: string;
}

/** Custom (non-base) properties of an image, e.g. os_command_line, novadock_tty, image_type. */
export function imageProperties(row: Pick<ImageRow, 'properties'>): Record<string, string> {
  try {
    const parsed = JSON.parse(row.properties || '{}') as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

/** SQLite returns 0/1 for booleans, PostgreSQL true/false; big integers may come back as strings. */
export function normalizeImage(row: ImageRow): ImageRow {
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    ...row,
    protected: Boolean(row.protected),
    os_hidden: Boolean(row.os_hidden),
    size: num(row.size),
    virtual_size: num(row.virtual_size),
    min_disk: Number(row.min_disk),
    min_ram: Number(row.min_ram),
  };
}

export interface ImageListQuery {
  /** Only images whose id is in this set of visibility clauses (built by the service). */
  visibleTo: { admin: boolean; projectId: string | null };
  /** exact match; a list matches any of its values (Glance's `in:`) */
  filters: Partial<
    Record<
      | 'name'
      | 'status'
      | 'visibility'
      | 'owner'
      | 'container_format'
      | 'disk_format'
      | 'id'
      | 'checksum'
      | 'os_hash_value',
      string | string[]
    >
  >;
  /** created_at / updated_at against a UTC "YYYY-MM-DDTHH:MM:SS[.ffffff]" (whole-second columns, as Glance's) */
  times: TimeFilter[];
  /** size / virtual_size bounds (inclusive) */
  ranges: RangeFilter[];
  protected: boolean | null;
  tags: string[];
  /** exact matches on custom properties */
  properties: Record<string, string>;
  /** member_status filter for shared images (Glance default: accepted) */
  memberStatus: string;
  osHidden: boolean | null;
  /** list community images too (visibility=all) */
  includeCommunity?: boolean;
  sort: { key: string; dir: 'asc' | 'desc' }[];
  /** rows strictly after this one in the sort order */
  marker: ImageRow | null;
  limit: number;
}

export class ImagesRepo {
  constructor(private readonly db: Db) {}

  async find(id: string, trx: Db = this.db): Promise<ImageRow | undefined> {
    const row = await sql(trx)<ImageRow>('images').where({ id }).first();
    return row ? normalizeImage(row) : undefined;
  }

  async insert(row: ImageRow, trx: Db = this.db): Promise<void> {
    await sql(trx)('images').insert(row);
  }

  /** Update; when `expectedStatus` is given, only if the image is still in one of those states. Returns rows changed. */
  async update(
    id: string,
    changes: Partial<ImageRow>,
    expectedStatus?: ImageStatus[],
    trx: Db = this.db,
  ): Promise<number> {
    const q = sql(trx)('images').where({ id });
    if (expectedStatus) q.whereIn('status', expectedStatus);
    return q.update(changes);
  }

  async delete(id: string, trx: Db = this.db): Promise<void> {
    await sql(trx)('images').where({ id }).delete();
  }

  async list(q: ImageListQuery, trx: Db = this.db): Promise<ImageRow[]> {
    const query = sql(trx)<ImageRow>('images').select('images.*');
    const { admin, projectId } = q.visibleTo;
    const memberStatus = q.memberStatus;
    if (!admin) {
      // Glance's default list: public + own + shared-with-me (accepted) + (community only when asked).
      query.where((w) => {
        w.where('visibility', 'public');
        if (projectId) {
          w.orWhere('owner', projectId);
          w.orWhere((s) =>
            s.where('visibility', 'shared').whereExists((e) =>
              e
                .select(sql(trx).raw('1'))
                .from('image_members')
                .whereRaw('image_members.image_id = images.id')
                .where('image_members.member', projectId)
                .modify((m) => {
                  if (memberStatus !== 'all') m.where('image_members.status', memberStatus);
                }),
            ),
          );
        }
        if (q.filters.visibility === 'community' || q.includeCommunity) w.orWhere('visibility', 'community');
      });
    }
    for (const [k, v] of Object.entries(q.filters)) {
      if (Array.isArray(v)) query.whereIn(`images.${k}`, v);
      else if (v !== undefined) query.where(`images.${k}`, v);
    }
    for (const f of q.times) {
      // Stored times carry milliseconds; Glance's columns hold whole seconds, so a time shown in a
      // response (seconds) compares equal to the image it came from. A threshold with a fraction
      // sorts after its whole second, as datetimes do.
      query.whereRaw(`substr(${quoteIdent(f.key)}, 1, 19) ${f.op} ?`, [f.value]);
    }
    for (const f of q.ranges) query.where(`images.${f.key}`, f.op, f.value);
    if (q.osHidden !== null) query.where('os_hidden', q.osHidden);
    if (q.protected !== null) query.where('images.protected', q.protected);
    for (const [k, v] of Object.entries(q.properties)) {
      // properties is JSON text written by JSON.stringify: match the exact `"key":"value"` pair.
      const needle = JSON.stringify({ [k]: v })
        .slice(1, -1)
        .replace(/[\\%_]/g, (c) => `\\${c}`);
      query.whereRaw("images.properties LIKE ? ESCAPE '\\'", [`%${needle}%`]);
    }
    for (const tag of q.tags) {
      query.whereExists((e) =>
        e
          .select(sql(trx).raw('1'))
          .from('image_tags')
          .whereRaw('image_tags.image_id = images.id')
          .where('image_tags.tag', tag),
      );
    }
    const sort = [...q.sort];
    if (!sort.some((s) => s.key === 'id')) sort.push({ key: 'id', dir: sort[sort.length - 1]?.dir ?? 'desc' });
    if (q.marker) {
      const marker = q.marker as unknown as Record<string, unknown>;
      // Keyset pagination over the sort keys: (k1 > m1) OR (k1 = m1 AND k2 > m2) …
      query.where((outer) => {
        sort.forEach((s, i) => {
          outer.orWhere((inner) => {
            for (const prev of sort.slice(0, i)) {
              const mv = marker[prev.key];
              if (mv === null || mv === undefined) inner.whereNull(`images.${prev.key}`);
              else inner.where(`images.${prev.key}`, mv as never);
            }
            const mv = marker[s.key];
            const op = s.dir === 'asc' ? '>' : '<';
            if (mv === null || mv === undefined) {
              // NULLs sort first ascending (as we order them): everything non-null is after on asc.
              if (s.dir === 'asc') inner.whereNotNull(`images.${s.key}`);
              else inner.whereRaw('1 = 0');
            } else if (s.dir === 'asc') {
              inner.where(`images.${s.key}`, op, mv as never);
            } else {
              inner.where((x) => x.where(`images.${s.key}`, op, mv as never).orWhereNull(`images.${s.key}`));
            }
          });
        });
      });
    }
    for (const s of sort) {
      // Portable NULL ordering: NULLs first ascending, last descending (SQLite's default; explicit for PostgreSQL).
      query.orderByRaw(`${quoteIdent(s.key)} ${s.dir === 'asc' ? 'ASC NULLS FIRST' : 'DESC NULLS LAST'}`);
    }
    query.limit(q.limit);
    return (await query).map(normalizeImage);
  }

  // ---- tags ------------------------------------------------------------------------------------
  /**
   * Live images (not killed or deleted) whose properties mention the text (a server uuid), newest
   * first: the candidates for a server's backups, which the caller picks by their properties.
   */
  mentioning(text: string, trx: Db = this.db): Promise<Pick<ImageRow, 'id' | 'properties'>[]> {
    return sql(trx)<ImageRow>('images')
      .select('id', 'properties')
      .where('properties', 'like', `%${text}%`)
      .whereNotIn('status', ['killed', 'deleted'])
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ]);
  }

  async tags(imageId: string, trx: Db = this.db): Promise<string[]> {
    const rows = await sql(trx)('image_tags').where({ image_id: imageId }).orderBy('tag');
    return rows.map((r: { tag: string }) => r.tag);
  }
  async tagsFor(imageIds: string[], trx: Db = this.db): Promise<Map<string, string[]>> {
    const map = new Map<string, string[]>(imageIds.map((id) => [id, []]));
    if (imageIds.length === 0) return map;
    const rows = await sql(trx)('image_tags').whereIn('image_id', imageIds).orderBy('tag');
    for (const r of rows as { image_id: string; tag: string }[]) map.get(r.image_id)!.push(r.tag);
    return map;
  }
  async addTag(imageId: string, tag: string, trx: Db = this.db): Promise<void> {
    await sql(trx)('image_tags').insert({ image_id: imageId, tag }).onConflict(['image_id', 'tag']).ignore();
  }
  async removeTag(imageId: string, tag: string, trx: Db = this.db): Promise<number> {
    return sql(trx)('image_tags').where({ image_id: imageId, tag }).delete();
  }
  async setTags(imageId: string, tags: string[], trx: Db = this.db): Promise<void> {
    await sql(trx)('image_tags').where({ image_id: imageId }).delete();
    for (const tag of new Set(tags)) await sql(trx)('image_tags').insert({ image_id: imageId, tag });
  }

  // ---- members ---------------------------------------------------------------------------------
  async members(imageId: string, trx: Db = this.db): Promise<ImageMemberRow[]> {
    return sql(trx)<ImageMemberRow>('image_members').where({ image_id: imageId }).orderBy('created_at');
  }
  async findMember(imageId: string, member: string, trx: Db = this.db): Promise<ImageMemberRow | undefined> {
    return sql(trx)<ImageMemberRow>('image_members').where({ image_id: imageId, member }).first();
  }
  async insertMember(row: ImageMemberRow, trx: Db = this.db): Promise<void> {
    await sql(trx)('image_members').insert(row);
  }
  async updateMember(
    imageId: string,
    member: string,
    changes: Partial<ImageMemberRow>,
    trx: Db = this.db,
  ): Promise<void> {
    await sql(trx)('image_members').where({ image_id: imageId, member }).update(changes);
  }
  async deleteMember(imageId: string, member: string, trx: Db = this.db): Promise<number> {
    return sql(trx)('image_members').where({ image_id: imageId, member }).delete();
  }

  // ---- per-host loads --------------------------------------------------------------------------
  async findHostLoad(imageId: string, hostId: number, trx: Db = this.db): Promise<ImageHostLoadRow | undefined> {
    return sql(trx)<ImageHostLoadRow>('image_host_loads').where({ image_id: imageId, host_id: hostId }).first();
  }
  async recordHostLoad(row: ImageHostLoadRow, trx: Db = this.db): Promise<void> {
    await sql(trx)('image_host_loads')
      .insert(row)
      .onConflict(['image_id', 'host_id'])
      .merge(['docker_image_id', 'loaded_at']);
  }
  async forgetHostLoad(imageId: string, hostId: number, trx: Db = this.db): Promise<void> {
    await sql(trx)('image_host_loads').where({ image_id: imageId, host_id: hostId }).delete();
  }
  async hostLoads(imageId: string, trx: Db = this.db): Promise<ImageHostLoadRow[]> {
    return sql(trx)<ImageHostLoadRow>('image_host_loads').where({ image_id: imageId });
  }
}

/** Sort keys come from an allow-list in the service; quote them anyway. */
function quoteIdent(key: string): string {
  if (!/^[a-z_]+$/.test(key)) throw new Error(`bad sort key ${key}`);
  return `"images"."${key}"`;
}
