// Nova's network proxies below 2.36 (networks.py, floating_ips.py, floating_ip_pools.py, Zed),
// answered from the network service's records: os-networks and os-tenant-networks (list/show; the
// nova-network writes are 410), os-floating-ips (list/show/allocate/release) and os-floating-ip-pools.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../../composition/services.js';
import { Gone, NotFound } from '../../../errors.js';
import { authorize } from '../../../identity/policy.js';
import { isAdmin } from '../../../identity/auth-context.js';
import { COMPUTE_PREFIX } from '../../urls.js';
import { renderNetwork, renderTenantNetwork } from './views.js';

const proxy = { maxVersion: '2.35' };
const netDoc = (summary: string) => ({ tags: ['compute networks (deprecated: removed at 2.36)'], summary });
const fipDoc = (summary: string) => ({ tags: ['compute floating IPs (deprecated: removed at 2.36)'], summary });
const callerOf = (req: FastifyRequest) => ({ projectId: req.auth.projectId ?? '', isAdmin: isAdmin(req.auth) });

export async function networkProxyRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { network, novaFloatingIps: fips } = opts.services;
  const N = `${COMPUTE_PREFIX}/os-networks`;

  app.get(N, { config: proxy, schema: netDoc('List networks') }, async (req) => {
    authorize(req.auth, 'read', 'os_compute_api:os-networks:list');
    const c = callerOf(req);
    return { networks: (await network.nets.listNetworks(c)).map((n) => renderNetwork(n, c.isAdmin)) };
  });

  app.get<{ Params: { id: string } }>(`${N}/:id`, { config: proxy, schema: netDoc('Show a network') }, async (req) => {
    authorize(req.auth, 'read', 'os_compute_api:os-networks:show');
    const c = callerOf(req);
    const n = await network.nets.getNetwork(c, req.params.id).catch(() => {
      throw new NotFound('Network not found');
    });
    return { network: renderNetwork(n, c.isAdmin) };
  });

  // nova-network's writes: gone (410) since Nova dropped nova-network
  const gone = async () => {
    throw new Gone();
  };
  app.post(N, { config: proxy, schema: netDoc('Create a network (gone)') }, gone);
  app.post(`${N}/add`, { config: proxy, schema: netDoc('Associate a network (gone)') }, gone);
  app.delete(`${N}/:id`, { config: proxy, schema: netDoc('Delete a network (gone)') }, gone);
  app.post(`${N}/:id/action`, { config: proxy, schema: netDoc('Disassociate a network (gone)') }, gone);

  // os-tenant-networks (tenant_networks.py): the networks the caller sees, as Neutron lists them for it
  const T = `${COMPUTE_PREFIX}/os-tenant-networks`;
  app.get(T, { config: proxy, schema: netDoc("List the project's networks") }, async (req) => {
    authorize(req.auth, 'read', 'os_compute_api:os-tenant-networks:list');
    return { networks: (await network.nets.listNetworks(callerOf(req))).map(renderTenantNetwork) };
  });
  app.get<{ Params: { id: string } }>(
    `${T}/:id`,
    { config: proxy, schema: netDoc("Show one of the project's networks") },
    async (req) => {
      authorize(req.auth, 'read', 'os_compute_api:os-tenant-networks:show');
      const n = await network.nets.getNetwork(callerOf(req), req.params.id).catch(() => {
        throw new NotFound('Network not found');
      });
      return { network: renderTenantNetwork(n) };
    },
  );
  app.post(T, { config: proxy, schema: netDoc('Create a project network (gone)') }, gone);
  app.delete(`${T}/:id`, { config: proxy, schema: netDoc('Delete a project network (gone)') }, gone);

  const F = `${COMPUTE_PREFIX}/os-floating-ips`;
  app.get(F, { config: proxy, schema: fipDoc('List floating IPs') }, async (req) => {
    authorize(req.auth, 'read', 'os_compute_api:os-floating-ips:list');
    return { floating_ips: await fips.list(callerOf(req)) };
  });

  app.get<{ Params: { id: string } }>(
    `${F}/:id`,
    { config: proxy, schema: fipDoc('Show a floating IP') },
    async (req) => {
      authorize(req.auth, 'read', 'os_compute_api:os-floating-ips:show');
      return { floating_ip: await fips.get(callerOf(req), req.params.id) };
    },
  );

  app.post(F, { config: proxy, schema: fipDoc('Allocate a floating IP from a pool') }, async (req) => {
    authorize(req.auth, 'write', 'os_compute_api:os-floating-ips:create');
    const body = req.body as { pool?: unknown } | null | undefined;
    const pool = body && typeof body === 'object' && body.pool != null ? String(body.pool) : undefined;
    return { floating_ip: await fips.allocate(callerOf(req), pool) };
  });

  app.delete<{ Params: { id: string } }>(
    `${F}/:id`,
    { config: proxy, schema: fipDoc('Release a floating IP') },
    async (req, reply) => {
      authorize(req.auth, 'write', 'os_compute_api:os-floating-ips:delete');
      await fips.release(callerOf(req), req.params.id);
      return reply.code(202).send();
    },
  );

  app.get(
    `${COMPUTE_PREFIX}/os-floating-ip-pools`,
    { config: proxy, schema: fipDoc('List floating IP pools') },
    async (req) => {
      authorize(req.auth, 'read', 'os_compute_api:os-floating-ip-pools');
      return { floating_ip_pools: (await fips.pools(callerOf(req))).map((name) => ({ name })) };
    },
  );
}
