import { baseUrl, COMPUTE_PREFIX } from '../urls.js';
import { ComputeApi } from '../../compute/compute-api.js';
import { SERIAL_CONSOLE_PATH } from '../../compute/api/console.js';
import { remoteConsoleBodies } from './actions/action-schemas-2.js';
/** ws://host/compute/console/serial?token=… (wss:// behind https). */
export function serialConsoleUrl(req, publicUrl, token) {
    const base = baseUrl(req, publicUrl).replace(/^http/, 'ws');
    return `${base}${SERIAL_CONSOLE_PATH}?token=${token}`;
}
export async function remoteConsoleRoutes(app, opts) {
    const { compute, serialConsoles, config } = opts.services;
    app.post(`${COMPUTE_PREFIX}/servers/:id/remote-consoles`, {
        config: { bodies: remoteConsoleBodies, minVersion: '2.6' },
    }, async (req) => {
        const { protocol, type } = req.body.remote_console;
        const row = await compute.get(req.auth, req.params.id);
        const grant = await serialConsoles.create(req.auth, row, protocol, type);
        return { remote_console: { protocol, type, url: serialConsoleUrl(req, config.publicUrl, grant.token) } };
    });
    app.get(`${COMPUTE_PREFIX}/os-console-auth-tokens/:token`, async (req) => {
        ComputeApi.assertAdmin(req.auth, 'os_compute_api:os-console-auth-tokens');
        return { console: await serialConsoles.describe(req.params.token, req.apiVersion.gte('2.31')) };
    });
}
//# sourceMappingURL=remote-consoles.js.map