// Nova's security group proxy over the network service (nova/network/security_group_api.py, Zed):
// groups in Nova's format (ingress rules only, from/to ports, cidr), the project's groups below 2.36,
// a server's groups (those of its ports, port by port), and add/remove on every port of a server.
import { BadRequest, Conflict, Forbidden, NotFound } from '../../errors.js';
import type { RuleRow, SecurityGroupsRepo } from '../../db/repositories/neutron-security-groups-repo.js';
import type { NetworksRepo } from '../../db/repositories/neutron-networks-repo.js';
import type { GroupWithRules, SecurityGroupService } from '../../network/sg-service.js';
import type { PortService } from '../../network/port-service.js';
import { NeutronError } from '../../network/errors.js';
import { NoPortsForInstance } from './errors.js';
import type { SecurityGroupEnforcer } from '../../network/sg-enforcer.js';

export interface NovaRule {
  id: string;
  parent_group_id: string;
  protocol: string | null;
  from_port: number | null;
  to_port: number | null;
  group_id: string | null;
  cidr: string;
}
export interface NovaGroup {
  id: string;
  description: string;
  name: string;
  project_id: string;
  rules: NovaRule[];
}
interface Caller {
  projectId: string;
  isAdmin: boolean;
}

export interface NovaSecurityGroupDeps {
  sgs: SecurityGroupService;
  sgRepo: SecurityGroupsRepo;
  repo: NetworksRepo;
  ports: PortService;
  /** the security group enforcement of the network service (its filters follow rules and members) */
  firewall: Pick<SecurityGroupEnforcer, 'refresh' | 'membersChanged' | 'rulesChanged'>;
}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** security_group_api.validate_id */
export function validateGroupId(id: string): string {
  if (!UUID.test(id)) throw new BadRequest('Security group id should be uuid');
  return id;
}

export function toNovaRule(r: RuleRow): NovaRule {
  let from = r.port_range_min;
  let to = r.port_range_max;
  if (r.protocol && from === null && to === null) {
    [from, to] = ['TCP', 'UDP'].includes(r.protocol.toUpperCase()) ? [1, 65535] : [-1, -1];
  }
  return {
    id: r.id,
    parent_group_id: r.security_group_id,
    protocol: r.protocol,
    from_port: from,
    to_port: to,
    group_id: r.remote_group_id,
    cidr: r.remote_ip_prefix || '0.0.0.0/0',
  };
}

export function toNovaGroup(g: GroupWithRules): NovaGroup {
  return {
    id: g.id,
    description: g.description,
    name: g.name,
    project_id: g.project_id,
    rules: g.rules.filter((r) => r.direction === 'ingress').map(toNovaRule),
  };
}

/** Neutron's 404 as Nova reports it (SecurityGroupNotFound(str(e))). */
const notFound = (e: unknown): never => {
  if (e instanceof NeutronError && e.status === 404) throw new NotFound(e.message);
  throw e;
};

export class NovaSecurityGroups {
  constructor(private readonly d: NovaSecurityGroupDeps) {}

  async list(c: Caller, allTenants: boolean): Promise<NovaGroup[]> {
    const groups = await this.d.sgs.list(c);
    return groups.filter((g) => (c.isAdmin && allTenants) || g.project_id === c.projectId).map(toNovaGroup);
  }

  async get(c: Caller, id: string): Promise<NovaGroup> {
    return toNovaGroup(await this.d.sgs.get(c, validateGroupId(id)).catch(notFound));
  }

  /** The groups of the server's ports, in full, port by port (a group on two ports twice), as Nova lists them. */
  async forServer(c: Caller, uuid: string): Promise<NovaGroup[]> {
    const ports = await this.d.repo.ports({ device_id: [uuid] });
    const ids = [...new Set(ports.flatMap((p) => p.security_groups))];
    const groups = new Map((await this.d.sgRepo.groups({ id: ids })).map((g) => [g.id, g]));
    const rules = await this.d.sgRepo.rules({ security_group_id: ids });
    const out: NovaGroup[] = [];
    for (const p of ports) {
      for (const id of p.security_groups) {
        const g = groups.get(id);
        if (g && (c.isAdmin || g.project_id === c.projectId || p.project_id === c.projectId))
          out.push(toNovaGroup({ ...g, rules: rules.filter((r) => r.security_group_id === id) }));
      }
    }
    return out;
  }

  /** name and tenant of groups rules refer to (group_rule_data); missing ones are absent. */
  async ruleGroupData(c: Caller, groups: NovaGroup[]): Promise<Map<string, { name: string; tenant_id: string }>> {
    const out = new Map(groups.map((g) => [g.id, { name: g.name, tenant_id: g.project_id }]));
    const wanted = [...new Set(groups.flatMap((g) => g.rules.map((r) => r.group_id)))].filter(
      (id): id is string => !!id && !out.has(id),
    );
    for (const g of await this.d.sgRepo.groups({ id: wanted })) {
      if (c.isAdmin || g.project_id === c.projectId) out.set(g.id, { name: g.name, tenant_id: g.project_id });
    }
    return out;
  }

