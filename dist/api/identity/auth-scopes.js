import { listBody, renderDomain, renderProject } from './views/resources.js';
import { selfUrl, v3Url } from './common.js';
import { catalog } from './views/tokens.js';
import { baseUrl } from '../urls.js';
import { enforce } from '../../identity/policy.js';
import { Forbidden } from '../../errors.js';
export async function authScopeRoutes(app, opts) {
    const { identityAdmin: admin, config } = opts.services;
    const v3 = (req) => v3Url(req, config.publicUrl);
    // Documented in the OpenAPI document (so the bad-input fuzzer covers Keystone's routes too).
    const keystone = { tags: ['identity'] };
    app.get('/identity/v3/auth/projects', { schema: keystone }, async (req) => {
        const rows = await admin.projectsOfUser(req.auth, req.auth.userId, 'identity:get_auth_projects');
        return listBody('projects', rows.map((p) => renderProject(p, v3(req))), selfUrl(req, config.publicUrl));
    });
    app.get('/identity/v3/auth/domains', { schema: keystone }, async (req) => {
        const rows = await admin.domainScopes(req.auth);
        return listBody('domains', rows.map((d) => renderDomain(d, v3(req))), selfUrl(req, config.publicUrl));
    });
    // System scope is not offered.
    app.get('/identity/v3/auth/system', { schema: keystone }, async (req) => {
        enforce(req.auth, 'identity:get_auth_system');
        return { system: [], links: { self: selfUrl(req, config.publicUrl), previous: null, next: null } };
    });
    app.get('/identity/v3/auth/catalog', { schema: keystone }, async (req) => {
        enforce(req.auth, 'identity:get_auth_catalog');
        if (!req.auth.projectId && !req.auth.domainId)
            throw new Forbidden('A project-scoped token is required to produce a service catalog.');
        return {
            catalog: catalog(baseUrl(req, config.publicUrl)),
            links: { self: selfUrl(req, config.publicUrl), previous: null, next: null },
        };
    });
}
//# sourceMappingURL=auth-scopes.js.map