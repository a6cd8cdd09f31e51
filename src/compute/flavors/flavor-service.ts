// Flavors: lookup for the servers API (get/find/extraSpecs) and the rules of the /flavors API
// (visibility, listing, create/delete, extra specs, project access), after nova/compute/flavors.py
// and nova/objects/flavor.py.
import { randomUUID } from 'node:crypto';
import type { Database } from '../../db/knex.js';
import { type Clock, isoNow } from '../../db/time.js';
import {
  BadRequest,
  Conflict,
  FlavorNotFound,
  NotFound,
  FlavorNameExists,
  FlavorExtraSpecNotFound,
} from '../../errors.js';
import { type AuthContext, isAdmin } from '../../identity/auth-context.js';
import { FLAVOR_SORT_COLUMNS, type FlavorsRepo, type FlavorRow } from '../../db/repositories/flavors-repo.js';
import { extraSpecProblem } from './extra-specs/validate.js';

export type { FlavorRow };

/** Nova's CONF.api.max_limit. */
export const MAX_LIMIT = 1000;

export interface FlavorListParams {
  /** true / false / null (= all); only admins choose, everyone else gets true. */
  isPublic: boolean | null;
  minRam?: number;
  minDisk?: number;
  sortKey: string;
  sortDir: 'asc' | 'desc';
  limit: number;
  marker?: string;
}

export interface NewFlavor {
  id?: string | null;
  name: string;
  memoryMb: number;
  vcpus: number;
  rootGb: number;
  ephemeralGb: number;
  swap: number;
  rxtxFactor: number;
  isPublic: boolean;
  description: string | null;
}

export class FlavorService {
  constructor(
    private readonly repo: FlavorsRepo,
    private readonly db: Database,
    private readonly clock: Clock,
    /** Keystone's view of project ids (nova identity.verify_project_id); absent: accept any. */
    private readonly projectExists: (projectId: string) => Promise<boolean> = async () => true,
  ) {}

  private async verifyProject(projectId: string): Promise<void> {
    if (!(await this.projectExists(projectId))) throw new BadRequest(`Project ID ${projectId} is not a valid project.`);
  }

  /**
   * The flavor, or FlavorNotFound. With `auth`, a non-admin only finds public flavors and those
   * shared with its project (nova Flavor._flavor_get_query_from_db); without it, any flavor.
   */
  async get(id: string, auth?: AuthContext): Promise<FlavorRow> {
    const flavor = await this.find(id, auth);
    if (!flavor) throw FlavorNotFound(id);
    return flavor;
  }

  async find(id: string, auth?: AuthContext): Promise<FlavorRow | undefined> {
    const flavor = await this.repo.findById(id);
    if (!flavor || !auth || isAdmin(auth) || flavor.is_public) return flavor;
    if (auth.projectId && (await this.repo.hasAccess(flavor.id, auth.projectId))) return flavor;
    return undefined;
  }

  extraSpecs(id: string): Promise<Record<string, string>> {
    return this.repo.extraSpecs(id);
  }

  extraSpecsFor(ids: string[]): Promise<Map<string, Record<string, string>>> {
    return this.repo.extraSpecsFor(ids);
  }

  /** nova FlavorList.get_all with the API's filters; MarkerNotFound → 400. */
  async list(auth: AuthContext, p: FlavorListParams): Promise<FlavorRow[]> {
    const admin = isAdmin(auth);
    let after: FlavorRow | undefined;
    if (p.marker !== undefined) {
      after = await this.find(p.marker, auth);
      if (!after) throw new BadRequest(`marker [${p.marker}] not found`);
    }
    const sortColumn = FLAVOR_SORT_COLUMNS[p.sortKey];
    if (!sortColumn) throw new BadRequest(`Invalid sort_key ${p.sortKey}`);
    return this.repo.list({
      isPublic: admin ? p.isPublic : true,
      accessProjectId: auth.projectId,
      hideDisabled: !admin,
      minMemoryMb: p.minRam,
      minRootGb: p.minDisk,
      sortColumn,
      sortDir: p.sortDir,
      limit: Math.min(MAX_LIMIT, p.limit || MAX_LIMIT),
      after,
    });
  }

