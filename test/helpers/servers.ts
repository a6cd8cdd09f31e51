// Helpers for server tests: seed a bootable image (a row plus data in the image store, as the
// images area would after an upload) and wait for a server to reach a status.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Services } from '../../src/services';
import type { ImageRow } from '../../src/db/repositories/images-repo';
import { makeDockerSaveLikeTar } from './image-tar';

export async function seedImage(
  services: Services,
  opts: { name?: string; data?: Buffer; visibility?: ImageRow['visibility']; owner?: string | null; properties?: Record<string, string>; minRam?: number } = {},
): Promise<ImageRow> {
  const id = randomUUID();
  const data = opts.data ?? makeDockerSaveLikeTar();
  const stored = await services.imageStore.write(id, Readable.from([data]));
  const now = new Date().toISOString();
  const row: ImageRow = {
    id, name: opts.name ?? 'test-image', status: 'active', visibility: opts.visibility ?? 'public', owner: opts.owner ?? null,
    container_format: 'docker', disk_format: 'raw', size: stored.size, virtual_size: null, checksum: stored.checksum,
    os_hash_algo: 'sha512', os_hash_value: stored.sha512, min_disk: 0, min_ram: opts.minRam ?? 0, protected: false, os_hidden: false,
    properties: JSON.stringify(opts.properties ?? {}), created_at: now, updated_at: now,
  };
  await services.imagesRepo.insert(row);
  return row;
}

/** Polls GET /servers/{id} (bounded) until `status` (nova's _wait_for_server_parameter). */
export async function waitForStatus(
  get: () => Promise<{ status: number; body: { server?: { status: string } } }>, status: string, timeoutMs = 20_000,
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
    await services.db('quotas').insert({ project_id: project.id, resource, hard_limit: -1, created_at: now, updated_at: null })
      .onConflict(['project_id', 'resource']).merge({ hard_limit: -1 });
  }
  return project.id;
}
