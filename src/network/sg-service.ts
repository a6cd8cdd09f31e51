// Security groups: the per-project `default` group made on first use (race-free through the
// neutron_default_security_groups primary key), groups and rules with Neutron's validation.
import { randomUUID } from 'node:crypto';
import type { Database, Db } from '../db/knex.js';
import type { RuleRow, SecurityGroupRow, SecurityGroupsRepo } from '../db/repositories/neutron-security-groups-repo.js';
import { defaultGroupRules, normalizeRule, ruleKey, type NormalizedRule, type RuleInput } from './sg-rules.js';
import type { NeutronQuotas } from './quotas.js';
import type { Caller, Clock } from './network-service.js';
import { defaultGroupId } from '../compute/servers/security-groups.js';
import {
  PolicyNotAuthorized,
  SecurityGroupCannotRemoveDefault,
  SecurityGroupCannotUpdateDefault,
  SecurityGroupDefaultAlreadyExists,
  SecurityGroupInUse,
  SecurityGroupNotFound,
  SecurityGroupRuleExists,
  SecurityGroupRuleNotFound,
  HTTPBadRequest,
} from './errors.js';

export const DEFAULT_SG_DESCRIPTION = 'Default security group';

export interface GroupWithRules extends SecurityGroupRow {
  rules: RuleRow[];
}

export class SecurityGroupService {
  constructor(
    private readonly db: Database,
    private readonly repo: SecurityGroupsRepo,
    private readonly quotas: NeutronQuotas,
    private readonly clock: Clock,
  ) {}

  private now = () => this.clock.now().toISOString();

  /** Neutron's _ensure_default_security_group: made once per project, concurrent callers share it. */
  async ensureDefault(projectId: string, trx?: Db): Promise<string> {
    const existing = await this.repo.defaultGroupId(projectId, trx ?? this.db);
    if (existing) return existing;
    const make = async (t: Db) => {
      const again = await this.repo.defaultGroupId(projectId, t);
      if (again) return again;
      await this.quotas.check(t, projectId, { security_group_rule: 4 });
      const now = this.now();
      // the id Nova's side names the project's default group by (compute/servers/security-groups.ts);
      // a concurrent maker of the same group wins the primary key and this one uses its group
      const id = defaultGroupId(projectId);
      const made = await this.repo.insertGroupIfAbsent(
        {
          id,
          project_id: projectId,
          name: 'default',
          description: DEFAULT_SG_DESCRIPTION,
          stateful: true,
          created_at: now,
          updated_at: now,
          revision_number: 1,
        },
        t,
      );
      if (!made) return id;
      await this.repo.claimDefault(projectId, id, t);
      await this.repo.insertRules(
        defaultGroupRules(id).map((r) => this.ruleRow(r, projectId, now)),
        t,
      );
      return id;
    };
    return trx ? make(trx) : this.db.transaction(make);
  }

  private ruleRow(r: NormalizedRule, projectId: string, now: string): RuleRow {
    return {
      ...r,
      id: randomUUID(),
      project_id: projectId,
      rule_key: ruleKey(r),
      created_at: now,
      updated_at: now,
      revision_number: 1,
    };
  }

  private canSee(c: Caller, g: SecurityGroupRow) {
    return c.isAdmin || g.project_id === c.projectId;
  }

  async get(c: Caller, id: string): Promise<GroupWithRules> {
    const g = await this.repo.group(id);
    if (!g || !this.canSee(c, g)) throw SecurityGroupNotFound(id);
    return { ...g, rules: await this.repo.rules({ security_group_id: [id] }) };
  }

  async list(c: Caller): Promise<GroupWithRules[]> {
    if (c.projectId) await this.ensureDefault(c.projectId);
    const groups = await this.repo.groups(c.isAdmin ? {} : { project_id: c.projectId });
    const rules = await this.repo.rules({ security_group_id: groups.map((g) => g.id) });
    return groups.map((g) => ({ ...g, rules: rules.filter((r) => r.security_group_id === g.id) }));
  }

