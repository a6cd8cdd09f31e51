// Keystone roles: the built-in admin, member and reader (immutable: policy checks their names) and
// any an admin creates, updates or deletes (/v3/roles[/{id}]); GET /v3/role_assignments with the
// filters openstackclient sends (user.id, role.id, scope.project.id, include_names, effective).
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../composition/services.js';
import { listBody, renderAssignment, renderRole } from './views/resources.js';
import { params, queryBool, queryString, selfUrl, v3Url } from './common.js';
import type { RoleInput } from '../../identity/role-admin.js';

// Keystone's role schema (keystone/assignment/schema.py): parameter_types.name and description;
// options.immutable is the only resource option.
const roleFields = {
  name: { type: 'string', minLength: 1, maxLength: 255, pattern: '\\S' },
  description: { type: ['string', 'null'], maxLength: 65535 },
  domain_id: { type: ['string', 'null'], maxLength: 64 },
  options: { type: 'object', properties: { immutable: { type: ['boolean', 'null'] } }, additionalProperties: false },
};
const createRoleBody = {
  type: 'object',
  required: ['role'],
  additionalProperties: false,
  properties: { role: { type: 'object', required: ['name'], properties: roleFields, additionalProperties: false } },
};
const updateRoleBody = {
  type: 'object',
  required: ['role'],
  additionalProperties: false,
  properties: { role: { type: 'object', properties: roleFields, additionalProperties: false, minProperties: 1 } },
};

export async function roleRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { identityAdmin: admin, roleAdmin, config } = opts.services;
  const v3 = (req: Parameters<typeof v3Url>[0]) => v3Url(req, config.publicUrl);
  // Documented in the OpenAPI document (so the bad-input fuzzer covers Keystone's routes too).
  const keystone = { tags: ['identity'] };

  app.get('/identity/v3/roles', { schema: keystone }, async (req) => {
    const q = req.query as Record<string, unknown>;
    const rows = await roleAdmin.listRoles(req.auth, queryString(q.name));
    return listBody(
      'roles',
      rows.map((r) => renderRole(r, v3(req))),
      selfUrl(req, config.publicUrl),
    );
  });

  app.post(
    '/identity/v3/roles',
    { schema: { ...keystone, summary: 'Create a role (admin)', body: createRoleBody } },
    async (req, reply) => {
      const role = await roleAdmin.createRole(req.auth, (req.body as { role: RoleInput }).role);
      return reply.code(201).send({ role: renderRole(role, v3(req)) });
    },
  );

  const one = { ...keystone, params: params('roleId') };
  app.get('/identity/v3/roles/:roleId', { schema: one }, async (req) => {
    const role = await roleAdmin.getRole(req.auth, (req.params as { roleId: string }).roleId);
    return { role: renderRole(role, v3(req)) };
  });

  app.patch(
    '/identity/v3/roles/:roleId',
    { schema: { ...one, summary: 'Rename or describe a role (admin; not the built-in roles)', body: updateRoleBody } },
    async (req) => {
      const role = await roleAdmin.updateRole(
        req.auth,
        (req.params as { roleId: string }).roleId,
        (req.body as { role: RoleInput }).role,
      );
      return { role: renderRole(role, v3(req)) };
    },
  );

  app.delete(
    '/identity/v3/roles/:roleId',
    { schema: { ...one, summary: 'Delete a role and its assignments (admin; not the built-in roles)' } },
    async (req, reply) => {
      await roleAdmin.deleteRole(req.auth, (req.params as { roleId: string }).roleId);
      return reply.code(204).send();
    },
  );

  app.get('/identity/v3/role_assignments', { schema: keystone }, async (req) => {
    const q = req.query as Record<string, unknown>;
    // Groups, domain or system scopes and inherited grants do not exist here: such filters match nothing.
    const other = ['group.id', 'scope.domain.id', 'scope.system', 'scope.OS-INHERIT:inherited_to'].some(
      (k) => q[k] !== undefined,
    );
    const rows = await admin.listAssignments(req.auth, {
      userId: queryString(q['user.id']),
      roleId: queryString(q['role.id']),
      projectId: queryString(q['scope.project.id']),
      other,
    });
    let names = null;
    if (queryBool(q.include_names)) {
      const lookup = admin.names();
      const [users, projects, roles, domains] = await Promise.all([
        lookup.users([...new Set(rows.map((r) => r.user_id))]),
        lookup.projects([...new Set(rows.map((r) => r.project_id))]),
        lookup.roles(),
        lookup.domains(),
      ]);
      names = { users, projects, roles, domains };
    }
    return listBody(
      'role_assignments',
      rows.map((a) => renderAssignment(a, v3(req), names)),
      selfUrl(req, config.publicUrl),
    );
  });
}
