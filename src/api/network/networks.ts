// /v2.0/networks and /v2.0/subnets.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { NetworkServices } from '../../composition/network.js';
import { NetworkNotFound, SubnetNotFound } from '../../network/errors.js';
import type { SubnetInput } from '../../network/subnets.js';
import { NETWORK_TYPE } from '../../network/provider.js';
import { crud } from './crud.js';
import type { CustomFilter } from './list-query.js';
import { NETWORK_ATTRS, NETWORK_LIST, SUBNET_ATTRS, SUBNET_LIST } from './resource-attrs.js';
import { renderNetwork, renderSubnet } from './views.js';

/**
 * TypeManager.network_matches_filters: provider filters match the network's segment for every caller
 * (the attributes are shown to admins only): every network's is `local`, with no physical network or
 * segmentation id, so those two filters match nothing.
 */
const PROVIDER_FILTERS: Record<string, CustomFilter> = {
  'provider:network_type': (values) => () => values.includes(NETWORK_TYPE),
  'provider:physical_network': () => () => false,
  'provider:segmentation_id': () => () => false,
};

export function networkAndSubnetRoutes(
  app: FastifyInstance,
  s: NetworkServices,
  base: (req: FastifyRequest) => string,
) {
  const subnetIds = async () => {
    const m = new Map<string, string[]>();
    for (const sub of await s.repo.subnets()) m.set(sub.network_id, [...(m.get(sub.network_id) ?? []), sub.id]);
    return m;
  };
  crud(app, base, {
    collection: 'networks',
    member: 'network',
    attrs: NETWORK_ATTRS,
    list: NETWORK_LIST,
    notFound: NetworkNotFound,
    custom: PROVIDER_FILTERS,
    all: async (c) => {
      const ids = await subnetIds();
      return (await s.nets.listNetworks(c)).map((n) => renderNetwork(n, ids.get(n.id) ?? [], c.isAdmin));
    },
    one: async (c, id) => renderNetwork(await s.nets.getNetwork(c, id), (await subnetIds()).get(id) ?? [], c.isAdmin),
    create: async (c, b) => renderNetwork(await s.nets.createNetwork(c, b), [], c.isAdmin),
    update: async (c, id, b) =>
      renderNetwork(await s.nets.updateNetwork(c, id, b), (await subnetIds()).get(id) ?? [], c.isAdmin),
    remove: (c, id) => s.deleteNetwork(c, id),
  });
  type SubnetBody = SubnetInput & { name?: string; description?: string; project_id?: string; tenant_id?: string };
  crud(app, base, {
    collection: 'subnets',
    member: 'subnet',
    attrs: SUBNET_ATTRS,
    list: SUBNET_LIST,
    notFound: SubnetNotFound,
    all: async (c) => (await s.nets.listSubnets(c)).map(renderSubnet),
    one: async (c, id) => renderSubnet(await s.nets.getSubnet(c, id)),
    create: async (c, b) => renderSubnet(await s.nets.createSubnet(c, b as unknown as SubnetBody)),
    update: async (c, id, b) => renderSubnet(await s.nets.updateSubnet(c, id, b)),
    remove: (c, id) => s.nets.deleteSubnet(c, id),
  });
}
