// Security groups and their rules (tables neutron_security_groups, neutron_default_security_groups,
// neutron_security_group_rules, neutron_port_security_groups).
import { sql } from '../sql.js';
import type { Database, Db } from '../knex.js';

const bool = (v: unknown) => v === true || v === 1 || v === '1';

export interface SecurityGroupRow {
  id: string;
  project_id: string;
  name: string;
  description: string;
  stateful: boolean;
  created_at: string;
  updated_at: string;
  revision_number: number;
}
export interface RuleRow {
  security_group_id: string;
  direction: 'ingress' | 'egress';
  ethertype: 'IPv4' | 'IPv6';
  protocol: string | null;
  port_range_min: number | null;
  port_range_max: number | null;
  remote_ip_prefix: string | null;
  remote_group_id: string | null;
  remote_address_group_id: string | null;
  description: string;
  id: string;
  project_id: string;
  rule_key: string;
  created_at: string;
  updated_at: string;
  revision_number: number;
}

const mapGroup = (r: Record<string, unknown>): SecurityGroupRow => ({
  ...(r as unknown as SecurityGroupRow),
  stateful: bool(r.stateful),
  revision_number: Number(r.revision_number),
});
const mapRule = (r: Record<string, unknown>): RuleRow => ({
  ...(r as unknown as RuleRow),
  port_range_min: r.port_range_min === null ? null : Number(r.port_range_min),
  port_range_max: r.port_range_max === null ? null : Number(r.port_range_max),
  remote_address_group_id: null,
  revision_number: Number(r.revision_number),
});

export class SecurityGroupsRepo {
  constructor(readonly db: Database) {}

  async groups(where: { id?: string[]; project_id?: string } = {}, trx: Db = this.db): Promise<SecurityGroupRow[]> {
    let q = sql(trx)('neutron_security_groups').select();
    if (where.id) q = q.whereIn('id', where.id);
    if (where.project_id) q = q.where({ project_id: where.project_id });
    return (await q).map(mapGroup);
  }
  async group(id: string, trx: Db = this.db): Promise<SecurityGroupRow | undefined> {
    return (await this.groups({ id: [id] }, trx))[0];
  }
  /** false when a group with that id exists already */
  async insertGroupIfAbsent(row: SecurityGroupRow, trx: Db): Promise<boolean> {
    const rows: unknown = await sql(trx)('neutron_security_groups')
      .insert(row)
      .onConflict('id')
      .ignore()
      .returning('id');
    return Array.isArray(rows) ? rows.length > 0 : true;
  }
  async insertGroup(row: SecurityGroupRow, trx: Db): Promise<void> {
    await sql(trx)('neutron_security_groups').insert(row);
  }
  async updateGroup(id: string, changes: Partial<SecurityGroupRow>, now: string, trx: Db = this.db): Promise<void> {
    await sql(trx)('neutron_security_groups')
      .where({ id })
      .update({ ...changes, updated_at: now })
      .increment('revision_number', 1);
  }
  async deleteGroup(id: string, trx: Db): Promise<void> {
    await sql(trx)('neutron_security_groups').where({ id }).delete();
  }
  async defaultGroupId(projectId: string, trx: Db = this.db): Promise<string | undefined> {
    return (await sql(trx)('neutron_default_security_groups').where({ project_id: projectId }).first())
      ?.security_group_id;
  }
  /** false when another transaction made the project's default group first */
  async claimDefault(projectId: string, groupId: string, trx: Db): Promise<boolean> {
    const rows = await sql(trx)('neutron_default_security_groups')
      .insert({ project_id: projectId, security_group_id: groupId })
      .onConflict('project_id')
      .ignore()
      .returning('project_id');
    return Array.isArray(rows) ? rows.length > 0 : true;
  }
  async forgetDefault(groupId: string, trx: Db): Promise<void> {
    await sql(trx)('neutron_default_security_groups').where({ security_group_id: groupId }).delete();
  }
  async defaultGroupIds(trx: Db = this.db): Promise<Set<string>> {
    return new Set(
      (await sql(trx)('neutron_default_security_groups').select('security_group_id')).map((r) => r.security_group_id),
    );
  }

  async rules(where: { id?: string[]; security_group_id?: string[] } = {}, trx: Db = this.db): Promise<RuleRow[]> {
    let q = sql(trx)('neutron_security_group_rules').select();
    if (where.id) q = q.whereIn('id', where.id);
    if (where.security_group_id) q = q.whereIn('security_group_id', where.security_group_id);
    return (await q.orderBy('created_at').orderBy('id')).map(mapRule);
  }
  async ruleByKey(groupId: string, key: string, trx: Db): Promise<RuleRow | undefined> {
    const r = await sql(trx)('neutron_security_group_rules')
      .where({ security_group_id: groupId, rule_key: key })
      .first();
    return r ? mapRule(r) : undefined;
  }
  async insertRules(rows: RuleRow[], trx: Db): Promise<void> {
    if (!rows.length) return;
    await sql(trx)('neutron_security_group_rules').insert(rows.map(({ remote_address_group_id: _unused, ...r }) => r));
  }
  async deleteRule(id: string, trx: Db): Promise<void> {
    await sql(trx)('neutron_security_group_rules').where({ id }).delete();
  }
  async portsUsing(groupId: string, trx: Db = this.db): Promise<string[]> {
    return (await sql(trx)('neutron_port_security_groups').where({ security_group_id: groupId }).select('port_id')).map(
      (r) => r.port_id,
    );
  }
  /** Ports that are members of any of these groups. */
  async portsInGroups(groupIds: string[], trx: Db = this.db): Promise<string[]> {
    if (!groupIds.length) return [];
    const rows = await sql(trx)('neutron_port_security_groups')
      .whereIn('security_group_id', groupIds)
      .distinct('port_id');
    return rows.map((r) => r.port_id);
  }
  /** The devices (containers) of plugged ports that are members of any of these groups. */
  async pluggedDevicesInGroups(groupIds: string[], trx: Db = this.db): Promise<string[]> {
    if (!groupIds.length) return [];
    const rows = await sql(trx)('neutron_port_security_groups as m')
      .join('neutron_ports as p', 'p.id', 'm.port_id')
      .whereIn('m.security_group_id', groupIds)
      .whereNotNull('p.host_id')
      .whereNot('p.device_id', '')
      .distinct('p.device_id');
    return rows.map((r) => r.device_id);
  }
  /** Groups with a rule whose remote group is one of these (their members' addresses appear in it). */
  async groupsReferencing(groupIds: string[], trx: Db = this.db): Promise<string[]> {
    if (!groupIds.length) return [];
    const rows = await sql(trx)('neutron_security_group_rules')
      .whereIn('remote_group_id', groupIds)
      .distinct('security_group_id');
    return rows.map((r) => r.security_group_id);
  }
}
