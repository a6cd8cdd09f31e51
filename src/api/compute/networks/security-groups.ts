// Nova's security group routes (security_groups.py, Zed) answered from the network service's
// records: /os-security-groups and /os-security-group-rules (proxies, gone from 2.36) and
// /servers/{id}/os-security-groups (every microversion). The add/removeSecurityGroup actions are in
// servers/actions/network.ts.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../../composition/services.js';
import { BadRequest } from '../../../errors.js';
import { authorize } from '../../../identity/policy.js';
import { isAdmin } from '../../../identity/auth-context.js';
import { COMPUTE_PREFIX } from '../../urls.js';
import { validateGroupId } from '../../../compute/network/security-groups.js';
import { renderGroup, renderGroups, renderRule } from './views.js';

const proxy = { maxVersion: '2.35' };
const doc = (summary: string) => ({ tags: ['compute security groups (deprecated: removed at 2.36)'], summary });
const callerOf = (req: FastifyRequest) => ({ projectId: req.auth.projectId ?? '', isAdmin: isAdmin(req.auth) });

/** _from_body: an object under `key`, else Nova's 400s. */
function fromBody(body: unknown, key: string): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Object.keys(body).length === 0)
    throw new BadRequest("The request body can't be empty");
  const v = (body as Record<string, unknown>)[key];
  if (v === undefined || v === null) throw new BadRequest(`Missing parameter ${key}`);
  if (typeof v !== 'object' || Array.isArray(v)) throw new BadRequest(`Missing parameter ${key}`);
  return v as Record<string, unknown>;
}

/** validate_property: a string of at most 255 characters (check_string_length). */
function property(v: unknown, name: string): string {
  if (typeof v !== 'string') throw new BadRequest(`${name} is not a string or unicode`);
  if (v.length > 255) throw new BadRequest(`${name} has a maximum length of 255 characters.`);
  return v;
}

/** Nova's from/to ports: integers (or integer strings), else "must be integers". */
function port(v: unknown, icmp: boolean): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isInteger(n))
    throw new BadRequest(
      icmp
        ? 'Invalid input received: Type and Code must be integers for ICMP protocol type'
        : 'Invalid input received: To and From ports must be integers',
    );
  return n;
}

