// Keystone domains (the Default domain only) and groups (none exist; empty lists for dashboards).
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../composition/services.js';
import { listBody, renderDomain } from './views/resources.js';
import { params, queryBool, queryString, selfUrl, v3Url } from './common.js';
import { enforce } from '../../identity/policy.js';
import { notFound } from '../../identity/identity-admin.js';

export async function domainRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { identityAdmin: admin, config } = opts.services;
  const v3 = (req: Parameters<typeof v3Url>[0]) => v3Url(req, config.publicUrl);
  // Documented in the OpenAPI document (so the bad-input fuzzer covers Keystone's routes too).
  const keystone = { tags: ['identity'] };

  app.get('/identity/v3/domains', { schema: keystone }, async (req) => {
    const q = req.query as Record<string, unknown>;
    const rows = await admin.listDomains(req.auth, { name: queryString(q.name), enabled: queryBool(q.enabled) });
    return listBody(
      'domains',
      rows.map((d) => renderDomain(d, v3(req))),
      selfUrl(req, config.publicUrl),
    );
  });

  app.get('/identity/v3/domains/:domainId', { schema: { ...keystone, params: params('domainId') } }, async (req) => {
    const domain = await admin.getDomain(req.auth, (req.params as { domainId: string }).domainId);
    return { domain: renderDomain(domain, v3(req)) };
  });

  app.get('/identity/v3/groups', { schema: keystone }, async (req) => {
    enforce(req.auth, 'identity:list_groups');
    return listBody('groups', [], selfUrl(req, config.publicUrl));
  });

  app.get('/identity/v3/groups/:groupId', { schema: { ...keystone, params: params('groupId') } }, async (req) => {
    enforce(req.auth, 'identity:list_groups');
    throw notFound('group', (req.params as { groupId: string }).groupId);
  });
}
