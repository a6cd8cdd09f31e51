import { authorize } from '../../identity/policy.js';
import { COMPUTE_PREFIX } from '../urls.js';
export async function serverPasswordRoutes(app, opts) {
    const { compute } = opts.services;
    const path = `${COMPUTE_PREFIX}/servers/:id/os-server-password`;
    app.get(path, async (req) => {
        await compute.get(req.auth, req.params.id);
        authorize(req.auth, 'read', 'os_compute_api:os-server-password:show');
        return { password: '' };
    });
    app.delete(path, async (req, reply) => {
        await compute.get(req.auth, req.params.id);
        authorize(req.auth, 'write', 'os_compute_api:os-server-password:clear');
        return reply.code(204).send();
    });
}
//# sourceMappingURL=server-password.js.map