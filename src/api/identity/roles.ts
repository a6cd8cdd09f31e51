// Keystone roles (admin, member, reader; fixed) and GET /v3/role_assignments with the filters
// openstackclient sends (user.id, role.id, scope.project.id, include_names, effective).
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services';
import { listBody, renderAssignment, renderRole } from './views/resources';
import { params, queryBool, queryString, selfUrl, v3Url } from './common';

export async function roleRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { identityAdmin: admin, config } = opts.services;
  const v3 = (req: Parameters<typeof v3Url>[0]) => v3Url(req, config.publicUrl);
  // Documented in the OpenAPI document (so the bad-input fuzzer covers Keystone's routes too).
  const keystone = { tags: ['identity'] };

  app.get('/identity/v3/roles', { schema: keystone }, async (req) => {
    const q = req.query as Record<string, unknown>;
    const rows = await admin.listRoles(req.auth, queryString(q.name));
    return listBody('roles', rows.map((r) => renderRole(r, v3(req))), selfUrl(req, config.publicUrl));
  });

  app.get('/identity/v3/roles/:roleId', { schema: { ...keystone, params: params('roleId') } }, async (req) => {
    const role = await admin.getRole(req.auth, (req.params as { roleId: string }).roleId);
    return { role: renderRole(role, v3(req)) };
  });

  app.get('/identity/v3/role_assignments', { schema: keystone }, async (req) => {
    const q = req.query as Record<string, unknown>;
    // Groups, domain or system scopes and inherited grants do not exist here: such filters match nothing.
    const other = ['group.id', 'scope.domain.id', 'scope.system', 'scope.OS-INHERIT:inherited_to'].some((k) => q[k] !== undefined);
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
    return listBody('role_assignments', rows.map((a) => renderAssignment(a, v3(req), names)), selfUrl(req, config.publicUrl));
  });
}
