// /v2.0/security-groups and /v2.0/security-group-rules.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { NetworkServices } from '../../composition/network.js';
import { SecurityGroupNotFound, SecurityGroupRuleNotFound } from '../../network/errors.js';
import type { RuleInput } from '../../network/sg-rules.js';
import { crud } from './crud.js';
import {
  SECURITY_GROUP_ATTRS,
  SECURITY_GROUP_LIST,
  SECURITY_GROUP_RULE_ATTRS,
  SECURITY_GROUP_RULE_LIST,
} from './resource-attrs.js';
import { renderRule, renderSecurityGroup } from './views.js';

export function securityGroupRoutes(app: FastifyInstance, s: NetworkServices, base: (req: FastifyRequest) => string) {
  crud(app, base, {
    collection: 'security-groups',
    member: 'security_group',
    attrs: SECURITY_GROUP_ATTRS,
    list: SECURITY_GROUP_LIST,
    notFound: SecurityGroupNotFound,
    all: async (c) => (await s.sgs.list(c)).map(renderSecurityGroup),
    one: async (c, id) => renderSecurityGroup(await s.sgs.get(c, id)),
    create: async (c, b) => renderSecurityGroup(await s.sgs.create(c, b, s.nets.targetProject(c, b))),
    update: async (c, id, b) => renderSecurityGroup(await s.sgs.update(c, id, b)),
    remove: (c, id) => s.sgs.delete(c, id),
  });
  crud(app, base, {
    collection: 'security-group-rules',
    member: 'security_group_rule',
    attrs: SECURITY_GROUP_RULE_ATTRS,
    list: SECURITY_GROUP_RULE_LIST,
    notFound: SecurityGroupRuleNotFound,
    all: async (c) => (await s.sgs.listRules(c)).map(renderRule),
    one: async (c, id) => renderRule(await s.sgs.getRule(c, id)),
    create: async (c, b) => renderRule(await s.createRule(c, b as unknown as RuleInput)),
    remove: (c, id) => s.deleteRule(c, id),
  });
}
