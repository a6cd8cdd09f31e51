// Loads what a full server view needs besides the row (metadata, tags, newest fault, host):
// for a whole page at once in a constant number of statements (metadata and tags together, the
// hosts the page names, faults only when a server on it is in ERROR or DELETED), and for one
// server together with its row in one statement.
import type { InstanceRow } from '../../db/repositories/instances-repo.js';
import type { InstanceFaultRow, InstanceFaultsRepo } from '../../db/repositories/instance-faults-repo.js';
import type { ComputeHostRow } from '../../db/repositories/hosts-repo.js';
import type { InstanceViewQueries } from '../../db/repositories/instance-view-queries.js';
import type { InstanceInterfacesRepo } from '../../db/repositories/instance-interfaces-repo.js';

/** What a full view needs besides the row; list views batch-load these for the whole page. */
export interface ServerExtras {
  metadata: Record<string, string>;
  tags: string[];
  fault: InstanceFaultRow | undefined;
  host: ComputeHostRow | undefined;
  /** the names of the security groups of the server's ports (Nova's server view shows them when any) */
  securityGroups: string[];
}

/** The instances columns loadMany reads of each row (a list selects them with its view's). */
export const EXTRAS_COLUMNS = [
  'uuid',
  'vm_state',
  'host_id',
  'network',
] as const satisfies readonly (keyof InstanceRow)[];
type ExtrasRow = Pick<InstanceRow, (typeof EXTRAS_COLUMNS)[number]>;

/** The vm_states whose view shows the newest fault (views/servers.ts: ERROR and DELETED). */
const FAULT_STATES = new Set(['error', 'deleted']);

export class ServerExtrasLoader {
  constructor(
    private readonly views: InstanceViewQueries,
    private readonly faults: InstanceFaultsRepo,
    private readonly interfaces: InstanceInterfacesRepo,
  ) {}

  async loadMany(rows: readonly ExtrasRow[]): Promise<Map<string, ServerExtras>> {
    const uuids = rows.map((r) => r.uuid);
    const faulty = rows.filter((r) => FAULT_STATES.has(r.vm_state)).map((r) => r.uuid);
    const hostIds = [...new Set(rows.flatMap((r) => (r.host_id === null ? [] : [r.host_id])))];
    const [{ metadata, tags }, faults, hosts, groups] = await Promise.all([
      this.views.metadataAndTags(uuids),
      faulty.length ? this.faults.latestMany(faulty) : Promise.resolve(new Map<string, InstanceFaultRow>()),
      this.views.hostsByIds(hostIds),
      this.interfaces.securityGroupNames(uuids),
    ]);
    const hostById = new Map(hosts.map((h) => [h.id, h]));
    return new Map(
      rows.map((r) => [
        r.uuid,
        {
          metadata: metadata.get(r.uuid) ?? {},
          tags: tags.get(r.uuid) ?? [],
          fault: faults.get(r.uuid),
          host: r.host_id !== null ? hostById.get(r.host_id) : undefined,
          securityGroups: groupsOf(r, groups),
        },
      ]),
    );
  }

  async loadOne(row: InstanceRow): Promise<ServerExtras> {
    return (await this.loadMany([row])).get(row.uuid)!;
  }

  /** A server's row and view extras (deleted rows included: the caller decides), or undefined. */
  async findWithExtras(uuid: string): Promise<{ row: InstanceRow; extras: ServerExtras } | undefined> {
    const found = await this.views.findForView(uuid);
    if (!found) return undefined;
    const [faults, groups] = await Promise.all([
      FAULT_STATES.has(found.row.vm_state) ? this.faults.latestMany([uuid]) : undefined,
      this.interfaces.securityGroupNames([uuid]),
    ]);
    const fault = faults?.get(uuid);
    const securityGroups = groupsOf(found.row, groups);
    return {
      row: found.row,
      extras: { metadata: found.metadata, tags: found.tags, host: found.host, fault, securityGroups },
    };
  }
}

/** The groups of its ports; a server from before the network service is in its project's default group. */
function groupsOf(r: ExtrasRow, groups: Map<string, string[]>): string[] {
  return groups.get(r.uuid) ?? (r.network ? ['default'] : []);
}