export async function securityGroupRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { compute, novaSecurityGroups: sg } = opts.services;
  const G = `${COMPUTE_PREFIX}/os-security-groups`;

  app.get<{ Params: { id: string } }>(`${COMPUTE_PREFIX}/servers/:id/os-security-groups`, async (req) => {
    const row = await compute.get(req.auth, req.params.id);
    authorize(req.auth, 'read', 'os_compute_api:os-security-groups:list');
    const groups = await sg.forServer(callerOf(req), row.uuid);
    return { security_groups: renderGroups(groups, await sg.ruleGroupData(callerOf(req), groups)) };
  });

  app.get<{ Querystring: Record<string, string> }>(
    G,
    { config: proxy, schema: doc('List security groups') },
    async (req) => {
      authorize(req.auth, 'read', 'os_compute_api:os-security-groups:get');
      const groups = await sg.list(callerOf(req), 'all_tenants' in (req.query ?? {}));
      return { security_groups: renderGroups(groups, await sg.ruleGroupData(callerOf(req), groups)) };
    },
  );

  app.get<{ Params: { id: string } }>(
    `${G}/:id`,
    { config: proxy, schema: doc('Show a security group') },
    async (req) => {
      authorize(req.auth, 'read', 'os_compute_api:os-security-groups:show');
      const g = await sg.get(callerOf(req), req.params.id);
      return { security_group: renderGroup(g, await sg.ruleGroupData(callerOf(req), [g])) };
    },
  );

  app.post(G, { config: proxy, schema: doc('Create a security group') }, async (req) => {
    authorize(req.auth, 'write', 'os_compute_api:os-security-groups:create');
    const b = fromBody(req.body, 'security_group');
    const name = property(b.name ?? null, 'name');
    const description = property(b.description ?? null, 'description');
    const g = await sg.create(callerOf(req), name, description);
    return { security_group: renderGroup(g, await sg.ruleGroupData(callerOf(req), [g])) };
  });

  app.put<{ Params: { id: string } }>(
    `${G}/:id`,
    { config: proxy, schema: doc('Update a security group') },
    async (req) => {
      authorize(req.auth, 'write', 'os_compute_api:os-security-groups:update');
      await sg.get(callerOf(req), req.params.id);
      const b = fromBody(req.body, 'security_group');
      const name = property(b.name ?? null, 'name');
      const description = property(b.description ?? null, 'description');
      const g = await sg.update(callerOf(req), req.params.id, name, description);
      return { security_group: renderGroup(g, await sg.ruleGroupData(callerOf(req), [g])) };
    },
  );

  app.delete<{ Params: { id: string } }>(
    `${G}/:id`,
    { config: proxy, schema: doc('Delete a security group') },
    async (req, reply) => {
      authorize(req.auth, 'write', 'os_compute_api:os-security-groups:delete');
      await sg.delete(callerOf(req), req.params.id);
      return reply.code(202).send();
    },
  );

  const R = `${COMPUTE_PREFIX}/os-security-group-rules`;
  app.post(R, { config: proxy, schema: doc('Create a security group rule') }, async (req) => {
    authorize(req.auth, 'write', 'os_compute_api:os-security-groups:rule:create');
    const b = fromBody(req.body, 'security_group_rule');
    const c = callerOf(req);
    const parent = await sg.get(c, validateGroupId(String(b.parent_group_id ?? '')));
    const groupId = b.group_id === undefined || b.group_id === null ? undefined : validateGroupId(String(b.group_id));
    if (groupId) await sg.get(c, groupId);
    const rule = ingressRule(b, groupId);
    if (!rule) throw new BadRequest('Not enough parameters to build a valid rule.');
    if (rule.cidr) {
      const [net, len] = rule.cidr.split('/');
      if (net !== '0.0.0.0' && net !== '::' && len === '0')
        throw new BadRequest(`Bad prefix for network in cidr ${rule.cidr}`);
    }
    const created = await sg.createRule(c, { parentGroupId: parent.id, ...rule });
    const data = await sg.ruleGroupData(c, [{ ...parent, rules: [created] }]);
    return { security_group_rule: renderRule(created, data) };
  });

  app.delete<{ Params: { id: string } }>(
    `${R}/:id`,
    { config: proxy, schema: doc('Delete a security group rule') },
    async (req, reply) => {
      authorize(req.auth, 'write', 'os_compute_api:os-security-groups:rule:delete');
      await sg.deleteRule(callerOf(req), req.params.id);
      return reply.code(202).send();
    },
  );
}

/** security_group_api._new_ingress_rule: Nova's checks of protocol and ports; null when a cidr rule lacks them. */
function ingressRule(
  b: Record<string, unknown>,
  groupId: string | undefined,
): { protocol: string | null; from?: number; to?: number; cidr?: string; groupId?: string } | null {
  const protocol = b.ip_protocol === undefined || b.ip_protocol === null ? null : String(b.ip_protocol);
  const upper = protocol?.toUpperCase() ?? '';
  let from = port(b.from_port, upper === 'ICMP');
  let to = port(b.to_port, upper === 'ICMP');
  let cidr: string | undefined;
  if (groupId) {
    if (upper === 'ICMP' && from === undefined && to === undefined) [from, to] = [-1, -1];
    else if ((upper === 'TCP' || upper === 'UDP') && from === undefined && to === undefined) [from, to] = [1, 65535];
  } else {
    cidr = b.cidr === undefined || b.cidr === null || b.cidr === '' ? '0.0.0.0/0' : String(b.cidr);
    if (!/^[0-9a-fA-F.:]+\/\d{1,3}$/.test(cidr)) throw new BadRequest(`${cidr} is not a valid IP network.`);
  }
  if (!(protocol && from !== undefined && to !== undefined)) return groupId ? { protocol: null, groupId } : null;
  if (!['TCP', 'UDP', 'ICMP'].includes(upper)) throw new BadRequest(`Invalid IP protocol ${protocol}.`);
  if ((upper === 'TCP' || upper === 'UDP') && from > to)
    throw new BadRequest(`Invalid port range ${from}:${to}. Former value cannot be greater than the later`);
  if ((upper === 'TCP' || upper === 'UDP') && (from < 1 || to > 65535))
    throw new BadRequest(`Invalid port range ${from}:${to}. Valid ${upper} ports should be between 1-65535`);
  if (upper === 'ICMP' && (from < -1 || from > 255 || to < -1 || to > 255))
    throw new BadRequest(`Invalid port range ${from}:${to}. For ICMP, the type:code must be valid`);
  return { protocol, from, to, ...(cidr ? { cidr } : {}), ...(groupId ? { groupId } : {}) };
}
