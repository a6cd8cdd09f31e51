// The availability zone of a compute host, decided in one place (nova availability_zones.py
// get_host_availability_zone): the availability_zone metadata of the aggregates the host is in;
// failing that, the zone NOVADOCK_COMPUTE_HOSTS gave it (stored in compute_hosts.availability_zone
// when the host was registered); failing that, the default zone (which registration stores in
// that column for a host configured without one, so the stored zone is never empty).
//
// Every reader of a host's zone (scheduler, server create's zone check, unshelve, os-services,
// os-hypervisors, os-availability-zone, the aggregates) reads host rows through ZonedHostsRepo,
// whose rows carry the resolved zone in `availability_zone`. Only the aggregates read the zone as
// configured (`configuredList`). A zone change never touches servers: their zone is the one
// recorded on the instance at build time, as in Nova.
import type { Db } from '../../db/knex.js';
import { HostsRepo, type ComputeHostRow } from '../../db/repositories/hosts-repo.js';
import { AggregatesRepo } from '../../db/repositories/aggregates-repo.js';

export class HostZones {
  constructor(private readonly aggregates: AggregatesRepo) {}

  /** The zone a host is in, given its stored row and the aggregates' zones. */
  zoneOf(row: Pick<ComputeHostRow, 'name' | 'availability_zone'>, aggregateZones: Map<string, string>): string {
    return aggregateZones.get(row.name) || row.availability_zone;
  }

  /** The rows with `availability_zone` replaced by the zone the host is in. */
  async resolve(rows: ComputeHostRow[], trx?: Db): Promise<ComputeHostRow[]> {
    if (!rows.length) return rows;
    // Nova never lets a host sit in two aggregates of different zones; should it happen anyway, the oldest aggregate wins.
    const zones = await this.aggregates.zonesByHost(rows.length === 1 ? [rows[0].name] : undefined, trx);
    return rows.map((r) => ({ ...r, availability_zone: this.zoneOf(r, zones) }));
  }
}

/** The compute_hosts repository whose reads give each host its resolved zone. */
export class ZonedHostsRepo extends HostsRepo {
  readonly zones: HostZones;
  constructor(private readonly rowsDb: Db) {
    super(rowsDb);
    this.zones = new HostZones(new AggregatesRepo(rowsDb));
  }

  override async list(trx: Db = this.rowsDb): Promise<ComputeHostRow[]> {
    return this.zones.resolve(await super.list(trx), trx);
  }
  override async findById(id: number, trx: Db = this.rowsDb): Promise<ComputeHostRow | undefined> {
    return this.one(await super.findById(id, trx), trx);
  }
  override async findByName(name: string, trx: Db = this.rowsDb): Promise<ComputeHostRow | undefined> {
    return this.one(await super.findByName(name, trx), trx);
  }
  override async findByUuid(uuid: string, trx: Db = this.rowsDb): Promise<ComputeHostRow | undefined> {
    return this.one(await super.findByUuid(uuid, trx), trx);
  }

  /** The rows as stored: `availability_zone` is the zone the host was configured with. */
  configuredList(trx: Db = this.rowsDb): Promise<ComputeHostRow[]> {
    return super.list(trx);
  }

  private async one(row: ComputeHostRow | undefined, trx: Db): Promise<ComputeHostRow | undefined> {
    return row ? (await this.zones.resolve([row], trx))[0] : undefined;
  }
}
