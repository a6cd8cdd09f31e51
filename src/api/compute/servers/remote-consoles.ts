// POST /servers/{id}/remote-consoles (2.6+): serial → the serial console's websocket URL with a
// one-time token; vnc/novnc → the URL of the browser terminal page (./console-page.ts) with one;
// other protocols: Nova's 400s. GET /os-console-auth-tokens/{token} (admin): what a token connects
// to. The websocket itself is served by ./console-ws.ts.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../../composition/services.js';
import { baseUrl, COMPUTE_PREFIX } from '../../urls.js';
import { ComputeApi } from '../../../compute/servers/compute-api.js';
import { SERIAL_CONSOLE_PATH, TERMINAL_PAGE_PATH } from '../../../compute/servers/actions/console.js';
import { remoteConsoleBodies } from './actions/action-schemas-2.js';

/** ws://host/compute/console/serial?token=… (wss:// behind https). */
export function serialConsoleUrl(req: FastifyRequest, publicUrl: string | null, token: string): string {
  const base = baseUrl(req, publicUrl).replace(/^http/, 'ws');
  return `${base}${SERIAL_CONSOLE_PATH}?token=${token}`;
}

/** http://host/compute/console/terminal?token=… (https:// behind https): a page for a browser or an iframe. */
export function terminalPageUrl(req: FastifyRequest, publicUrl: string | null, token: string): string {
  return `${baseUrl(req, publicUrl)}${TERMINAL_PAGE_PATH}?token=${token}`;
}

/** The URL a grant of this protocol is given: the terminal page for vnc, the websocket for serial. */
export function consoleUrl(req: FastifyRequest, publicUrl: string | null, protocol: string, token: string): string {
  return protocol === 'vnc' ? terminalPageUrl(req, publicUrl, token) : serialConsoleUrl(req, publicUrl, token);
}

export async function remoteConsoleRoutes(app: FastifyInstance, opts: { services: Services }): Promise<void> {
  const { compute, serialConsoles, config } = opts.services;

  app.post<{ Params: { id: string } }>(
    `${COMPUTE_PREFIX}/servers/:id/remote-consoles`,
    {
      config: { bodies: remoteConsoleBodies, minVersion: '2.6' },
    },
    async (req) => {
      const { protocol, type } = (req.body as { remote_console: { protocol: string; type: string } }).remote_console;
      const row = await compute.get(req.auth, req.params.id);
      const grant = await serialConsoles.create(req.auth, row, protocol, type);
      return { remote_console: { protocol, type, url: consoleUrl(req, config.publicUrl, protocol, grant.token) } };
    },
  );

  app.get<{ Params: { token: string } }>(`${COMPUTE_PREFIX}/os-console-auth-tokens/:token`, async (req) => {
    ComputeApi.assertAdmin(req.auth, 'os_compute_api:os-console-auth-tokens');
    return { console: await serialConsoles.describe(req.params.token, req.apiVersion.gte('2.31')) };
  });
}
