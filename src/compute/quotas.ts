// Quotas as Nova's DbQuotaDriver keeps them: a limit per project and resource, falling back to the
// 'default' quota class, falling back to Nova's built-in defaults. Usage is counted from the
// records themselves (instances, key pairs, server groups), never kept as a separate counter, so
// it cannot drift from what exists.
//
// Race freedom: callers check inside the same transaction that then inserts the records. On
// SQLite the one connection serialises transactions; on PostgreSQL the project's `quota_locks`
// row is locked (SELECT … FOR UPDATE) first, so two creates of one project count one at a time.
import type { Knex } from 'knex';
import { isSqlite, type Db } from '../db/knex';
import type { QuotasRepo } from '../db/repositories/quotas-repo';
import type { Clock } from '../db/time';
import { BadRequest, QuotaExceeded } from '../errors';

/** Nova's defaults (nova/conf/quota.py). -1 is unlimited. */
export const QUOTA_DEFAULTS = {
  cores: 20,
  fixed_ips: -1,
  floating_ips: -1,
  injected_file_content_bytes: 10240,
  injected_file_path_bytes: 255,
  injected_files: 5,
  instances: 10,
  key_pairs: 100,
  metadata_items: 128,
  ram: 51200,
  security_group_rules: -1,
  security_groups: -1,
  server_group_members: 10,
  server_groups: 10,
} as const;

export type QuotaResource = keyof typeof QUOTA_DEFAULTS;
export type QuotaLimits = Record<QuotaResource, number>;
export const QUOTA_RESOURCES = Object.keys(QUOTA_DEFAULTS) as QuotaResource[];

/** Nova-network era resources: shown (always -1) below 2.36, never enforced (Neutron's job). */
export const NETWORK_RESOURCES: readonly QuotaResource[] = ['fixed_ips', 'floating_ips', 'security_group_rules', 'security_groups'];
/** Personality (file injection) resources: gone from 2.57. */
export const INJECTED_FILE_RESOURCES: readonly QuotaResource[] = ['injected_file_content_bytes', 'injected_file_path_bytes', 'injected_files'];

export interface ProjectUsage { instances: number; cores: number; ram: number; server_groups: number }

export interface InstanceRequest { instances: number; cores: number; ramMb: number }

export class QuotaService {
  constructor(private readonly db: Knex, private readonly repo: QuotasRepo, private readonly clock: Clock) {}

  /** Limits before any project override: the 'default' class over Nova's built-ins. */
  async defaults(trx: Db = this.db): Promise<QuotaLimits> {
    const cls = await this.repo.classLimits('default', trx);
    const out = { ...QUOTA_DEFAULTS } as QuotaLimits;
    for (const r of QUOTA_RESOURCES) if (cls[r] !== undefined && !NETWORK_RESOURCES.includes(r)) out[r] = cls[r];
    return out;
  }

  /** The project's effective limits. */
  async limitsFor(projectId: string, trx: Db = this.db): Promise<QuotaLimits> {
    const out = await this.defaults(trx);
    const own = await this.repo.projectLimits(projectId, trx);
    for (const r of QUOTA_RESOURCES) if (own[r] !== undefined && !NETWORK_RESOURCES.includes(r)) out[r] = own[r];
    return out;
  }

  /** What the project uses now, counted from the live records. */
  async usage(projectId: string, trx: Db = this.db): Promise<ProjectUsage> {
    const [inst] = await trx('instances')
      .where({ project_id: projectId, deleted: false })
      .select(trx.raw('count(*) as n'), trx.raw('coalesce(sum(vcpus), 0) as cores'), trx.raw('coalesce(sum(memory_mb), 0) as ram'));
    const [groups] = await trx('server_groups').where({ project_id: projectId }).count<{ n: number | string }[]>({ n: '*' });
    return { instances: Number(inst.n), cores: Number(inst.cores), ram: Number(inst.ram), server_groups: Number(groups.n) };
  }

  /**
   * Throws QuotaExceeded unless `want` more instances (with their cores and RAM) fit the project's
   * quota. Call it inside the transaction that then inserts the instances.
   */
  async assertCanCreate(trx: Db, projectId: string, want: InstanceRequest): Promise<void> {
    const n = want.instances;
    const perInstance = n > 0 ? { cores: want.cores / n, ramMb: want.ramMb / n } : { cores: 0, ramMb: 0 };
    await this.allowedInstances(trx, projectId, { min: n, max: n, vcpus: perInstance.cores, memoryMb: perInstance.ramMb });
  }

  /**
   * Multi-create (min_count/max_count): how many instances, between min and max, fit the quota.
   * Throws QuotaExceeded when not even `min` fit (nova compute/api.py _check_num_instances_quota).
   */
  async allowedInstances(trx: Db, projectId: string, req: { min: number; max: number; vcpus: number; memoryMb: number }): Promise<number> {
    await this.lock(trx, projectId);
    const limits = await this.limitsFor(projectId, trx);
    const used = await this.usage(projectId, trx);
    const deltas = { cores: req.max * req.vcpus, instances: req.max, ram: req.max * req.memoryMb };
    const overs = overQuota(limits, used, deltas);
    if (overs.length === 0) return req.max;
    const headroom = (r: 'cores' | 'instances' | 'ram') => (limits[r] < 0 ? Infinity : Math.max(0, limits[r] - used[r]));
    let allowed = headroom('instances');
    if (req.vcpus) allowed = Math.min(allowed, Math.floor(headroom('cores') / req.vcpus));
    if (req.memoryMb) allowed = Math.min(allowed, Math.floor(headroom('ram') / req.memoryMb));
    if (allowed >= req.min && allowed > 0) return allowed;
    const requested = { cores: deltas.cores, instances: req.min === req.max ? String(req.min) : `${req.min}-${req.max}`, ram: deltas.ram };
    throw tooManyInstances(overs, requested, used, limits);
  }

