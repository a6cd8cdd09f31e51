// Quotas as Nova's DbQuotaDriver keeps them: a limit per project and resource, falling back to the
// 'default' quota class, falling back to Nova's built-in defaults. A user may have limits of their
// own inside a project (project_user_quotas); a resource without one falls back to the project's
// limit, and a create counts against both the user's and the project's limits. Usage is counted from the
// records themselves (instances, key pairs, server groups), never kept as a separate counter, so
// it cannot drift from what exists.
//
// Race freedom: callers check inside the same transaction that then inserts the records. On
// SQLite the one connection serialises transactions; on PostgreSQL the project's `quota_locks`
// row is locked (SELECT … FOR UPDATE) first, so two creates of one project count one at a time.
// A user's usage is part of their project's, so the same project lock serialises user checks.
import type { Database, Db } from '../../db/knex.js';
import type { QuotasRepo, UsageCounts } from '../../db/repositories/quotas-repo.js';
import type { Clock } from '../../db/time.js';
import { BadRequest, QuotaExceeded } from '../../errors.js';

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
export const NETWORK_RESOURCES: readonly QuotaResource[] = [
  'fixed_ips',
  'floating_ips',
  'security_group_rules',
  'security_groups',
];
/** Personality (file injection) resources: gone from 2.57. */
export const INJECTED_FILE_RESOURCES: readonly QuotaResource[] = [
  'injected_file_content_bytes',
  'injected_file_path_bytes',
  'injected_files',
];

export type ProjectUsage = UsageCounts;

export interface InstanceRequest {
  instances: number;
  cores: number;
  ramMb: number;
}

export class QuotaService {
  constructor(
    private readonly db: Database,
    private readonly repo: QuotasRepo,
    private readonly clock: Clock,
  ) {}

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

  /** A user's effective limits in the project: their own rows over the project's limits. */
  async limitsForUser(projectId: string, userId: string, trx: Db = this.db): Promise<QuotaLimits> {
    const out = await this.limitsFor(projectId, trx);
    const own = await this.repo.userLimits(projectId, userId, trx);
    for (const r of QUOTA_RESOURCES) if (own[r] !== undefined && !NETWORK_RESOURCES.includes(r)) out[r] = own[r];
    return out;
  }

  /** What the project (or, with `userId`, that user in the project) uses now, counted from the live records. */
  async usage(projectId: string, trx: Db = this.db, userId?: string): Promise<ProjectUsage> {
    return this.repo.usage(projectId, userId, trx);
  }

  /**
   * Throws QuotaExceeded unless `want` more instances (with their cores and RAM) fit the project's
   * quota. Call it inside the transaction that then inserts the instances.
   */
  async assertCanCreate(trx: Db, projectId: string, want: InstanceRequest, userId?: string): Promise<void> {
    const n = want.instances;
    const perInstance = n > 0 ? { cores: want.cores / n, ramMb: want.ramMb / n } : { cores: 0, ramMb: 0 };
    await this.allowedInstances(trx, projectId, {
      min: n,
      max: n,
      vcpus: perInstance.cores,
      memoryMb: perInstance.ramMb,
      userId,
    });
  }

  /**
   * Multi-create (min_count/max_count): how many instances, between min and max, fit the quota.
   * Throws QuotaExceeded when not even `min` fit (nova compute/api.py _check_num_instances_quota).
   */
  async allowedInstances(
    trx: Db,
    projectId: string,
    req: { min: number; max: number; vcpus: number; memoryMb: number; userId?: string },
  ): Promise<number> {
    await this.lock(trx, projectId);
    const scopes = await this.scopes(trx, projectId, req.userId);
    const deltas = { cores: req.max * req.vcpus, instances: req.max, ram: req.max * req.memoryMb };
    const over = overQuotaIn(scopes, deltas);
    if (!over) return req.max;
    // The tighter of the project's and the user's headroom decides.
    const headroom = (r: Countable) =>
      Math.min(...scopes.map(({ limits, used }) => (limits[r] < 0 ? Infinity : Math.max(0, limits[r] - used[r]))));
    let allowed = headroom('instances');
    if (req.vcpus) allowed = Math.min(allowed, Math.floor(headroom('cores') / req.vcpus));
    if (req.memoryMb) allowed = Math.min(allowed, Math.floor(headroom('ram') / req.memoryMb));
    if (allowed >= req.min && allowed > 0) return allowed;
    const requested = {
      cores: deltas.cores,
      instances: req.min === req.max ? String(req.min) : `${req.min}-${req.max}`,
      ram: deltas.ram,
    };
    throw tooManyInstances(over.overs, requested, over.used, over.limits);
  }

