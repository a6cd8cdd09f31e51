export function migrationTime(iso) {
    return iso ? `${iso.slice(0, 19)}.${iso.slice(20, 23).padEnd(3, '0')}000` : null;
}
export function renderMigration(m, v) {
    const out = {
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
    if (v.gte('2.23'))
        out.migration_type = m.migration_type;
    if (v.gte('2.59'))
        out.uuid = m.uuid;
    if (v.gte('2.80')) {
        out.user_id = m.user_id;
        out.project_id = m.project_id;
    }
    return out;
}
export function renderMigrations(rows, v) {
    return rows.filter((m) => !m.hidden).map((m) => renderMigration(m, v));
}
//# sourceMappingURL=migrations.js.map