// /os-hypervisors (admin): one hypervisor per Docker host, with docker info's capacity and the
// servers placed there. nova/api/openstack/compute/hypervisors.py.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../../composition/services.js';
import { authorize } from '../../../identity/policy.js';
import { BadRequest, HypervisorNotFound, MarkerNotFound, NotFound, NotImplemented } from '../../../errors.js';
import type { Hypervisor } from '../../../compute/hosts/compute-services.js';
import { COMPUTE_PREFIX } from '../../urls.js';
import {
  hypervisorId,
  renderHypervisorDetail,
  renderHypervisorSummary,
  renderStatistics,
} from './hypervisors-views.js';
import { assertKnownQuery, lastParam, nextLink, readPaging } from '../paging-params.js';
import { isUuidLike, strictBool } from '../../../contract/parameter-types.js';

function readBool(name: string, raw: string | undefined): boolean {
  if (raw === undefined) return false;
  const b = strictBool(raw);
  if (b !== undefined) return b;
  throw new BadRequest(`Invalid input for query parameters ${name}. Value: ${raw}. '${raw}' is not a 'boolean'`);
}

const noMatch = (pattern: string) => new NotFound(`No hypervisor matching '${pattern}' could be found.`);

export async function hypervisorRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { hostOverview: computeServices, config } = opts.services;
  const base = `${COMPUTE_PREFIX}/os-hypervisors`;

  /** list and detail share filtering (2.53 pattern), with_servers and paging (2.33). */
  async function listing(req: FastifyRequest, detail: boolean) {
    const v = req.apiVersion;
    assertKnownQuery(
      req,
      v.gte('2.53') ? ['limit', 'marker', 'hypervisor_hostname_pattern', 'with_servers'] : ['limit', 'marker'],
    );
    authorize(
      req.auth,
      'admin',
      detail ? 'os_compute_api:os-hypervisors:list-detail' : 'os_compute_api:os-hypervisors:list',
    );
    const q = req.query as Record<string, unknown>;
    const paging = v.gte('2.33') ? readPaging(q) : {};
    const pattern = v.gte('2.53') ? lastParam(q.hypervisor_hostname_pattern) : undefined;
    const withServers = v.gte('2.53') ? readBool('with_servers', lastParam(q.with_servers)) : false;
    let list = await computeServices.hypervisors();
    if (pattern !== undefined) {
      if (paging.limit !== undefined || paging.marker !== undefined) {
        throw new BadRequest(
          'Paging over hypervisors with the hypervisor_hostname_pattern query parameter is not supported.',
        );
      }
      list = list.filter((h) => h.hostname.includes(pattern));
      if (!list.length) throw noMatch(pattern);
    }
    if (paging.marker !== undefined) {
      const at = list.findIndex((h) => String(hypervisorId(v, h)) === paging.marker);
      if (at < 0) throw MarkerNotFound(paging.marker);
      list = list.slice(at + 1);
    }
    if (paging.limit !== undefined) list = list.slice(0, paging.limit);
    const items = await Promise.all(
      list.map(async (h) => {
        const servers = withServers ? await computeServices.serversOn(h.id) : undefined;
        return detail
          ? renderHypervisorDetail(v, h, { servers, uptime: computeServices.uptimeText(h) })
          : renderHypervisorSummary(v, h, servers);
      }),
    );
    const next = nextLink(
      req,
      config.publicUrl,
      detail ? 'os-hypervisors/detail' : 'os-hypervisors',
      paging,
      list,
      () => String(hypervisorId(v, list[list.length - 1])),
    );
    return { hypervisors: items, ...(next ? { hypervisors_links: [{ href: next, rel: 'next' }] } : {}) };
  }

  app.get(base, (req) => listing(req, false));
  app.get(`${base}/detail`, (req) => listing(req, true));

  app.get(`${base}/statistics`, { config: { maxVersion: '2.87' } }, async (req) => {
    authorize(req.auth, 'admin', 'os_compute_api:os-hypervisors:statistics');
    return renderStatistics(await computeServices.hypervisors());
  });

  async function find(req: FastifyRequest, id: string): Promise<Hypervisor> {
    if (req.apiVersion.gte('2.53')) {
      if (!isUuidLike(id)) throw new BadRequest(`Invalid uuid ${id}`);
      const h = await computeServices.hypervisorByUuid(id);
      if (!h) throw HypervisorNotFound(id);
      return h;
    }
    const h = /^\d+$/.test(id) ? await computeServices.hypervisorById(Number(id)) : undefined;
    if (!h) throw HypervisorNotFound(id);
    return h;
  }

  app.get<{ Params: { id: string } }>(`${base}/:id`, async (req) => {
    const v = req.apiVersion;
    assertKnownQuery(req, v.gte('2.53') ? ['with_servers'] : []);
    authorize(req.auth, 'admin', 'os_compute_api:os-hypervisors:show');
    const h = await find(req, req.params.id);
    const withServers = v.gte('2.53')
      ? readBool('with_servers', lastParam((req.query as Record<string, unknown>).with_servers))
      : false;
    const servers = withServers ? await computeServices.serversOn(h.id) : undefined;
    return { hypervisor: renderHypervisorDetail(v, h, { servers, uptime: computeServices.uptimeText(h) }) };
  });

  app.get<{ Params: { id: string } }>(`${base}/:id/uptime`, { config: { maxVersion: '2.87' } }, async (req) => {
    authorize(req.auth, 'admin', 'os_compute_api:os-hypervisors:uptime');
    const h = await find(req, req.params.id);
    const uptime = computeServices.uptimeText(h);
    if (uptime === null) throw new NotImplemented('Virt driver does not implement host uptime function.');
    return { hypervisor: { ...renderHypervisorSummary(req.apiVersion, h), uptime } };
  });

  // Before 2.53: search by host name substring, and the servers of the matching hypervisors.
  app.get<{ Params: { pattern: string } }>(
    `${base}/:pattern/search`,
    { config: { maxVersion: '2.52' } },
    async (req) => {
      authorize(req.auth, 'admin', 'os_compute_api:os-hypervisors:search');
      const list = (await computeServices.hypervisors()).filter((h) => h.hostname.includes(req.params.pattern));
      if (!list.length) throw noMatch(req.params.pattern);
      return { hypervisors: list.map((h) => renderHypervisorSummary(req.apiVersion, h)) };
    },
  );

  app.get<{ Params: { pattern: string } }>(
    `${base}/:pattern/servers`,
    { config: { maxVersion: '2.52' } },
    async (req) => {
      authorize(req.auth, 'admin', 'os_compute_api:os-hypervisors:servers');
      const list = (await computeServices.hypervisors()).filter((h) => h.hostname.includes(req.params.pattern));
      if (!list.length) throw noMatch(req.params.pattern);
      return {
        hypervisors: await Promise.all(
          list.map(async (h) => {
            const servers = await computeServices.serversOn(h.id);
            return renderHypervisorSummary(req.apiVersion, h, servers.length ? servers : undefined);
          }),
        ),
      };
    },
  );
}