  async create(c: Caller, name: string, description: string): Promise<NovaGroup> {
    try {
      return toNovaGroup(await this.d.sgs.create(c, { name, description }, c.projectId));
    } catch (e) {
      if (e instanceof NeutronError && e.type === 'OverQuota') throw new Forbidden(e.message);
      if (e instanceof NeutronError && e.status < 500) throw new BadRequest(e.message);
      throw e;
    }
  }

  async update(c: Caller, id: string, name: string, description: string): Promise<NovaGroup> {
    await this.get(c, id);
    try {
      return toNovaGroup(await this.d.sgs.update(c, id, { name, description }));
    } catch (e) {
      if (e instanceof NeutronError && e.status === 404) throw new NotFound(e.message);
      if (e instanceof NeutronError && e.status < 500) throw new BadRequest(e.message);
      throw e;
    }
  }

  async delete(c: Caller, id: string): Promise<void> {
    await this.get(c, id);
    try {
      await this.d.sgs.delete(c, id);
    } catch (e) {
      if (e instanceof NeutronError && e.status === 404) throw new NotFound(e.message);
      if (e instanceof NeutronError && e.status < 500) throw new BadRequest(e.message);
      throw e;
    }
  }

  /** add_rules: one ingress rule (Nova's has no egress); Neutron's refusals as Nova maps them. */
  async createRule(
    c: Caller,
    rule: {
      parentGroupId: string;
      protocol: string | null;
      from?: number;
      to?: number;
      cidr?: string;
      groupId?: string;
    },
  ): Promise<NovaRule> {
    const body = {
      security_group_id: rule.parentGroupId,
      direction: 'ingress' as const,
      protocol: rule.protocol,
      ethertype: rule.cidr?.includes(':') ? ('IPv6' as const) : ('IPv4' as const),
      remote_ip_prefix: rule.cidr ?? null,
      remote_group_id: rule.groupId ?? null,
      ...(rule.from !== undefined && rule.from !== -1 ? { port_range_min: rule.from } : {}),
      ...(rule.to !== undefined && rule.to !== -1 ? { port_range_max: rule.to } : {}),
    };
    try {
      const r = await this.d.sgs.createRule(c, body);
      await this.d.firewall.rulesChanged(r.security_group_id);
      return toNovaRule(r);
    } catch (e) {
      if (!(e instanceof NeutronError)) throw e;
      if (e.status === 404) throw new NotFound(e.message);
      if (e.status === 409) {
        if (e.type === 'SecurityGroupRuleExists')
          throw new BadRequest(`This rule already exists in group ${rule.parentGroupId}`);
        throw new Forbidden(e.message);
      }
      if (e.status < 500) throw new BadRequest(e.message);
      throw e;
    }
  }

  async deleteRule(c: Caller, id: string): Promise<void> {
    validateGroupId(id);
    const r = await this.d.sgs.getRule(c, id).catch(notFound);
    await this.get(c, r.security_group_id);
    await this.d.sgs.deleteRule(c, id).catch(notFound);
    await this.d.firewall.rulesChanged(r.security_group_id);
  }

  /** Neutron's find_resourceid_by_name_or_id in the caller's project; Nova's messages for add/remove. */
  private async resolve(c: Caller, name: string): Promise<string> {
    const groups = (await this.d.sgs.list(c)).filter((g) => g.project_id === c.projectId);
    const byName = groups.filter((g) => g.name === name);
    if (byName.length > 1)
      throw new Conflict(`Multiple security_group matches found for name '${name}', use an ID to be more specific.`);
    const g = byName[0] ?? groups.find((x) => x.id === name);
    if (!g) throw new NotFound(`Security group ${name} is not found for project ${c.projectId}`);
    return g.id;
  }

  /** add_to_instance: the group on every port of the server. */
  async addToInstance(c: Caller, uuid: string, name: string): Promise<void> {
    const id = await this.resolve(c, name);
    const ports = await this.d.repo.ports({ device_id: [uuid] });
    if (!ports.length) throw NoPortsForInstance(uuid);
    for (const p of ports) {
      if (!p.fixed_ips.length || !p.port_security_enabled)
        throw new BadRequest(
          'Network requires port_security_enabled and subnet associated in order to apply security groups.',
        );
      if (p.security_groups.includes(id)) continue;
      await this.d.ports.update({ projectId: '', isAdmin: true }, p.id, {
        security_groups: [...p.security_groups, id],
      });
    }
    this.d.firewall.refresh(uuid);
    await this.d.firewall.membersChanged([id]);
  }

  /** remove_from_instance: off every port that has it; none had it: 404. */
  async removeFromInstance(c: Caller, uuid: string, name: string): Promise<void> {
    const id = await this.resolve(c, name);
    const ports = await this.d.repo.ports({ device_id: [uuid] });
    if (!ports.length) throw NoPortsForInstance(uuid);
    let found = false;
    for (const p of ports) {
      if (!p.security_groups.includes(id)) continue;
      await this.d.ports.update({ projectId: '', isAdmin: true }, p.id, {
        security_groups: p.security_groups.filter((g) => g !== id),
      });
      found = true;
    }
    if (!found) throw new NotFound(`Security group ${name} not associated with the instance ${uuid}`);
    this.d.firewall.refresh(uuid);
    await this.d.firewall.membersChanged([id]);
  }
}
