import { COMPUTE_PREFIX } from '../urls.js';
import { renderDiagnostics, renderDiagnosticsLegacy } from './views/diagnostics.js';
export async function serverDiagnosticsRoutes(app, opts) {
    const { compute, serverActions } = opts.services;
    app.get(`${COMPUTE_PREFIX}/servers/:id/diagnostics`, async (req) => {
        const instance = await compute.get(req.auth, req.params.id);
        const d = await serverActions.diagnostics.get(req.auth, instance);
        return req.apiVersion.gte('2.48') ? renderDiagnostics(d) : renderDiagnosticsLegacy(d);
    });
}
//# sourceMappingURL=server-diagnostics.js.map