  /** nova.compute.flavors.create: a generated UUID id when none is given; name and id unique (409). */
  async create(f: NewFlavor): Promise<FlavorRow> {
    const id = f.id === undefined || f.id === null ? randomUUID() : String(f.id);
    const row: FlavorRow = {
      id,
      name: f.name,
      memory_mb: f.memoryMb,
      vcpus: f.vcpus,
      root_gb: f.rootGb,
      ephemeral_gb: f.ephemeralGb,
      swap: f.swap,
      rxtx_factor: f.rxtxFactor,
      is_public: f.isPublic,
      disabled: false,
      description: f.description,
      created_at: isoNow(this.clock),
      deleted: false,
    };
    return this.db.transaction(async (trx) => {
      if (await this.repo.findByName(f.name, trx)) throw FlavorNameExists(f.name);
      if (await this.repo.findById(id, trx)) throw new Conflict(`Flavor with ID ${id} already exists.`);
      try {
        await this.repo.insert(row, trx);
      } catch (e) {
        // A concurrent create won the race on the unique name or the primary key.
        if (/unique|duplicate/i.test(String((e as Error).message))) throw FlavorNameExists(f.name);
        throw e;
      }
      return row;
    });
  }

  async delete(id: string): Promise<void> {
    const n = await this.repo.delete(id);
    if (n === 0) throw FlavorNotFound(id);
  }

  async updateDescription(id: string, description: string | null): Promise<FlavorRow> {
    await this.get(id);
    await this.repo.update(id, { description });
    return this.get(id);
  }

  // ---- extra specs (nova flavors_extraspecs.py) ----
  /**
   * Nova's check of extra specs from microversion 2.86 (validators.validate for each): a key in a
   * known namespace (hw:, quota:, trait:, …) must be a known spec with a valid value, else a 400
   * with Nova's message; other keys pass. The API calls it before looking the flavor up, as Nova.
   */
  checkExtraSpecs(specs: Record<string, string>): void {
    for (const [name, value] of Object.entries(specs)) {
      const problem = extraSpecProblem(name, value);
      if (problem) throw new BadRequest(problem);
    }
  }

  async setExtraSpecs(id: string, specs: Record<string, string>): Promise<Record<string, string>> {
    await this.get(id);
    await this.repo.upsertExtraSpecs(id, specs);
    return specs;
  }

  async extraSpec(id: string, key: string): Promise<string> {
    await this.get(id);
    const specs = await this.repo.extraSpecs(id);
    if (!(key in specs)) throw FlavorExtraSpecNotFound(id, key);
    return specs[key];
  }

  async deleteExtraSpec(id: string, key: string): Promise<void> {
    await this.get(id);
    const n = await this.repo.deleteExtraSpec(id, key);
    if (n === 0) throw FlavorExtraSpecNotFound(id, key);
  }

  // ---- access (nova flavor_access.py) ----
  /** Projects a private flavor is shared with; a public flavor has no access list (404 in Nova). */
  async accessList(id: string): Promise<string[]> {
    const flavor = await this.get(id);
    if (flavor.is_public) throw new NotFound('Access list not available for public flavors.');
    return this.repo.projects(id);
  }

  /** `refusePublic`: from 2.7 Nova answers 409 for a public flavor; before, it records the access anyway. */
  async addAccess(id: string, projectId: string, refusePublic = true): Promise<string[]> {
    await this.verifyProject(projectId);
    const flavor = await this.get(id);
    if (refusePublic && flavor.is_public) throw new Conflict('Can not add access to a public flavor.');
    if (!(await this.repo.addProject(id, projectId))) {
      throw new Conflict(`Flavor access already exists for flavor ${id} and project ${projectId} combination.`);
    }
    return this.repo.projects(id);
  }

  async removeAccess(id: string, projectId: string): Promise<string[]> {
    await this.verifyProject(projectId);
    await this.get(id); // Nova has no public check here: a public flavor simply has no such access (404).
    if ((await this.repo.removeProject(id, projectId)) === 0) {
      throw new NotFound(`Flavor access not found for ${id} / ${projectId} combination.`);
    }
    return this.repo.projects(id);
  }
}
