// Host aggregates (nova api_models Aggregate, AggregateHost, AggregateMetadata), their hosts and
// their metadata; the availability_zone key of the metadata gives the hosts their zone.
import type { Db } from '../knex.js';
import { sql } from '../sql.js';

export interface AggregateRow {
  id: number;
  uuid: string;
  name: string;
  /** set on the read-only rows that mirror a zone of NOVADOCK_COMPUTE_HOSTS */
  configured_zone: string | null;
  created_at: string;
  updated_at: string | null;
}
export interface AggregateHostRow {
  aggregate_id: number;
  host: string;
}
export interface AggregateMetadataRow {
  aggregate_id: number;
  key: string;
  value: string;
}

export const AZ_KEY = 'availability_zone';

export class AggregatesRepo {
  constructor(private readonly db: Db) {}

  list(trx: Db = this.db): Promise<AggregateRow[]> {
    return sql(trx)<AggregateRow>('aggregates').orderBy('id');
  }

  findById(id: number, trx: Db = this.db): Promise<AggregateRow | undefined> {
    return sql(trx)<AggregateRow>('aggregates').where({ id }).first();
  }

  /** Whether another aggregate (not `exceptId`) has this name. */
  async nameTaken(name: string, exceptId?: number, trx: Db = this.db): Promise<boolean> {
    const q = sql(trx)<AggregateRow>('aggregates').where({ name });
    if (exceptId !== undefined) q.whereNot({ id: exceptId });
    return (await q.first()) !== undefined;
  }

  /**
   * A new aggregate and its zone (the availability_zone key), in one transaction; undefined when
   * the name is taken. A concurrent insert of the name fails on the unique index instead.
   */
  async insert(
    row: Omit<AggregateRow, 'id' | 'configured_zone' | 'updated_at'>,
    zone: string | null,
    trx: Db = this.db,
  ): Promise<number | undefined> {
    return sql(trx).transaction(async (t) => {
      if (await this.nameTaken(row.name, undefined, t)) return undefined;
      const [r] = await t('aggregates')
        .insert({ ...row, configured_zone: null, updated_at: null })
        .returning('id');
      const id = typeof r === 'object' ? (r as { id: number }).id : (r as number);
      if (zone) await t('aggregate_metadata').insert({ aggregate_id: id, key: AZ_KEY, value: zone });
      return id;
    });
  }

  async rename(id: number, name: string, updatedAt: string, trx: Db = this.db): Promise<void> {
    await sql(trx)('aggregates').where({ id }).update({ name, updated_at: updatedAt });
  }

  async touch(id: number, updatedAt: string, trx: Db = this.db): Promise<void> {
    await sql(trx)('aggregates').where({ id }).update({ updated_at: updatedAt });
  }

  async delete(id: number, trx: Db = this.db): Promise<void> {
    await sql(trx)('aggregates').where({ id }).delete();
  }

  /** Sets (or, for null values, deletes) metadata keys and touches the aggregate, in one transaction. */
  async setMetadata(
    id: number,
    metadata: Record<string, string | null>,
    updatedAt: string,
    trx: Db = this.db,
  ): Promise<void> {
    await sql(trx).transaction(async (t) => {
      for (const [key, value] of Object.entries(metadata)) {
        await t('aggregate_metadata').where({ aggregate_id: id, key }).delete();
        if (value !== null) await t('aggregate_metadata').insert({ aggregate_id: id, key, value });
      }
      await t('aggregates').where({ id }).update({ updated_at: updatedAt });
    });
  }

  async addHost(id: number, host: string, trx: Db = this.db): Promise<void> {
    await sql(trx)('aggregate_hosts').insert({ aggregate_id: id, host });
  }

  async removeHost(id: number, host: string, trx: Db = this.db): Promise<void> {
    await sql(trx)('aggregate_hosts').where({ aggregate_id: id, host }).delete();
  }

  /** The host leaves every aggregate. */
  async forgetHost(host: string, trx: Db = this.db): Promise<void> {
    await sql(trx)('aggregate_hosts').where({ host }).delete();
  }

  /** The hosts of these aggregates, by host name. */
  hostsOf(ids: number[], trx: Db = this.db): Promise<AggregateHostRow[]> {
    return sql(trx)<AggregateHostRow>('aggregate_hosts').whereIn('aggregate_id', ids).orderBy('host');
  }

  /** The metadata of these aggregates, by key. */
  metadataOf(ids: number[], trx: Db = this.db): Promise<AggregateMetadataRow[]> {
    return sql(trx)<AggregateMetadataRow>('aggregate_metadata').whereIn('aggregate_id', ids).orderBy('key');
  }

  /** The zones that aggregates other than `exceptId` give these hosts, by aggregate id (one per aggregate). */
  async zonesElsewhere(hosts: string[], exceptId: number, trx: Db = this.db): Promise<string[]> {
    const rows = (await sql(trx)('aggregate_hosts as h')
      .join('aggregate_metadata as m', 'm.aggregate_id', 'h.aggregate_id')
      .where('m.key', AZ_KEY)
      .whereIn('h.host', hosts)
      .whereNot('h.aggregate_id', exceptId)
      .distinct('h.aggregate_id', 'm.value')
      .orderBy('h.aggregate_id')) as { value: string }[];
    return rows.map((r) => r.value);
  }

  /** The zone the oldest of the host's aggregates (but `exceptId`) gives it. */
  async zoneOf(host: string, exceptId: number | null, trx: Db = this.db): Promise<string | undefined> {
    const q = sql(trx)('aggregate_hosts as h')
      .join('aggregate_metadata as m', 'm.aggregate_id', 'h.aggregate_id')
      .where({ 'h.host': host, 'm.key': AZ_KEY })
      .orderBy('h.aggregate_id')
      .select('m.value');
    if (exceptId !== null) q.whereNot('h.aggregate_id', exceptId);
    return ((await q.first()) as { value: string } | undefined)?.value;
  }

  /**
   * Host name → the zone its aggregates give it (of these hosts, or of all). Should a host sit in
   * two aggregates of different zones, the oldest aggregate wins.
   */
  async zonesByHost(hosts?: readonly string[], trx: Db = this.db): Promise<Map<string, string>> {
    const q = sql(trx)('aggregate_hosts as h')
      .join('aggregate_metadata as m', 'm.aggregate_id', 'h.aggregate_id')
      .where('m.key', AZ_KEY)
      .select('h.host as host', 'm.value as zone')
      .orderBy('h.aggregate_id', 'desc');
    if (hosts) q.whereIn('h.host', [...hosts]);
    const rows = (await q) as { host: string; zone: string }[];
    return new Map(rows.map((r) => [r.host, r.zone]));
  }

  /** The zones that have a read-only row (configured_zone set). */
  async configuredZones(trx: Db = this.db): Promise<string[]> {
    return (await sql(trx)<AggregateRow>('aggregates').whereNotNull('configured_zone')).map((r) => r.configured_zone!);
  }

  /** A configured zone's row; a row already there (inserted concurrently, or an admin's of that name) stays. */
  async insertConfigured(
    row: Pick<AggregateRow, 'uuid' | 'name' | 'configured_zone' | 'created_at'>,
    trx: Db = this.db,
  ): Promise<void> {
    await sql(trx)('aggregates')
      .insert({ ...row, updated_at: null })
      .onConflict()
      .ignore();
  }

  async deleteConfigured(zones: string[], trx: Db = this.db): Promise<void> {
    await sql(trx)('aggregates').whereIn('configured_zone', zones).delete();
  }
}
