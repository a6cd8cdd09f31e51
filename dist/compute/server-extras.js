export class ServerExtrasLoader {
    metadata;
    tags;
    faults;
    hosts;
    constructor(metadata, tags, faults, hosts) {
        this.metadata = metadata;
        this.tags = tags;
        this.faults = faults;
        this.hosts = hosts;
    }
    async loadMany(rows) {
        const uuids = rows.map((r) => r.uuid);
        const faulty = rows.filter((r) => r.vm_state === 'error' || r.vm_state === 'deleted').map((r) => r.uuid);
        const [meta, tags, faults, hosts] = await Promise.all([
            this.metadata.getMany(uuids),
            this.tags.getMany(uuids),
            faulty.length ? this.faults.latestMany(faulty) : Promise.resolve(new Map()),
            rows.some((r) => r.host_id !== null) ? this.hosts.list() : Promise.resolve([]),
        ]);
        const hostById = new Map(hosts.map((h) => [h.id, h]));
        return new Map(rows.map((r) => [r.uuid, {
                metadata: meta.get(r.uuid) ?? {},
                tags: tags.get(r.uuid) ?? [],
                fault: faults.get(r.uuid),
                host: r.host_id !== null ? hostById.get(r.host_id) : undefined,
            }]));
    }
    async loadOne(row) {
        return (await this.loadMany([row])).get(row.uuid);
    }
}
//# sourceMappingURL=server-extras.js.map