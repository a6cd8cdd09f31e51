// The network API, a Neutron v2.0 subset under /networking (devstack's layout: clients append
// /v2.0). Thin routes over the network service; Neutron's bodies, filters, paging and errors.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../composition/services.js';
import { baseUrl } from '../urls.js';
import { HTTPNotFound } from '../../network/errors.js';
import { extensions } from '../../network/extensions.js';
import { NETWORK_PREFIX, V2 } from './crud.js';
import { networkAndSubnetRoutes } from './networks.js';
import { portRoutes } from './ports.js';
import { l3Routes } from './l3.js';
import { securityGroupRoutes } from './security-groups.js';
import { quotaRoutes } from './quotas.js';

const RESOURCES = [
  ['network', 'networks'],
  ['subnet', 'subnets'],
  ['port', 'ports'],
  ['router', 'routers'],
  ['floatingip', 'floatingips'],
  ['security_group', 'security-groups'],
  ['security_group_rule', 'security-group-rules'],
  ['quota', 'quotas'],
] as const;

export async function networkRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { services } = opts;
  const s = services.network;
  const base = (req: FastifyRequest) => baseUrl(req, services.config.publicUrl);
  const tags = ['network'];
  const versions = (req: FastifyRequest) => ({
    versions: [{ id: 'v2.0', status: 'CURRENT', links: [{ href: `${base(req)}${V2}`, rel: 'self' }] }],
  });
  app.get(NETWORK_PREFIX, { config: { public: true }, schema: { tags, summary: 'API versions' } }, async (req) =>
    versions(req),
  );
  app.get(`${NETWORK_PREFIX}/`, { config: { public: true }, schema: { tags, summary: 'API versions' } }, async (req) =>
    versions(req),
  );
  app.get(V2, { schema: { tags, summary: 'The v2.0 resources' } }, async (req) => ({
    resources: RESOURCES.map(([name, collection]) => ({
      name,
      collection,
      links: [{ href: `${base(req)}${V2}/${collection}`, rel: 'self' }],
    })),
  }));

  // the security-group extension's description says whether this deployment's engines enforce the rules
  const listed = () => extensions(s.sgEnforced);
  app.get(`${V2}/extensions`, { schema: { tags, summary: 'List extensions' } }, async () => ({ extensions: listed() }));
  app.get<{ Params: { alias: string } }>(
    `${V2}/extensions/:alias`,
    { schema: { tags, summary: 'Show an extension' } },
    async (req) => {
      const ext = listed().find((e) => e.alias === req.params.alias);
      if (!ext) throw HTTPNotFound(`Extension with alias ${req.params.alias} does not exist`);
      return { extension: ext };
    },
  );

  networkAndSubnetRoutes(app, s, base);
  portRoutes(app, s, base);
  l3Routes(app, s, base);
  securityGroupRoutes(app, s, base);
  quotaRoutes(app, s);
}
