// Helpers for server tests: seed a bootable image (a row plus data in the image store, as the
// images area would after an upload) and wait for a server to reach a status.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Services } from '../../src/composition/services.js';
import type { ImageRow } from '../../src/db/repositories/images-repo.js';
import { makeDockerSaveLikeTar } from './image-tar.js';
import { sql } from '../../src/db/sql.js';

export async function seedImage(
  services: Services,
  opts: {
    name?: string;
    data?: Buffer;
    visibility?: ImageRow['visibility'];
    owner?: string | null;
    properties?: Record<string, string>;
    minRam?: number;
  } = {},
): Promise<ImageRow> {
  const id = randomUUID();
  const data = opts.data ?? makeDockerSaveLikeTar();
  const stored = await services.imageStore.write(id, Readable.from([data]));
  const now = new Date().toISOString();
  const row: ImageRow = {
    id,
    name: opts.name ?? 'test-image',
    status: 'active',
    visibility: opts.visibility ?? 'public',
    owner: opts.owner ?? null,
    container_format: 'docker',
    disk_format: 'raw',
    size: stored.size,
    virtual_size: null,
    checksum: stored.checksum,
    os_hash_algo: 'sha512',
    os_hash_value: stored.sha512,
    min_disk: 0,
    min_ram: opts.minRam ?? 0,
    protected: false,
    os_hidden: false,
    properties: JSON.stringify(opts.properties ?? {}),
    created_at: now,
    updated_at: now,
  };
  await services.imagesRepo.insert(row);
  return row;
}

/** Polls GET /servers/{id} (bounded) until `status` (nova's _wait_for_server_parameter). */
export async function waitForStatus(
  get: () => Promise<{ status: number; body: { server?: { status: string } } }>,
  status: string,
  timeoutMs = 20_000,
): Promise<{ server: Record<string, unknown> }> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const res = await get();
    last = res.body.server?.status ?? String(res.status);
    if (last === status) return res.body as { server: Record<string, unknown> };
    if (Date.now() > deadline) throw new Error(`server did not reach ${status} (last ${last})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Lifts the instance/core/RAM quota of a project (tests boot many servers). */
export async function unlimitedQuota(services: Services, projectName = 'admin'): Promise<string> {
  const project = await services.identityRepo.findProjectByName('default', projectName);
  if (!project) throw new Error(`no project ${projectName}`);
  const now = new Date().toISOString();
  for (const resource of ['instances', 'cores', 'ram']) {
    await sql(services.db)('quotas')
      .insert({ project_id: project.id, resource, hard_limit: -1, created_at: now, updated_at: null })
      .onConflict(['project_id', 'resource'])
      .merge({ hard_limit: -1 });
  }
  return project.id;
}

/** Inserts `n` ACTIVE servers straight into the DB (list tests and benchmarks), with metadata and a tag each. */
export async function insertServers(
  services: Services,
  n: number,
  opts: { projectId: string; userId?: string; hostId?: number | null; prefix?: string; memoryMb?: number },
): Promise<string[]> {
  const flavor = {
    id: '1',
    name: 'm1.tiny',
    memory_mb: opts.memoryMb ?? 512,
    vcpus: 1,
    root_gb: 1,
    ephemeral_gb: 0,
    swap: 0,
    extra_specs: {},
  };
  const base = Date.now() - n * 1000;
  const rows = Array.from({ length: n }, (_, i) => {
    const at = new Date(base + i * 1000).toISOString();
    return {
      uuid: randomUUID(),
      project_id: opts.projectId,
      user_id: opts.userId ?? 'u',
      display_name: `${opts.prefix ?? 'bulk'}-${i}`,
      display_description: null,
      hostname: `${opts.prefix ?? 'bulk'}-${i}`,
      host_id: opts.hostId ?? null,
      availability_zone: 'nova',
      flavor_id: '1',
      vcpus: 1,
      memory_mb: opts.memoryMb ?? 512,
      root_gb: 1,
      ephemeral_gb: 0,
      swap_mb: 0,
      flavor_json: JSON.stringify(flavor),
      image_ref: randomUUID(),
      config_drive: '',
      vm_state: 'active',
      task_state: null,
      power_state: 1,
      locked: false,
      reservation_id: 'r-bulk',
      launch_index: 0,
      launched_at: at,
      created_at: at,
      updated_at: at,
      deleted: false,
      progress: 0,
      network: 'private',
      addresses_json: JSON.stringify([
        {
          network: 'private',
          version: 4,
          addr: `198.18.${Math.floor(i / 250)}.${(i % 250) + 2}`,
          mac: '02:42:c6:12:00:02',
        },
      ]),
    };
  });
  for (let i = 0; i < rows.length; i += 200) {
    const part = rows.slice(i, i + 200);
    await sql(services.db)('instances').insert(part);
    await sql(services.db)('instance_metadata').insert(
      part.map((r) => ({ instance_uuid: r.uuid, key: 'k', value: r.display_name })),
    );
    await sql(services.db)('instance_tags').insert(
      part.map((r, j) => ({ instance_uuid: r.uuid, tag: (i + j) % 2 ? 'odd' : 'even' })),
    );
  }
  return rows.map((r) => r.uuid);
}