  /** Resize: `deltas` are the increases (new flavor minus old); decreases always fit. `userId`: the server's owner. */
  async assertCanResize(
    trx: Db,
    projectId: string,
    deltas: { cores: number; ramMb: number },
    userId?: string,
  ): Promise<void> {
    const d = { cores: Math.max(0, deltas.cores), instances: 0, ram: Math.max(0, deltas.ramMb) };
    if (d.cores === 0 && d.ram === 0) return;
    await this.lock(trx, projectId);
    const over = overQuotaIn(await this.scopes(trx, projectId, userId), d);
    if (over) throw tooManyInstances(over.overs, d, over.used, over.limits);
  }

  /** Key pairs count per user against the user's limit in their project (Nova: KeypairLimitExceeded). */
  async assertCanAddKeypair(trx: Db, projectId: string | null, currentCount: number, userId?: string): Promise<void> {
    const limits = !projectId
      ? await this.defaults(trx)
      : userId !== undefined
        ? await this.limitsForUser(projectId, userId, trx)
        : await this.limitsFor(projectId, trx);
    const limit = limits.key_pairs;
    if (limit >= 0 && currentCount + 1 > limit) throw new QuotaExceeded('Quota exceeded, too many key pairs.');
  }

  /**
   * A server's metadata may hold `count` items (nova compute/api.py _check_metadata_properties_quota:
   * Quotas.limit_check(metadata_items=count), the project's limit and the user's): else Nova's 403
   * MetadataLimitExceeded, "Maximum number of metadata items exceeds <limit>".
   */
  async assertMetadataItems(projectId: string, count: number, userId?: string, trx: Db = this.db): Promise<void> {
    const limits = [await this.limitsFor(projectId, trx)];
    if (userId !== undefined) limits.push(await this.limitsForUser(projectId, userId, trx));
    for (const { metadata_items: limit } of limits) {
      if (limit >= 0 && count > limit) throw new QuotaExceeded(`Maximum number of metadata items exceeds ${limit}`);
    }
  }

  /** Server groups count per project and per user (Nova counts both). */
  async assertCanCreateServerGroup(trx: Db, projectId: string, userId?: string): Promise<void> {
    await this.lock(trx, projectId);
    for (const { limits, used } of await this.scopes(trx, projectId, userId)) {
      if (limits.server_groups >= 0 && used.server_groups + 1 > limits.server_groups)
        throw new QuotaExceeded('Quota exceeded, too many server groups.');
    }
  }

  /** `members` is the group's member count before adding `adding` more; checked against the project's and the user's limit. */
  async assertCanAddGroupMembers(
    trx: Db,
    projectId: string,
    members: number,
    adding: number,
    userId?: string,
  ): Promise<void> {
    const limits = [await this.limitsFor(projectId, trx)];
    if (userId !== undefined) limits.push(await this.limitsForUser(projectId, userId, trx));
    for (const { server_group_members: limit } of limits) {
      if (limit >= 0 && members + adding > limit) throw new QuotaExceeded('Quota exceeded, too many servers in group');
    }
  }

  /** The project's limits and usage, then (with `userId`) the user's. */
  private async scopes(trx: Db, projectId: string, userId?: string): Promise<Scope[]> {
    const out: Scope[] = [{ limits: await this.limitsFor(projectId, trx), used: await this.usage(projectId, trx) }];
    if (userId !== undefined)
      out.push({
        limits: await this.limitsForUser(projectId, userId, trx),
        used: await this.usage(projectId, trx, userId),
      });
    return out;
  }

