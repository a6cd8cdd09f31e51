// /os-simple-tenant-usage (admin: every project) and /{tenant_id} (admin or that project):
// what the servers used over a period. Paging over servers from 2.40.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../../composition/services.js';
import { authorize, isAdmin } from '../../../identity/policy.js';
import { COMPUTE_PREFIX } from '../../urls.js';
import { renderTenantUsage } from './simple-tenant-usage-views.js';
import { assertKnownQuery, lastParam, nextLink, readPaging } from '../paging-params.js';

export async function simpleTenantUsageRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { tenantUsage, config } = opts.services;
  const base = `${COMPUTE_PREFIX}/os-simple-tenant-usage`;

  function read(req: FastifyRequest, allowed: string[]) {
    const q = req.query as Record<string, unknown>;
    assertKnownQuery(req, req.apiVersion.gte('2.40') ? [...allowed, 'limit', 'marker'] : allowed);
    const period = tenantUsage.period(lastParam(q.start), lastParam(q.end));
    const paging = req.apiVersion.gte('2.40') ? readPaging(q) : {};
    return { q, period, paging };
  }

  app.get(base, async (req) => {
    authorize(req.auth, 'admin', 'os_compute_api:os-simple-tenant-usage:list');
    const { q, period, paging } = read(req, ['start', 'end', 'detailed']);
    const detailed = lastParam(q.detailed) === '1';
    const { tenants, servers } = await tenantUsage.usages(period, { detailed, ...paging });
    const next = req.apiVersion.gte('2.40')
      ? nextLink(
          req,
          config.publicUrl,
          'os-simple-tenant-usage',
          paging,
          servers,
          () => servers[servers.length - 1].instance_id,
        )
      : null;
    return {
      tenant_usages: tenants.map(renderTenantUsage),
      ...(next ? { tenant_usages_links: [{ href: next, rel: 'next' }] } : {}),
    };
  });

  app.get<{ Params: { tenantId: string } }>(`${base}/:tenantId`, async (req) => {
    authorize(req.auth, 'read', 'os_compute_api:os-simple-tenant-usage:show');
    if (!isAdmin(req.auth) && req.auth.projectId !== req.params.tenantId)
      authorize(req.auth, 'admin', 'os_compute_api:os-simple-tenant-usage:show');
    const { period, paging } = read(req, ['start', 'end']);
    const { tenants, servers } = await tenantUsage.usages(period, {
      projectId: req.params.tenantId,
      detailed: true,
      ...paging,
    });
    const next = req.apiVersion.gte('2.40')
      ? nextLink(
          req,
          config.publicUrl,
          `os-simple-tenant-usage/${encodeURIComponent(req.params.tenantId)}`,
          paging,
          servers,
          () => servers[servers.length - 1].instance_id,
        )
      : null;
    return {
      tenant_usage: tenants[0] ? renderTenantUsage(tenants[0]) : {},
      ...(next ? { tenant_usage_links: [{ href: next, rel: 'next' }] } : {}),
    };
  });
}