  /** Resize: `deltas` are the increases (new flavor minus old); decreases always fit. */
  async assertCanResize(trx: Db, projectId: string, deltas: { cores: number; ramMb: number }): Promise<void> {
    const d = { cores: Math.max(0, deltas.cores), instances: 0, ram: Math.max(0, deltas.ramMb) };
    if (d.cores === 0 && d.ram === 0) return;
    await this.lock(trx, projectId);
    const limits = await this.limitsFor(projectId, trx);
    const used = await this.usage(projectId, trx);
    const overs = overQuota(limits, used, d);
    if (overs.length) throw tooManyInstances(overs, d, used, limits);
  }

  /** Key pairs count per user against the user's project limit (Nova: KeypairLimitExceeded). */
  async assertCanAddKeypair(trx: Db, projectId: string | null, currentCount: number): Promise<void> {
    const limit = projectId ? (await this.limitsFor(projectId, trx)).key_pairs : (await this.defaults(trx)).key_pairs;
    if (limit >= 0 && currentCount + 1 > limit) throw new QuotaExceeded('Quota exceeded, too many key pairs.');
  }

  async assertCanCreateServerGroup(trx: Db, projectId: string): Promise<void> {
    await this.lock(trx, projectId);
    const limit = (await this.limitsFor(projectId, trx)).server_groups;
    const used = (await this.usage(projectId, trx)).server_groups;
    if (limit >= 0 && used + 1 > limit) throw new QuotaExceeded('Quota exceeded, too many server groups.');
  }

  /** `members` is the group's member count before adding `adding` more. */
  async assertCanAddGroupMembers(trx: Db, projectId: string, members: number, adding: number): Promise<void> {
    const limit = (await this.limitsFor(projectId, trx)).server_group_members;
    if (limit >= 0 && members + adding > limit) throw new QuotaExceeded('Quota exceeded, too many servers in group');
  }

  /**
   * Admin update of a project's limits. Unless `force`, a limit below what is already used is
   * refused with Nova's message (quota_sets.py _validate_quota_limit). Network resources are
   * accepted below 2.36 and ignored (they are Neutron's).
   */
  async update(projectId: string, values: Partial<Record<QuotaResource, number>>, force: boolean): Promise<QuotaLimits> {
    await this.db.transaction(async (trx) => {
      await this.lock(trx, projectId);
      const used = await this.usage(projectId, trx);
      for (const [resource, limit] of Object.entries(values) as [QuotaResource, number][]) {
        if (NETWORK_RESOURCES.includes(resource)) continue;
        const minimum = (used as unknown as Record<string, number>)[resource] ?? 0;
        if (!force && limit !== -1 && limit < minimum) {
          throw new BadRequest(`Quota limit ${limit} for ${resource} must be greater than or equal to already used and reserved ${minimum}.`);
        }
        await this.repo.setProjectLimit(projectId, resource, limit, this.now(), trx);
      }
    });
    return this.limitsFor(projectId);
  }

  /** DELETE /os-quota-sets/{project}: back to the defaults. */
  async reset(projectId: string): Promise<void> {
    await this.repo.deleteProjectLimits(projectId);
  }

  /** PUT /os-quota-class-sets/default: new defaults for every project without its own limit. */
  async updateDefaults(values: Partial<Record<QuotaResource, number>>): Promise<QuotaLimits> {
    await this.db.transaction(async (trx) => {
      for (const [resource, limit] of Object.entries(values) as [QuotaResource, number][]) {
        if (!NETWORK_RESOURCES.includes(resource)) await this.repo.setClassLimit('default', resource, limit, trx);
      }
    });
    return this.defaults();
  }

  private async lock(trx: Db, projectId: string): Promise<void> {
    // SQLite: the caller's transaction already owns the only connection.
    if (!isSqlite(this.db)) await this.repo.lockProject(projectId, trx);
  }

  now(): string { return this.clock.now().toISOString(); }
}

type Countable = 'cores' | 'instances' | 'ram';

/** Resources the deltas would push over their limit, sorted as Nova sorts them. */
function overQuota(limits: QuotaLimits, used: ProjectUsage, deltas: Record<Countable, number>): Countable[] {
  return (['cores', 'instances', 'ram'] as const).filter((r) => deltas[r] > 0 && limits[r] >= 0 && used[r] + deltas[r] > limits[r]);
}

/** nova.exception.TooManyInstances with compute_utils.get_over_quota_detail's joined lists. */
function tooManyInstances(
  overs: Countable[], requested: Record<Countable, number | string>, used: ProjectUsage, limits: QuotaLimits,
): QuotaExceeded {
  const join = (f: (r: Countable) => string | number) => overs.map((r) => String(f(r))).join(', ');
  const names = overs.join(', ');
  return new QuotaExceeded(
    `Quota exceeded for ${names}: Requested ${join((r) => requested[r])}, but already used ${join((r) => used[r])} of ${join((r) => limits[r])} ${names}`,
  );
}