  async create(
    c: Caller,
    b: { name?: string; description?: string; stateful?: boolean; project_id?: string; tenant_id?: string },
    project: string,
  ): Promise<GroupWithRules> {
    if ((b.name ?? '').toLowerCase() === 'default') throw SecurityGroupDefaultAlreadyExists();
    await this.ensureDefault(project);
    return this.db.transaction(async (trx) => {
      await this.quotas.check(trx, project, { security_group: 1, security_group_rule: 2 });
      const now = this.now();
      const id = randomUUID();
      const row: SecurityGroupRow = {
        id,
        project_id: project,
        name: b.name ?? '',
        description: b.description ?? '',
        stateful: b.stateful ?? true,
        created_at: now,
        updated_at: now,
        revision_number: 1,
      };
      await this.repo.insertGroup(row, trx);
      // a new group allows all egress (securitygroups_db create_security_group, default_sg False)
      const rules = defaultGroupRules(id)
        .filter((r) => r.direction === 'egress')
        .map((r) => this.ruleRow(r, project, now));
      await this.repo.insertRules(rules, trx);
      return { ...row, rules };
    });
  }

  async update(
    c: Caller,
    id: string,
    b: { name?: string; description?: string; stateful?: boolean },
  ): Promise<GroupWithRules> {
    const g = await this.get(c, id);
    if (g.name === 'default' && b.name !== undefined && b.name !== 'default') throw SecurityGroupCannotUpdateDefault();
    if (b.name !== undefined && b.name.toLowerCase() === 'default' && g.name !== 'default')
      throw SecurityGroupDefaultAlreadyExists();
    const changes: Partial<SecurityGroupRow> = {};
    if (b.name !== undefined) changes.name = b.name;
    if (b.description !== undefined) changes.description = b.description;
    if (b.stateful !== undefined) changes.stateful = b.stateful;
    await this.repo.updateGroup(id, changes, this.now());
    return this.get(c, id);
  }

  async delete(c: Caller, id: string): Promise<void> {
    const g = await this.get(c, id);
    await this.db.transaction(async (trx) => {
      if ((await this.repo.portsUsing(id, trx)).length) throw SecurityGroupInUse(id);
      if (g.name === 'default' && !c.isAdmin) throw SecurityGroupCannotRemoveDefault();
      await this.repo.forgetDefault(id, trx);
      await this.repo.deleteGroup(id, trx);
    });
  }

  async createRule(c: Caller, b: RuleInput & { project_id?: string; tenant_id?: string }): Promise<RuleRow> {
    if (!b.security_group_id)
      throw HTTPBadRequest("Failed to parse request. Required attribute 'security_group_id' not specified");
    const rule = normalizeRule(b);
    const g = await this.repo.group(rule.security_group_id);
    if (!g || !this.canSee(c, g)) throw SecurityGroupNotFound(rule.security_group_id);
    if (rule.remote_group_id) {
      const rg = await this.repo.group(rule.remote_group_id);
      if (!rg || !this.canSee(c, rg)) throw SecurityGroupNotFound(rule.remote_group_id);
    }
    if (!c.isAdmin && g.project_id !== c.projectId) throw PolicyNotAuthorized('rule:create_security_group_rule');
    return this.db.transaction(async (trx) => {
      const key = ruleKey(rule);
      const dup = await this.repo.ruleByKey(g.id, key, trx);
      if (dup) throw SecurityGroupRuleExists(dup.id);
      await this.quotas.check(trx, g.project_id, { security_group_rule: 1 });
      const row = this.ruleRow(rule, g.project_id, this.now());
      await this.repo.insertRules([row], trx);
      await this.repo.updateGroup(g.id, {}, row.created_at, trx);
      return row;
    });
  }

  async getRule(c: Caller, id: string): Promise<RuleRow> {
    const r = (await this.repo.rules({ id: [id] }))[0];
    if (!r || !(c.isAdmin || r.project_id === c.projectId)) throw SecurityGroupRuleNotFound(id);
    return r;
  }

  async listRules(c: Caller): Promise<RuleRow[]> {
    if (c.projectId) await this.ensureDefault(c.projectId);
    const all = await this.repo.rules();
    return c.isAdmin ? all : all.filter((r) => r.project_id === c.projectId);
  }

  async deleteRule(c: Caller, id: string): Promise<void> {
    const r = await this.getRule(c, id);
    await this.db.transaction(async (trx) => {
      await this.repo.deleteRule(r.id, trx);
      await this.repo.updateGroup(r.security_group_id, {}, this.now(), trx);
    });
  }
}
