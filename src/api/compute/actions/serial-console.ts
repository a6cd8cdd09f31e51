// os-getSerialConsole (nova consoles, deprecated: 2.1–2.5, replaced by remote-consoles in 2.6):
// 200 {"console": {"type": "serial", "url": "ws://…?token=…"}}.
import type { ActionGroup } from './registry';
import { getSerialConsoleSchema } from './action-schemas-2';
import { serialConsoleUrl } from '../remote-consoles';

export const serialConsoleActions: ActionGroup = (services) => [{
  name: 'os-getSerialConsole',
  maxVersion: '2.5',
  bodies: [{ min: '2.1', max: '2.5', schema: getSerialConsoleSchema }],
  handler: async (req, instance) => {
    const grant = await services.serialConsoles.create(req.auth, instance, 'serial', 'serial');
    return { status: 200, body: { console: { type: 'serial', url: serialConsoleUrl(req, services.config.publicUrl, grant.token) } } };
  },
}];
