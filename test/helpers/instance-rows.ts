// Inserts bare `instances` rows straight into the DB, for tests of what reads them (quotas,
// limits, hypervisors, usage) without going through server create.
import { randomUUID } from 'node:crypto';
import type { Db } from '../../src/db/knex.js';
import { sql } from '../../src/db/sql.js';

export interface InstanceRowSpec {
  projectId: string;
  userId?: string;
  vcpus?: number;
  memoryMb?: number;
  rootGb?: number;
  hostId?: number | null;
  deleted?: boolean;
  vmState?: string;
  createdAt?: string;
  launchedAt?: string | null;
  terminatedAt?: string | null;
  deletedAt?: string | null;
  name?: string;
  flavorId?: string;
  availabilityZone?: string;
}

export async function insertInstanceRow(db: Db, s: InstanceRowSpec): Promise<string> {
  const uuid = randomUUID();
  const now = new Date().toISOString();
  await sql(db)('instances').insert({
    uuid,
    project_id: s.projectId,
    user_id: s.userId ?? 'u',
    display_name: s.name ?? `vm-${uuid.slice(0, 8)}`,
    hostname: 'vm',
    host_id: s.hostId ?? null,
    availability_zone: s.availabilityZone ?? 'nova',
    flavor_id: s.flavorId ?? '1',
    vcpus: s.vcpus ?? 1,
    memory_mb: s.memoryMb ?? 512,
    root_gb: s.rootGb ?? 1,
    flavor_json: '{}',
    image_ref: 'img',
    vm_state: s.vmState ?? 'active',
    reservation_id: 'r-1',
    created_at: s.createdAt ?? now,
    launched_at: s.launchedAt === undefined ? now : s.launchedAt,
    terminated_at: s.terminatedAt ?? null,
    deleted: s.deleted ?? false,
    deleted_at: s.deletedAt ?? null,
  });
  return uuid;
}
