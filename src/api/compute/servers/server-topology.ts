// GET /servers/{id}/topology (2.78, nova server_topology.py). novadock does not place containers
// on NUMA cells (no hw:numa_* handling), so every server is one without a NUMA topology, which
// Nova renders as no nodes and no page size.
import type { FastifyInstance } from 'fastify';
import type { Services } from '../../../composition/services.js';
import { authorize } from '../../../identity/policy.js';
import { COMPUTE_PREFIX } from '../../urls.js';

export async function serverTopologyRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { compute } = opts.services;
  app.get<{ Params: { id: string } }>(
    `${COMPUTE_PREFIX}/servers/:id/topology`,
    { config: { minVersion: '2.78' } },
    async (req) => {
      await compute.get(req.auth, req.params.id);
      authorize(req.auth, 'read', 'os_compute_api:servers:topology:index');
      return { nodes: [], pagesize_kb: null };
    },
  );
}
