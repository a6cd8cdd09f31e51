// /v2.0/ports, with Nova's and Horizon's filters (device_id=…&device_id=…, fixed_ips=ip_address=…).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { NetworkServices } from '../../composition/network.js';
import { PortNotFound } from '../../network/errors.js';
import { crud } from './crud.js';
import type { CustomFilter } from './list-query.js';
import { PORT_ATTRS, PORT_LIST } from './resource-attrs.js';
import { renderPort } from './views.js';

/** `fixed_ips=ip_address=X` / `fixed_ips=subnet_id=Y` (Neutron's ports filter, repeated = OR). */
const fixedIpsFilter: CustomFilter = (values) => {
  const wanted = values.map((v) => Object.fromEntries(v.split('&').map((kv) => kv.split('=') as [string, string])));
  return (item) =>
    (item.fixed_ips as { subnet_id: string; ip_address: string }[]).some((f) =>
      wanted.some(
        (w) => (!w.ip_address || w.ip_address === f.ip_address) && (!w.subnet_id || w.subnet_id === f.subnet_id),
      ),
    );
};
const sgFilter: CustomFilter = (values) => (item) => (item.security_groups as string[]).some((g) => values.includes(g));

export function portRoutes(app: FastifyInstance, s: NetworkServices, base: (req: FastifyRequest) => string) {
  crud(app, base, {
    collection: 'ports',
    member: 'port',
    attrs: PORT_ATTRS,
    list: PORT_LIST,
    notFound: PortNotFound,
    custom: { fixed_ips: fixedIpsFilter, security_groups: sgFilter },
    all: async (c) => {
      const hosts = await s.hostNames();
      return (await s.ports.list(c)).map((p) => renderPort(p, c.isAdmin, (id) => hosts.get(id)));
    },
    one: async (c, id) => {
      const hosts = await s.hostNames();
      return renderPort(await s.ports.get(c, id), c.isAdmin, (h) => hosts.get(h));
    },
    create: async (c, b) => renderPort(await s.createPort(c, b, s.nets.targetProject(c, b)), c.isAdmin),
    update: async (c, id, b) => renderPort(await s.updatePort(c, id, b), c.isAdmin),
    remove: (c, id) => s.deletePort(c, id),
  });
}
