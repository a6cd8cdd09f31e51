import { HostsRepo } from '../db/repositories/hosts-repo.js';
export const AZ_KEY = 'availability_zone';
export class HostZones {
    db;
    constructor(db) {
        this.db = db;
    }
    /**
     * Host name → the zone its aggregates give it. Nova never lets a host sit in two aggregates of
     * different zones; should it happen anyway, the oldest aggregate wins.
     */
    async fromAggregates(trx = this.db, hosts) {
        const q = trx('aggregate_hosts as h')
            .join('aggregate_metadata as m', 'm.aggregate_id', 'h.aggregate_id')
            .where('m.key', AZ_KEY)
            .select('h.host as host', 'm.value as zone')
            .orderBy('h.aggregate_id', 'desc');
        if (hosts)
            q.whereIn('h.host', [...hosts]);
        const rows = (await q);
        return new Map(rows.map((r) => [r.host, r.zone]));
    }
    /** The zone a host is in, given its stored row and the aggregates' zones. */
    zoneOf(row, aggregateZones) {
        return aggregateZones.get(row.name) || row.availability_zone;
    }
    /** The rows with `availability_zone` replaced by the zone the host is in. */
    async resolve(rows, trx = this.db) {
        if (!rows.length)
            return rows;
        const zones = await this.fromAggregates(trx, rows.length === 1 ? [rows[0].name] : undefined);
        return rows.map((r) => ({ ...r, availability_zone: this.zoneOf(r, zones) }));
    }
}
/** The compute_hosts repository whose reads give each host its resolved zone. */
export class ZonedHostsRepo extends HostsRepo {
    rowsDb;
    zones;
    constructor(rowsDb) {
        super(rowsDb);
        this.rowsDb = rowsDb;
        this.zones = new HostZones(rowsDb);
    }
    async list(trx = this.rowsDb) {
        return this.zones.resolve(await super.list(trx), trx);
    }
    async findById(id, trx = this.rowsDb) {
        return this.one(await super.findById(id, trx), trx);
    }
    async findByName(name, trx = this.rowsDb) {
        return this.one(await super.findByName(name, trx), trx);
    }
    async findByUuid(uuid, trx = this.rowsDb) {
        return this.one(await super.findByUuid(uuid, trx), trx);
    }
    /** The rows as stored: `availability_zone` is the zone the host was configured with. */
    configuredList(trx = this.rowsDb) {
        return super.list(trx);
    }
    async one(row, trx) {
        return row ? (await this.zones.resolve([row], trx))[0] : undefined;
    }
}
//# sourceMappingURL=host-zones.js.map