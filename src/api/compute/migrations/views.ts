// A migration record as GET /os-migrations shows it (nova migrations.py _output): the base fields
// at 2.1; migration_type from 2.23 (links only for an in-progress live migration, never one
// here); uuid from 2.59; user_id and project_id from 2.80. Hidden records are never shown.
// Timestamps are oslo's PERFECT_TIME_FORMAT ("2016-01-29T13:42:02.000000", no zone), as Nova's
// JSON serializer writes a datetime.
import type { MigrationRow } from '../../../db/repositories/migrations-repo.js';
import type { ApiVersion } from '../../../compute/api-version.js';

export function migrationTime(iso: string | null): string | null {
  return iso ? `${iso.slice(0, 19)}.${iso.slice(20, 23).padEnd(3, '0')}000` : null;
}

export function renderMigration(m: MigrationRow, v: ApiVersion): Record<string, unknown> {
  const out: Record<string, unknown> = {
    created_at: migrationTime(m.created_at),
    dest_compute: m.dest_compute,
    dest_host: m.dest_host,
    dest_node: m.dest_node,
    id: m.id,
    instance_uuid: m.instance_uuid,
    new_instance_type_id: m.new_instance_type_id,
    old_instance_type_id: m.old_instance_type_id,
    source_compute: m.source_compute,
    source_node: m.source_node,
    status: m.status,
    updated_at: migrationTime(m.updated_at),
  };
  if (v.gte('2.23')) out.migration_type = m.migration_type;
  if (v.gte('2.59')) out.uuid = m.uuid;
  if (v.gte('2.80')) { out.user_id = m.user_id; out.project_id = m.project_id; }
  return out;
}

export function renderMigrations(rows: MigrationRow[], v: ApiVersion): Record<string, unknown>[] {
  return rows.filter((m) => !m.hidden).map((m) => renderMigration(m, v));
}
