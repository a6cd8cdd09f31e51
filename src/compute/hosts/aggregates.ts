// Host aggregates (nova compute/api.py AggregateAPI, objects/aggregate.py): an admin creates
// them, puts compute hosts in them and gives them metadata; the availability_zone key puts the
// hosts in that zone (compute/hosts/host-zones.ts resolves a host's zone from it).
//
// Zones configured in NOVADOCK_COMPUTE_HOSTS stay as they were: each configured zone other than
// the default (and the internal) one is shown as a read-only aggregate named after the zone, of
// the hosts configured in it that no stored aggregate has moved to another zone. It is kept as a
// row (configured_zone set) so that its id is stable and never collides with the ids of the
// aggregates an admin creates; its hosts and metadata are derived, and every change to it is
// refused (change NOVADOCK_COMPUTE_HOSTS instead, or move a host with an aggregate of your own).
// A configured zone is a host's own fallback, like Nova's default_availability_zone: it does not
// stop the host joining an aggregate with another zone (only other aggregates' zones do, as in
// Nova), but it is the zone the host's servers would leave, so a host with servers cannot change
// zone that way (Nova's ensure_no_instances_need_to_move_az_when_host_added/removed).
//
// Deviation from Nova: a zone named like the internal zone ("internal") is refused, since the
// zone listings hide it and a compute host there would vanish from os-availability-zone.
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../db/time.js';
import { isForeignKeyViolation, isUniqueViolation } from '../../db/constraints.js';
import { AZ_KEY, type AggregateRow, type AggregatesRepo } from '../../db/repositories/aggregates-repo.js';
import type { InstancesRepo } from '../../db/repositories/instances-repo.js';
import {
  BadRequest,
  Conflict,
  NotFound,
  AggregateNotFound,
  AggregateNameExists,
  AggregateHostExists,
  computeHostNotFound,
} from '../../errors.js';
import { INTERNAL_ZONE, derivedUuid } from './compute-services.js';
import type { ZonedHostsRepo } from './host-zones.js';

export interface Aggregate {
  id: number;
  uuid: string;
  name: string;
  availabilityZone: string | null;
  hosts: string[];
  metadata: Record<string, string>;
  createdAt: string | null;
  updatedAt: string | null;
  /** a read-only mirror of a NOVADOCK_COMPUTE_HOSTS zone */
  configured: boolean;
}

/** Which of Nova's InvalidAggregateAction* a refusal is, and so its wording. */
type AggregateAction = 'add' | 'remove' | 'update' | 'updateMeta';
const ACTION_WORDING: Record<AggregateAction, string> = {
  add: 'Cannot add host to aggregate',
  remove: 'Cannot remove host from aggregate',
  update: 'Cannot update aggregate',
  updateMeta: 'Cannot update metadata of aggregate',
};
/** add_host and remove_host answer InvalidAggregateAction with 409, the others with 400. */
function invalid(action: AggregateAction, id: number, reason: string) {
  const message = `${ACTION_WORDING[action]} ${id}. Reason: ${reason}.`;
  return action === 'add' || action === 'remove' ? new Conflict(message) : new BadRequest(message);
}

const CONFIGURED_REASON = 'its zone and hosts come from NOVADOCK_COMPUTE_HOSTS';
const INTERNAL_REASON = `availability zone ${INTERNAL_ZONE} is reserved for the internal services`;

const MAX_DB_INT = 2147483647;

/** Python's repr of a list of strings, as Nova's messages print one. */
function pyList(items: string[]): string {
  return `[${items.map((s) => (s.includes("'") && !s.includes('"') ? `"${s}"` : `'${s.replace(/'/g, "\\'")}'`)).join(', ')}]`;
}

export class Aggregates {
  constructor(
    private readonly repo: AggregatesRepo,
    private readonly hostsRepo: ZonedHostsRepo,
    private readonly instances: InstancesRepo,
    private readonly clock: Clock,
    private readonly defaultZone: string,
  ) {}

  async list(): Promise<Aggregate[]> {
    await this.syncConfigured();
    return this.load(await this.repo.list());
  }

  async find(id: number): Promise<Aggregate | undefined> {
    // an id no integer column holds names no aggregate (PostgreSQL would refuse the query)
    if (!Number.isSafeInteger(id) || Math.abs(id) > MAX_DB_INT) return undefined;
    await this.syncConfigured();
    const row = await this.repo.findById(id);
    return row ? (await this.load([row]))[0] : undefined;
  }

  async create(name: string, zone: string | null): Promise<Aggregate> {
    await this.syncConfigured();
    if (zone === INTERNAL_ZONE) throw new BadRequest(`Cannot create aggregate ${name}. Reason: ${INTERNAL_REASON}.`);
    const exists = AggregateNameExists(name);
    const id = await this.repo
      .insert({ uuid: randomUUID(), name, created_at: this.clock.now().toISOString() }, zone)
      .catch((e) => {
        throw isUniqueViolation(e) ? exists : e;
      });
    if (id === undefined) throw exists;
    return (await this.find(id))!;
  }

