// The deprecated console actions (nova remote_consoles.py, 2.1–2.5; replaced by remote-consoles
// in 2.6): os-getSerialConsole → 200 {"console": {"type": "serial", "url": "ws://…?token=…"}};
// os-getVNCConsole with type novnc → 200 {"console": {"type": "novnc", "url": "http://…/terminal?token=…"}},
// the browser terminal page (what Horizon's Console tab embeds); xvpvnc, os-getSPICEConsole and
// os-getRDPConsole → Nova's 400 "Unavailable console type …" (a container has no graphical console).
import type { ActionGroup, ServerAction } from './registry.js';
import { getSerialConsoleSchema, legacyConsoleSchemas } from './action-schemas-2.js';
import { serialConsoleUrl, terminalPageUrl } from '../remote-consoles.js';

export const serialConsoleActions: ActionGroup = (services) => {
  const consoles = services.serialConsoles;
  const legacy: ServerAction[] = Object.entries(legacyConsoleSchemas).map(([name, { protocol, schema }]) => ({
    name,
    maxVersion: '2.5',
    bodies: [{ min: '2.1', max: '2.5', schema }],
    handler: async (req, instance, arg) => {
      const type = String((arg as { type: string }).type);
      const grant = await consoles.create(req.auth, instance, protocol, type);
      // only vnc/novnc gets here: create refuses the others with Nova's 400
      return {
        status: 200,
        body: { console: { type, url: terminalPageUrl(req, services.config.publicUrl, grant.token) } },
      };
    },
  }));
  return [
    {
      name: 'os-getSerialConsole',
      maxVersion: '2.5',
      bodies: [{ min: '2.1', max: '2.5', schema: getSerialConsoleSchema }],
      handler: async (req, instance) => {
        const grant = await consoles.create(req.auth, instance, 'serial', 'serial');
        return {
          status: 200,
          body: { console: { type: 'serial', url: serialConsoleUrl(req, services.config.publicUrl, grant.token) } },
        };
      },
    },
    ...legacy,
  ];
};
