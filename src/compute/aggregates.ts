// Host aggregates as novadock has them: Nova implements availability zones as aggregates with an
// availability_zone metadata key, so each zone other than the default (and the internal) one is
// an aggregate of its compute hosts. They are derived, never stored: the zone of a host comes
// from NOVADOCK_COMPUTE_HOSTS. Ids are positions in the zone list sorted by name, uuids are
// derived from the zone name (stable across restarts).
import { INTERNAL_ZONE, derivedUuid, type ComputeServices } from './compute-services';

export interface Aggregate {
  id: number;
  uuid: string;
  name: string;
  availabilityZone: string;
  hosts: string[];
  /** ISO time the first of its hosts was registered, or null */
  createdAt: string | null;
}

export class Aggregates {
  constructor(private readonly overview: Pick<ComputeServices, 'zones'>, private readonly defaultZone: string) {}

  async list(): Promise<Aggregate[]> {
    const zones = (await this.overview.zones()).filter((z) => z.name !== INTERNAL_ZONE && z.name !== this.defaultZone);
    return zones.map((z, i) => ({
      id: i + 1,
      uuid: derivedUuid(`novadock:aggregate:${z.name}`),
      name: z.name,
      availabilityZone: z.name,
      hosts: z.services.map((s) => s.host),
      createdAt: z.services.map((s) => s.hostRow?.created_at ?? '').filter(Boolean).sort()[0] ?? null,
    }));
  }

  async find(id: number): Promise<Aggregate | undefined> {
    return (await this.list()).find((a) => a.id === id);
  }
}
