import { NotFound } from '../../errors.js';
import { COMPUTE_PREFIX } from '../urls.js';
import { renderIps, renderIpsForNetwork } from './views/servers.js';
export async function serverIpRoutes(app, opts) {
    const { compute } = opts.services;
    const base = `${COMPUTE_PREFIX}/servers/:id/ips`;
    app.get(base, async (req) => renderIps(await compute.get(req.auth, req.params.id)));
    app.get(`${base}/:network`, async (req) => {
        const row = await compute.get(req.auth, req.params.id);
        const out = renderIpsForNetwork(row, req.params.network);
        if (!out)
            throw new NotFound('Instance is not a member of specified network');
        return out;
    });
}
//# sourceMappingURL=server-ips.js.map