  /** PUT: the name, then the zone (Nova saves the name before it checks the zone). */
  async update(id: number, changes: { name?: string; availabilityZone?: string | null }): Promise<Aggregate> {
    const agg = await this.writable(id, 'update');
    if (changes.name !== undefined && changes.name !== agg.name) {
      if (await this.repo.nameTaken(changes.name, id)) {
        throw AggregateNameExists(changes.name);
      }
      await this.repo.rename(id, changes.name, this.clock.now().toISOString()).catch((e) => {
        throw isUniqueViolation(e) ? AggregateNameExists(changes.name) : e;
      });
      agg.name = changes.name;
    }
    if (changes.availabilityZone !== undefined) {
      const metadata = { [AZ_KEY]: changes.availabilityZone };
      await this.assertSafeZoneChange(agg, metadata, agg.hosts, 'update', true);
      await this.applyMetadata(id, metadata);
    }
    return (await this.find(id))!;
  }

  /** set_metadata: null values delete their keys. */
  async setMetadata(id: number, metadata: Record<string, string | null>): Promise<Aggregate> {
    const agg = await this.writable(id, 'updateMeta');
    await this.assertSafeZoneChange(agg, metadata, agg.hosts, 'updateMeta', true);
    await this.applyMetadata(id, metadata);
    return (await this.find(id))!;
  }

  async delete(id: number): Promise<void> {
    const agg = await this.find(id);
    if (!agg) throw AggregateNotFound(id);
    // nova delete_aggregate raises InvalidAggregateActionDelete, whose wording is remove_host's
    if (agg.configured) throw new BadRequest(`Cannot remove host from aggregate ${id}. Reason: ${CONFIGURED_REASON}.`);
    if (agg.hosts.length)
      throw new BadRequest(`Cannot remove host from aggregate ${id}. Reason: Host aggregate is not empty.`);
    await this.repo.delete(id);
  }

  /** add_host, in Nova's order: the host, the aggregate, zone conflicts, servers that would change zone, membership. */
  async addHost(id: number, host: string): Promise<Aggregate> {
    const hostRow = await this.hostsRepo.findByName(host);
    if (!hostRow) throw new NotFound(computeHostNotFound(host));
    const agg = await this.writable(id, 'add');
    if (agg.availabilityZone !== null) {
      await this.assertSafeZoneChange(agg, { [AZ_KEY]: agg.availabilityZone }, [host], 'add', false);
      const before = await this.ownZone(host, null);
      await this.assertServersStay(agg, host, before, agg.availabilityZone, 'add');
    }
    if (agg.hosts.includes(host)) throw AggregateHostExists(id, host);
    await this.repo.addHost(id, host).catch((e) => {
      if (isForeignKeyViolation(e)) throw AggregateNotFound(id);
      throw isUniqueViolation(e) ? AggregateHostExists(id, host) : e;
    });
    await this.touch(id);
    return (await this.find(id))!;
  }

  /** remove_host: every refusal is one message, 404 or 409 (nova Zed aggregates.py _remove_host). */
  async removeHost(id: number, host: string): Promise<Aggregate> {
    const notFound = new NotFound(`Cannot remove host ${host} in aggregate ${id}`);
    if (!(await this.hostsRepo.findByName(host))) throw notFound;
    const agg = await this.find(id);
    if (!agg) throw notFound;
    if (agg.configured) throw invalid('remove', id, CONFIGURED_REASON);
    if (agg.availabilityZone !== null) {
      const after = await this.ownZone(host, id);
      // Zed answers this InvalidAggregateAction with the bare "Cannot remove host" message (409)
      await this.assertServersStay(agg, host, agg.availabilityZone, after, 'remove').catch(() => {
        throw new Conflict(notFound.message);
      });
    }
    if (!agg.hosts.includes(host)) throw notFound;
    await this.repo.removeHost(id, host);
    await this.touch(id);
    return (await this.find(id))!;
  }

  /** A deleted compute service leaves every aggregate (nova services.py delete). */
  async forgetHost(host: string): Promise<void> {
    await this.repo.forgetHost(host);
  }

  // ---- rules ---------------------------------------------------------------------------------

  /** The aggregate (404 otherwise) if it may change: a configured zone's may not. */
  private async writable(id: number, action: AggregateAction): Promise<Aggregate> {
    const agg = await this.find(id);
    if (!agg) throw AggregateNotFound(id);
    if (agg.configured) throw invalid(action, id, CONFIGURED_REASON);
    return agg;
  }

  /** nova is_safe_to_update_az: no empty zone, no host in another zone, no servers made to move. */
  private async assertSafeZoneChange(
    agg: Aggregate,
    metadata: Record<string, string | null>,
    hosts: string[],
    action: AggregateAction,
    checkServers: boolean,
  ): Promise<void> {
    if (!(AZ_KEY in metadata)) return;
    const zone = metadata[AZ_KEY];
    if (!zone) throw invalid(action, agg.id, `Aggregate ${agg.name} does not support empty named availability zone`);
    if (zone === INTERNAL_ZONE) throw invalid(action, agg.id, INTERNAL_REASON);
    if (hosts.length) {
      const conflicting = (await this.repo.zonesElsewhere(hosts, agg.id)).filter((z) => z !== zone);
      if (conflicting.length)
        throw invalid(action, agg.id, `One or more hosts already in availability zone(s) ${pyList(conflicting)}`);
    }
    if (checkServers && agg.availabilityZone !== zone && (await this.instances.countLiveOnHosts(hosts)) > 0) {
      throw invalid(action, agg.id, 'One or more hosts contain instances in this zone');
    }
  }

