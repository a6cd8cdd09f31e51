import { authorize } from '../../identity/policy.js';
import { NotFound } from '../../errors.js';
import { COMPUTE_PREFIX } from '../urls.js';
import { defaultGroupId, renderDefaultGroup, renderServerSecurityGroups } from './views/security-groups.js';
const proxy = { maxVersion: '2.35' };
const doc = (summary) => ({ tags: ['compute security groups (deprecated: removed at 2.36)'], summary });
export async function serverSecurityGroupRoutes(app, opts) {
    const { compute } = opts.services;
    app.get(`${COMPUTE_PREFIX}/servers/:id/os-security-groups`, async (req) => {
        const row = await compute.get(req.auth, req.params.id);
        authorize(req.auth, 'read', 'os_compute_api:os-security-groups:list');
        return renderServerSecurityGroups(row);
    });
    app.get(`${COMPUTE_PREFIX}/os-security-groups`, { config: proxy, schema: doc('List security groups (the project default group)') }, async (req) => {
        authorize(req.auth, 'read', 'os_compute_api:os-security-groups:get');
        return { security_groups: req.auth.projectId ? [renderDefaultGroup(req.auth.projectId)] : [] };
    });
    // Nova with Neutron finds a group by name or id in the caller's project.
    app.get(`${COMPUTE_PREFIX}/os-security-groups/:groupId`, { config: proxy, schema: doc('Show a security group by name or id') }, async (req) => {
        authorize(req.auth, 'read', 'os_compute_api:os-security-groups:show');
        const { groupId } = req.params;
        const project = req.auth.projectId;
        if (!project || (groupId !== 'default' && groupId !== defaultGroupId(project)))
            throw new NotFound(`Security group ${groupId} not found.`);
        return { security_group: renderDefaultGroup(project) };
    });
}
//# sourceMappingURL=server-security-groups.js.map