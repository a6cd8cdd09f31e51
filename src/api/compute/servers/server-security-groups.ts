// GET /servers/{id}/os-security-groups (nova security_groups.py ServerSecurityGroupController).
// Unlike the /os-security-groups proxy (gone from 2.36), this exists at every microversion.
// The proxy's reads are here too, below 2.36: openstackclient without a network endpoint looks a
// `--security-group` up there (GET /os-security-groups/{name-or-id}, then the list) before a create.
// Only the project's `default` group exists (views/security-groups.ts); creating groups or rules would
// need a network service, so those routes are not served.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../composition/services.js';
import { authorize } from '../../../identity/policy.js';
import { NotFound } from '../../../errors.js';
import { COMPUTE_PREFIX } from '../../urls.js';
import { renderDefaultGroup, renderServerSecurityGroups } from './views/security-groups.js';
import { defaultGroupId } from '../../../compute/servers/security-groups.js';

const proxy = { maxVersion: '2.35' };
const doc = (summary: string) => ({ tags: ['compute security groups (deprecated: removed at 2.36)'], summary });

export async function serverSecurityGroupRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { compute } = opts.services;
  app.get<{ Params: { id: string } }>(`${COMPUTE_PREFIX}/servers/:id/os-security-groups`, async (req) => {
    const row = await compute.get(req.auth, req.params.id);
    authorize(req.auth, 'read', 'os_compute_api:os-security-groups:list');
    return renderServerSecurityGroups(row);
  });

  app.get(
    `${COMPUTE_PREFIX}/os-security-groups`,
    { config: proxy, schema: doc('List security groups (the project default group)') },
    async (req) => {
      authorize(req.auth, 'read', 'os_compute_api:os-security-groups:get');
      return { security_groups: req.auth.projectId ? [renderDefaultGroup(req.auth.projectId)] : [] };
    },
  );

  // Nova with Neutron finds a group by name or id in the caller's project.
  app.get<{ Params: { groupId: string } }>(
    `${COMPUTE_PREFIX}/os-security-groups/:groupId`,
    { config: proxy, schema: doc('Show a security group by name or id') },
    async (req) => {
      authorize(req.auth, 'read', 'os_compute_api:os-security-groups:show');
      const { groupId } = req.params;
      const project = req.auth.projectId;
      if (!project || (groupId !== 'default' && groupId !== defaultGroupId(project)))
        throw new NotFound(`Security group ${groupId} not found.`);
      return { security_group: renderDefaultGroup(project) };
    },
  );
}
