// Server groups (nova/api/openstack/compute/server_groups.py) and what they mean to placement
// (Nova's ServerGroupAffinityFilter / ServerGroupAntiAffinityFilter and the soft weighers):
//   affinity            → every member on the same host;
//   anti-affinity       → no two members on one host (up to max_server_per_host from 2.64);
//   soft-(anti-)affinity → preferred, never refused.
// The servers area calls `addMembers` inside its create transaction and `filterHosts` when it
// schedules a member.
import { randomUUID } from 'node:crypto';
import type { Database, Db } from '../../db/knex.js';
import type { ServerGroupRow, ServerGroupsRepo } from '../../db/repositories/server-groups-repo.js';
import type { ComputeHostRow } from '../../db/repositories/hosts-repo.js';
import type { Clock } from '../../db/time.js';
import type { AuthContext } from '../../identity/auth-context.js';
import { canSee } from '../../identity/policy.js';
import { BadRequest, NotFound } from '../../errors.js';
import type { QuotaService } from '../quotas/quotas.js';

export const POLICIES = ['affinity', 'anti-affinity', 'soft-affinity', 'soft-anti-affinity'] as const;
export type GroupPolicy = (typeof POLICIES)[number];

export interface ServerGroup {
  row: ServerGroupRow;
  policy: GroupPolicy;
  rules: { max_server_per_host?: number };
  members: string[];
}

export const GroupNotFound = (uuid: string) => new NotFound(`Instance group ${uuid} could not be found.`);

export class ServerGroupService {
  constructor(
    private readonly db: Database,
    private readonly repo: ServerGroupsRepo,
    private readonly quotas: QuotaService,
    private readonly clock: Clock,
  ) {}

  async create(
    auth: AuthContext,
    projectId: string,
    input: { name: string; policy: GroupPolicy; rules: { max_server_per_host?: number } },
  ): Promise<ServerGroup> {
    if (input.policy !== 'anti-affinity' && Object.keys(input.rules).length) {
      throw new BadRequest('Only anti-affinity policy supports rules.');
    }
    const uuid = randomUUID();
    await this.db.transaction(async (trx) => {
      await this.quotas.assertCanCreateServerGroup(trx, projectId, auth.userId);
      await this.repo.insert(
        {
          uuid,
          name: input.name,
          project_id: projectId,
          user_id: auth.userId,
          policy: input.policy,
          rules: JSON.stringify(input.rules),
          created_at: this.clock.now().toISOString(),
        },
        trx,
      );
    });
    return this.get(auth, uuid);
  }

  /** A group the caller may see (its project's, or any for admin), with its live members. */
  async get(auth: AuthContext, uuid: string, trx: Db = this.db): Promise<ServerGroup> {
    const row = await this.repo.findByUuid(uuid, trx);
    if (!row || !canSee(auth, row.project_id)) throw GroupNotFound(uuid);
    const members = (await this.repo.members([row.id], trx)).get(row.id)!;
    return toGroup(row, members);
  }

  async list(opts: { projectId?: string; limit?: number; offset?: number }): Promise<ServerGroup[]> {
    const rows = await this.repo.list(opts);
    const members = await this.repo.members(rows.map((r) => r.id));
    return rows.map((r) => toGroup(r, members.get(r.id)!));
  }

  async delete(auth: AuthContext, uuid: string): Promise<void> {
    const g = await this.get(auth, uuid);
    await this.repo.delete(g.row.id);
  }

  /**
   * Server create with the `group` scheduler hint: checks the group (visible to the caller) and the
   * server_group_members quota, then records the new servers as members. Call it in the create
   * transaction, after the instances rows are inserted.
   */
  async addMembers(trx: Db, auth: AuthContext, groupUuid: string, instanceUuids: string[]): Promise<ServerGroup> {
    const group = await this.get(auth, groupUuid, trx);
    await this.quotas.assertCanAddGroupMembers(
      trx,
      group.row.project_id,
      group.members.length,
      instanceUuids.length,
      auth.userId,
    );
    await this.repo.addMembers(group.row.id, instanceUuids, trx);
    return group;
  }

  /**
   * The candidate hosts allowed for `instanceUuid` by its group's policy, best first for the
   * soft policies. A server in no group gets the hosts unchanged.
   */
  async filterHosts<H extends Pick<ComputeHostRow, 'id'>>(instanceUuid: string, hosts: H[]): Promise<H[]> {
    const row = await this.repo.groupOf(instanceUuid);
    if (!row) return hosts;
    const group = toGroup(row, []);
    const perHost = await this.repo.membersPerHost(row.id, instanceUuid);
    const count = (h: H) => perHost.get(h.id) ?? 0;
    switch (group.policy) {
      case 'affinity':
        // No member placed yet: any host; otherwise only the members' host.
        return perHost.size === 0 ? hosts : hosts.filter((h) => count(h) > 0);
      case 'anti-affinity': {
        const max = group.rules.max_server_per_host ?? 1;
        return hosts.filter((h) => count(h) < max);
      }
      case 'soft-affinity':
        return [...hosts].sort((a, b) => count(b) - count(a));
      case 'soft-anti-affinity':
        return [...hosts].sort((a, b) => count(a) - count(b));
    }
  }
}

function toGroup(row: ServerGroupRow, members: string[]): ServerGroup {
  let rules: { max_server_per_host?: number } = {};
  try {
    rules = JSON.parse(row.rules) as typeof rules;
  } catch {
    /* stored by us; keep {} */
  }
  return { row, policy: row.policy as GroupPolicy, rules, members };
}
