// Loads what a full server view needs besides the row (metadata, tags, newest fault, host) for a
// whole page at once: a constant number of queries however many servers (no per-row queries).
import type { InstanceRow } from '../../db/repositories/instances-repo.js';
import type { InstanceMetadataRepo } from '../../db/repositories/instance-metadata-repo.js';
import type { InstanceTagsRepo } from '../../db/repositories/instance-tags-repo.js';
import type { InstanceFaultRow, InstanceFaultsRepo } from '../../db/repositories/instance-faults-repo.js';
import type { ComputeHostRow, HostsRepo } from '../../db/repositories/hosts-repo.js';

/** What a full view needs besides the row; list views batch-load these for the whole page. */
export interface ServerExtras {
  metadata: Record<string, string>;
  tags: string[];
  fault: InstanceFaultRow | undefined;
  host: ComputeHostRow | undefined;
}

export class ServerExtrasLoader {
  constructor(
    private readonly metadata: InstanceMetadataRepo,
    private readonly tags: InstanceTagsRepo,
    private readonly faults: InstanceFaultsRepo,
    private readonly hosts: HostsRepo,
  ) {}

  async loadMany(rows: InstanceRow[]): Promise<Map<string, ServerExtras>> {
    const uuids = rows.map((r) => r.uuid);
    const faulty = rows.filter((r) => r.vm_state === 'error' || r.vm_state === 'deleted').map((r) => r.uuid);
    const [meta, tags, faults, hosts] = await Promise.all([
      this.metadata.getMany(uuids),
      this.tags.getMany(uuids),
      faulty.length ? this.faults.latestMany(faulty) : Promise.resolve(new Map()),
      rows.some((r) => r.host_id !== null) ? this.hosts.list() : Promise.resolve([]),
    ]);
    const hostById = new Map(hosts.map((h) => [h.id, h]));
    return new Map(
      rows.map((r) => [
        r.uuid,
        {
          metadata: meta.get(r.uuid) ?? {},
          tags: tags.get(r.uuid) ?? [],
          fault: faults.get(r.uuid),
          host: r.host_id !== null ? hostById.get(r.host_id) : undefined,
        },
      ]),
    );
  }

  async loadOne(row: InstanceRow): Promise<ServerExtras> {
    return (await this.loadMany([row])).get(row.uuid)!;
  }
}
