// /v2.0/routers (+ add/remove_router_interface), /v2.0/floatingips, /v2.0/floatingip_pools.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { NetworkServices } from '../../composition/network.js';
import {
  FloatingIPNotFound,
  HTTPBadRequest,
  RouterNotFound,
  InvalidAttribute,
  BODY_INVALID,
} from '../../network/errors.js';
import type { FloatingIpRow } from '../../network/fip-service.js';
import { callerOf, crud, V2, type Item } from './crud.js';
import {
  FLOATINGIP_ATTRS,
  FLOATINGIP_LIST,
  ROUTER_ATTRS,
  ROUTER_INTERFACE_ATTRS,
  ROUTER_LIST,
} from './resource-attrs.js';
import { renderFloatingIp, renderRouter } from './views.js';

type FipBody = {
  floating_network_id: string;
  floating_ip_address?: string;
  subnet_id?: string;
  port_id?: string | null;
  fixed_ip_address?: string | null;
  description?: string;
};

export function l3Routes(app: FastifyInstance, s: NetworkServices, base: (req: FastifyRequest) => string) {
  const tags = ['network'];
  crud(app, base, {
    collection: 'routers',
    member: 'router',
    attrs: ROUTER_ATTRS,
    list: ROUTER_LIST,
    notFound: RouterNotFound,
    all: async (c) => (await s.routers.list(c)).map(renderRouter),
    one: async (c, id) => renderRouter(await s.routers.get(c, id)),
    create: async (c, b) => renderRouter(await s.routers.create(c, b, s.nets.targetProject(c, b))),
    update: async (c, id, b) => renderRouter(await s.routers.update(c, id, b)),
    remove: (c, id) => s.routers.delete(c, id),
  });
  const interfaceBody = {
    type: 'object',
    additionalProperties: false,
    properties: {
      subnet_id: { type: 'string', description: 'A subnet to join (the interface takes its gateway address).' },
      port_id: { type: 'string', description: 'A port to use as the interface.' },
    },
  };
  for (const action of ['add_router_interface', 'remove_router_interface'] as const) {
    app.put<{ Params: { id: string } }>(
      `${V2}/routers/:id/${action}`,
      { schema: { tags, summary: action.replace(/_/g, ' ') }, config: { docBody: interfaceBody } },
      async (req) => {
        const body = req.body ?? {};
        if (typeof body !== 'object' || Array.isArray(body)) throw HTTPBadRequest(BODY_INVALID);
        const b = body as Item;
        for (const k of Object.keys(b))
          if (!(k in ROUTER_INTERFACE_ATTRS)) throw HTTPBadRequest(`Unrecognized attribute(s) '${k}'`);
        for (const [k, a] of Object.entries(ROUTER_INTERFACE_ATTRS)) {
          const reason = k in b ? a.validate?.(b[k]) : null;
          if (reason) throw InvalidAttribute(k, reason);
        }
        const c = callerOf(req);
        const info = b as { subnet_id?: string; port_id?: string };
        return action === 'add_router_interface'
          ? s.routers.addInterface(c, req.params.id, info)
          : s.routers.removeInterface(c, req.params.id, info);
      },
    );
  }
  const fipView = async (f: FloatingIpRow) =>
    renderFloatingIp(f, f.fixed_port_id ? await s.repo.port(f.fixed_port_id) : undefined);
  crud(app, base, {
    collection: 'floatingips',
    member: 'floatingip',
    attrs: FLOATINGIP_ATTRS,
    list: FLOATINGIP_LIST,
    notFound: FloatingIPNotFound,
    all: async (c) => Promise.all((await s.fips.list(c)).map(fipView)),
    one: async (c, id) => fipView(await s.fips.get(c, id)),
    create: async (c, b) => fipView(await s.fips.create(c, b as FipBody, s.nets.targetProject(c, b))),
    update: async (c, id, b) => fipView(await s.fips.update(c, id, b)),
    remove: (c, id) => s.fips.delete(c, id),
  });
  app.get(`${V2}/floatingip_pools`, { schema: { tags, summary: 'List floating IP pools' } }, async () => {
    const external = (await s.repo.networks()).filter((n) => n.external);
    const subnets = await s.repo.subnets({ network_id: external.map((n) => n.id) });
    return {
      floatingip_pools: subnets
        .filter((x) => x.ip_version === 4)
        .map((x) => ({
          subnet_id: x.id,
          subnet_name: x.name,
          network_id: x.network_id,
          cidr: x.cidr,
          tenant_id: x.project_id,
          project_id: x.project_id,
        })),
    };
  });
}
