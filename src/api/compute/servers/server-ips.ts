// /servers/{id}/ips and /ips/{network} (nova ips.py): the server's fixed addresses by network.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../composition/services.js';
import { NotFound } from '../../../errors.js';
import { COMPUTE_PREFIX } from '../../urls.js';
import { renderIps, renderIpsForNetwork } from './views/servers.js';

export async function serverIpRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { compute } = opts.services;
  const base = `${COMPUTE_PREFIX}/servers/:id/ips`;

  app.get<{ Params: { id: string } }>(base, async (req) => renderIps(await compute.get(req.auth, req.params.id)));

  app.get<{ Params: { id: string; network: string } }>(`${base}/:network`, async (req) => {
    const row = await compute.get(req.auth, req.params.id);
    const out = renderIpsForNetwork(row, req.params.network);
    if (!out) throw new NotFound('Instance is not a member of specified network');
    return out;
  });
}
