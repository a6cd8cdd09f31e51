import { authorize } from '../../identity/policy.js';
import { COMPUTE_PREFIX } from '../urls.js';
export async function serverTopologyRoutes(app, opts) {
    const { compute } = opts.services;
    app.get(`${COMPUTE_PREFIX}/servers/:id/topology`, { config: { minVersion: '2.78' } }, async (req) => {
        await compute.get(req.auth, req.params.id);
        authorize(req.auth, 'read', 'os_compute_api:servers:topology:index');
        return { nodes: [], pagesize_kb: null };
    });
}
//# sourceMappingURL=server-topology.js.map