  /**
   * Admin update of a project's limits, or with `userId` of that user's limits in the project.
   * Unless `force`, each value must lie in Nova's settable range (DbQuotaDriver.get_settable_quotas,
   * checked by quota_sets.py _validate_quota_limit, -1 counting as infinite):
   * - project: at least what is used, and at least the sum of its users' limits (when the project
   *   limit is not unlimited now); no maximum.
   * - user: at least what the user uses (key_pairs and server_group_members count 0, as in Nova),
   *   at most the project's limit minus the other users' limits of the project.
   * Every value is checked before any is written. Network resources are accepted below 2.36 and
   * ignored (they are Neutron's).
   */
  async update(
    projectId: string,
    values: Partial<Record<QuotaResource, number>>,
    force: boolean,
    userId?: string,
  ): Promise<QuotaLimits> {
    await this.db.transaction(async (trx) => {
      await this.lock(trx, projectId);
      const project = await this.limitsFor(projectId, trx);
      const userRows = (await this.repo.allUserLimits(projectId, trx)).filter((r) => r.hard_limit >= 0);
      const used = (await this.usage(projectId, trx, userId)) as unknown as Record<string, number>;
      const sumOfUsers = (resource: string, exceptUser?: string) =>
        userRows
          .filter((r) => r.resource === resource && r.user_id !== exceptUser)
          .reduce((n, r) => n + r.hard_limit, 0);
      const wanted = (Object.entries(values) as [QuotaResource, number][]).filter(
        ([r]) => !NETWORK_RESOURCES.includes(r),
      );
      if (!force) {
        for (const [resource, limit] of wanted) {
          const inUse = used[resource] ?? 0;
          if (userId === undefined) {
            const minimum = project[resource] < 0 ? inUse : Math.max(inUse, sumOfUsers(resource));
            validateQuotaLimit(resource, limit, minimum, -1);
          } else {
            const maximum = project[resource] < 0 ? -1 : Math.max(0, project[resource] - sumOfUsers(resource, userId));
            validateQuotaLimit(resource, limit, inUse, maximum);
          }
        }
      }
      for (const [resource, limit] of wanted) {
        if (userId === undefined) await this.repo.setProjectLimit(projectId, resource, limit, this.now(), trx);
        else await this.repo.setUserLimit(projectId, userId, resource, limit, this.now(), trx);
      }
    });
    return userId === undefined ? this.limitsFor(projectId) : this.limitsForUser(projectId, userId);
  }

  /** DELETE /os-quota-sets/{project}: the project and its users back to the defaults; with `userId` only that user's limits go. */
  async reset(projectId: string, userId?: string): Promise<void> {
    await this.db.transaction(async (trx) => {
      if (userId === undefined) await this.repo.deleteProjectLimits(projectId, trx);
      else await this.repo.deleteUserLimits(projectId, userId, trx);
    });
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
    await this.repo.lockProject(projectId, trx);
  }

  now(): string {
    return this.clock.now().toISOString();
  }
}

type Countable = 'cores' | 'instances' | 'ram';
interface Scope {
  limits: QuotaLimits;
  used: ProjectUsage;
}

/** nova quota_sets.py _validate_quota_limit: -1 is infinite on either side. */
function validateQuotaLimit(resource: string, limit: number, minimum: number, maximum: number): void {
  const inf = (v: number) => (v === -1 ? Infinity : v);
  if (inf(limit) < inf(minimum)) {
    throw new BadRequest(
      `Quota limit ${limit} for ${resource} must be greater than or equal to already used and reserved ${minimum}.`,
    );
  }
  if (inf(limit) > inf(maximum))
    throw new BadRequest(`Quota limit ${limit} for ${resource} must be less than or equal to ${maximum}.`);
}

/** Resources the deltas would push over their limit, sorted as Nova sorts them. */
function overQuota(limits: QuotaLimits, used: ProjectUsage, deltas: Record<Countable, number>): Countable[] {
  return (['cores', 'instances', 'ram'] as const).filter(
    (r) => deltas[r] > 0 && limits[r] >= 0 && used[r] + deltas[r] > limits[r],
  );
}

/**
 * Over in any scope (project, user): the resources over anywhere, each reported with the usage and
 * limit of the scope it is over in (the project's when both are).
 */
function overQuotaIn(
  scopes: Scope[],
  deltas: Record<Countable, number>,
): { overs: Countable[]; used: ProjectUsage; limits: QuotaLimits } | null {
  const overs = new Set<Countable>();
  const used = { ...scopes[0].used };
  const limits = { ...scopes[0].limits };
  for (const s of [...scopes].reverse()) {
    for (const r of overQuota(s.limits, s.used, deltas)) {
      overs.add(r);
      used[r] = s.used[r];
      limits[r] = s.limits[r];
    }
  }
  if (overs.size === 0) return null;
  return { overs: (['cores', 'instances', 'ram'] as const).filter((r) => overs.has(r)), used, limits };
}

/** nova.exception.TooManyInstances with compute_utils.get_over_quota_detail's joined lists. */
function tooManyInstances(
  overs: Countable[],
  requested: Record<Countable, number | string>,
  used: ProjectUsage,
  limits: QuotaLimits,
): QuotaExceeded {
  const join = (f: (r: Countable) => string | number) => overs.map((r) => String(f(r))).join(', ');
  const names = overs.join(', ');
  return new QuotaExceeded(
    `Quota exceeded for ${names}: Requested ${join((r) => requested[r])}, but already used ${join((r) => used[r])} of ${join((r) => limits[r])} ${names}`,
  );
}