  /**
   * nova ensure_no_instances_need_to_move_az_when_host_added/removed: a host with servers keeps
   * its zone. Zones are compared as Nova does, None standing for "no zone of its own".
   */
  private async assertServersStay(
    agg: Aggregate,
    host: string,
    from: string | null,
    to: string | null,
    action: AggregateAction,
  ): Promise<void> {
    const count = await this.instances.countLiveOnHosts([host]);
    if (!count || from === to) return;
    const verb = action === 'add' ? 'added to' : 'removed from';
    throw invalid(
      action,
      agg.id,
      `The host cannot be ${verb} the aggregate as the availability zone of the host would change from '${from ?? 'None'}' to '${to ?? 'None'}' ` +
        `but the host already has ${count} instance(s). Changing the AZ of an existing instance is not supported by this action. ` +
        'Move the instances away from this host then try again. If you need to move the instances between AZs then you can use ' +
        'shelve_offload and unshelve to achieve this.',
    );
  }

  /** The zone a host has from its aggregates (but `exceptId`), else its configured non-default zone, else null. */
  private async ownZone(host: string, exceptId: number | null): Promise<string | null> {
    const fromAggregate = await this.repo.zoneOf(host, exceptId);
    if (fromAggregate) return fromAggregate;
    const configured = (await this.hostsRepo.configuredList()).find((h) => h.name === host)?.availability_zone;
    return configured && configured !== this.defaultZone ? configured : null;
  }

  private async applyMetadata(id: number, metadata: Record<string, string | null>): Promise<void> {
    await this.repo.setMetadata(id, metadata, this.clock.now().toISOString()).catch((e) => {
      throw isForeignKeyViolation(e) ? AggregateNotFound(id) : e;
    });
  }

  private async touch(id: number): Promise<void> {
    await this.repo.touch(id, this.clock.now().toISOString());
  }

  // ---- reading -------------------------------------------------------------------------------

  private async load(rows: AggregateRow[]): Promise<Aggregate[]> {
    if (!rows.length) return [];
    const ids = rows.map((r) => r.id);
    const [hostRows, metaRows, configuredHosts, resolved] = await Promise.all([
      this.repo.hostsOf(ids),
      this.repo.metadataOf(ids),
      this.hostsRepo.configuredList(),
      this.hostsRepo.list(),
    ]);
    const zoneNow = new Map(resolved.map((h) => [h.name, h.availability_zone]));
    return rows.map((r) => {
      if (r.configured_zone !== null) {
        const zone = r.configured_zone;
        const hosts = configuredHosts
          .filter((h) => h.availability_zone === zone && zoneNow.get(h.name) === zone)
          .map((h) => h.name);
        return {
          id: r.id,
          uuid: r.uuid,
          name: r.name,
          availabilityZone: zone,
          hosts,
          metadata: { [AZ_KEY]: zone },
          createdAt: r.created_at,
          updatedAt: null,
          configured: true,
        };
      }
      const metadata = Object.fromEntries(metaRows.filter((m) => m.aggregate_id === r.id).map((m) => [m.key, m.value]));
      return {
        id: r.id,
        uuid: r.uuid,
        name: r.name,
        availabilityZone: metadata[AZ_KEY] ?? null,
        hosts: hostRows.filter((h) => h.aggregate_id === r.id).map((h) => h.host),
        metadata,
        createdAt: r.created_at,
        updatedAt: r.updated_at,
        configured: false,
      };
    });
  }

  /**
   * Keeps one row per configured zone: added (in name order, so a fresh database numbers them
   * 1, 2, … as before) when a configured host is in it, removed when none is any more.
   */
  private async syncConfigured(): Promise<void> {
    const hosts = await this.hostsRepo.configuredList();
    const zones = new Map<string, string>();
    for (const h of [...hosts].sort((a, b) => a.created_at.localeCompare(b.created_at))) {
      const z = h.availability_zone;
      if (z && z !== this.defaultZone && z !== INTERNAL_ZONE && !zones.has(z)) zones.set(z, h.created_at);
    }
    const existing = await this.repo.configuredZones();
    const missing = [...zones.keys()].filter((z) => !existing.includes(z)).sort();
    for (const z of missing) {
      // A concurrent request may insert it first, or an admin's aggregate may have the name: either way, keep what is there.
      await this.repo.insertConfigured({
        uuid: derivedUuid(`novadock:aggregate:${z}`),
        name: z,
        configured_zone: z,
        created_at: zones.get(z)!,
      });
    }
    const gone = existing.filter((z) => !zones.has(z));
    if (gone.length) await this.repo.deleteConfigured(gone);
  }
}
