// Neutron's quotas: a limit per project and resource over Neutron Zed's defaults, usage counted from
// the records themselves inside the creating transaction, which first locks the project (design E3).
import type { Database, Db } from '../db/knex.js';
import { OverQuota } from './errors.js';
import { NeutronQuotasRepo } from '../db/repositories/neutron-quotas-repo.js';

/** neutron/conf/quota.py */
export const NEUTRON_QUOTA_DEFAULTS = {
  network: 100,
  subnet: 100,
  port: 500,
  router: 10,
  floatingip: 50,
  security_group: 10,
  security_group_rule: 100,
} as const;
export type NeutronResource = keyof typeof NEUTRON_QUOTA_DEFAULTS;
export const NEUTRON_RESOURCES = Object.keys(NEUTRON_QUOTA_DEFAULTS) as NeutronResource[];

export class NeutronQuotas {
  private readonly repo: NeutronQuotasRepo;
  constructor(db: Database, repo?: NeutronQuotasRepo) {
    this.repo = repo ?? new NeutronQuotasRepo(db);
  }

  async limits(projectId: string, trx?: Db): Promise<Record<NeutronResource, number>> {
    const own = await this.repo.limits(projectId, trx);
    const out = { ...NEUTRON_QUOTA_DEFAULTS } as Record<NeutronResource, number>;
    for (const r of NEUTRON_RESOURCES) if (own[r] !== undefined) out[r] = own[r];
    return out;
  }

  defaults(): Record<NeutronResource, number> {
    return { ...NEUTRON_QUOTA_DEFAULTS };
  }

  async usage(projectId: string, trx?: Db): Promise<Record<NeutronResource, number>> {
    const out = {} as Record<NeutronResource, number>;
    for (const r of NEUTRON_RESOURCES) out[r] = await this.repo.count(r, projectId, trx);
    return out;
  }

  /** Locks the project and throws OverQuota when `deltas` do not fit. Call inside the creating transaction. */
  async check(trx: Db, projectId: string, deltas: Partial<Record<NeutronResource, number>>): Promise<void> {
    await this.repo.lockProject(projectId, trx);
    const limits = await this.limits(projectId, trx);
    const overs: string[] = [];
    for (const [r, d] of Object.entries(deltas) as [NeutronResource, number][]) {
      if (!d || limits[r] < 0) continue;
      if ((await this.repo.count(r, projectId, trx)) + d > limits[r]) overs.push(r);
    }
    if (overs.length) throw OverQuota(overs);
  }

  async set(projectId: string, limits: Partial<Record<NeutronResource, number>>): Promise<void> {
    for (const [r, v] of Object.entries(limits)) await this.repo.set(projectId, r, v);
  }

  reset(projectId: string): Promise<void> {
    return this.repo.reset(projectId);
  }

  projectsWithLimits(): Promise<string[]> {
    return this.repo.projects();
  }
}
